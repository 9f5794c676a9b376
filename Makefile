# runbound-c build.  One librb.a from lib/, one binary per cmd/<prog>/,
# one TAP test per test/unit/t_<concept>.c, one libFuzzer target per
# test/fuzz/fz_<parser>.c.  Nothing here lists files by hand: adding a file
# in the right directory is enough.
#
# Variants build into $(O): build/gcc (default, bin/ points here),
# build/clang (warning check), build/asan (unit tests under ASan+UBSan),
# build/fuzz (libFuzzer).

CC ?= gcc
ifeq ($(origin CC),default)
CC = gcc
endif
O ?= build/gcc
SAN ?=
FUZZ ?=
PREFIX ?= /usr/local
DESTDIR ?=

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wno-unused-parameter
CSTD = -std=c11 -D_GNU_SOURCE
OPT = -O2 -g
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDEN = -pie -Wl,-z,relro,-z,now

ifneq ($(SAN),)
OPT = -O1 -g -fno-omit-frame-pointer
HARDEN = -fPIE
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all
endif
ifneq ($(FUZZ),)
OPT = -O1 -g -fno-omit-frame-pointer
HARDEN = -fPIE
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined
endif

PATHS = -DRB_SHAREDIR='"$(PREFIX)/share/runbound"' -DRB_BINDIR='"$(PREFIX)/bin"'
DOCDIR = $(PREFIX)/share/doc/runbound
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(HARDEN) $(SANFLAGS) $(PATHS) -iquote lib -MMD -MP \
	     $(CFLAGS)
LDFLAGS_ALL = $(LDHARDEN) $(SANFLAGS) -Wl,--as-needed $(LDFLAGS)
LIBS = -lldns -lcdb -ljansson -lunbound -levent_openssl -levent \
       -lcurl -lssl -lcrypto -lm

# The floor plan (doc/hacking.md): lib/ folders by concern, each a layer,
# lowest first.  A file includes and calls only its own layer and those
# below, and names what it defines after itself; test/layers.pl checks
# both before librb.a is made, so a break fails the build.
LAYERS = base sys wire conf http stats state zone feed answer audit sync prog

LIB_SRC = $(wildcard lib/*/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(O)/%.o)
PROGS = $(notdir $(wildcard cmd/*))
PROG_BIN = $(PROGS:%=$(O)/bin/%)
UNIT_SRC = $(wildcard test/unit/*/t_*.c)
UNIT_BIN = $(foreach t,$(UNIT_SRC),$(O)/test/$(patsubst test/unit/%/,%,$(dir $(t)))/$(patsubst t_%.c,%,$(notdir $(t))).t)
FUZZ_SRC = $(wildcard test/fuzz/fz_*.c)
FUZZ_BIN = $(patsubst test/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRC))

.PHONY: all units deps test check-clang unit-asan fuzz fuzz-short bench run \
        install clean fmt fmt-check man FORCE
.SUFFIXES:
.SECONDARY:

all: $(PROG_BIN) $(UNIT_BIN)
ifeq ($(O),build/gcc)
	@ln -sfn build/gcc/bin bin
endif

units: $(UNIT_BIN)

$(O)/lib/librb.a: $(LIB_OBJ) test/layers.pl
	@mkdir -p $(@D)
	perl test/layers.pl "$(LAYERS)" $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $(LIB_OBJ)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The paths compiled in (PATHS) are a dependency of the objects that use
# them: $(O)/paths holds them and is rewritten only when they change, so
# `make install PREFIX=...` after a plain `make` rebuilds exactly those.
PATHS_TEXT = sharedir=$(PREFIX)/share/runbound bindir=$(PREFIX)/bin
PATHS_OBJ = $(patsubst %.c,$(O)/%.o,$(shell grep -lE 'RB_(SHARE|BIN)DIR' \
	    $(LIB_SRC) $(wildcard cmd/*/*.c) 2>/dev/null))
$(PATHS_OBJ): $(O)/paths
$(O)/paths: FORCE
	@mkdir -p $(@D)
	@echo '$(PATHS_TEXT)' | cmp -s - $@ || echo '$(PATHS_TEXT)' >$@
FORCE:

.SECONDEXPANSION:
prog_objs = $(patsubst %.c,$(O)/%.o,$(wildcard cmd/$(1)/*.c))
$(O)/bin/%: $$(call prog_objs,$$*) $(O)/lib/librb.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

unit_obj = $(O)/test/unit/$(dir $(1))t_$(notdir $(1)).o
$(O)/test/%.t: $$(call unit_obj,$$*) $(O)/lib/librb.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(O)/fuzz/%: $(O)/test/fuzz/%.o $(O)/lib/librb.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $^ $(LIBS)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# --- set-up ---------------------------------------------------------------

deps:
	@sh test/deps.sh

# --- tests ----------------------------------------------------------------

check-clang:
	$(MAKE) O=build/clang CC=clang all

unit-asan:
	$(MAKE) O=build/asan CC=clang SAN=1 units

fuzz-build:
	$(MAKE) O=build/fuzz CC=clang FUZZ=1 fuzzers

fuzzers: $(FUZZ_BIN)

# A short run of every fuzz target on its seed corpus (make test).
fuzz-short: fuzz-build
	@sh test/fuzz/run.sh 20

# A longer run (make fuzz FUZZ_SECONDS=600).
FUZZ_SECONDS ?= 120
fuzz: fuzz-build
	@sh test/fuzz/run.sh $(FUZZ_SECONDS)

man:
	sh doc/mkman.sh build/man

test: deps
	$(MAKE) fmt-check
	$(MAKE) all man
	$(MAKE) check-clang
	$(MAKE) unit-asan
	$(MAKE) fuzz-build
	prove -j2 -r --exec '' build/gcc/test build/asan/test test/integ
	@sh test/fuzz/run.sh 10

bench: deps all
	@sh bench/run.sh

run: deps all
	@sh test/run-demo.sh

FMT_SRC = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find lib cmd test bench -name '*.[ch]')

fmt:
	clang-format -i $(FMT_SRC)

# The layout of .clang-format, checked (make test): prints what differs.
fmt-check:
	@clang-format --dry-run --Werror $(FMT_SRC) && echo "fmt: ok"


# Programs, manual pages (citing the docs where they are installed), the
# docs and the s6 service templates.
install: $(PROG_BIN)
	rm -rf $(O)/man-install
	sh doc/mkman.sh $(O)/man-install $(DOCDIR)
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(PREFIX)/share/runbound
	install -m 0755 $(PROG_BIN) $(DESTDIR)$(PREFIX)/bin/
	cp -R $(O)/man-install/man1 $(O)/man-install/man5 \
	    $(O)/man-install/man8 $(DESTDIR)$(PREFIX)/share/man/
	install -m 0644 doc/*.md README.md INSTALL $(DESTDIR)$(DOCDIR)/
	cp -R svc $(DESTDIR)$(PREFIX)/share/runbound/

clean:
	rm -rf build bin
