#ifndef RB_CONF_CONF_INT_H
#define RB_CONF_CONF_INT_H

/*
 * Private to lib/conf/conf*.c: the lexer's view of one line, the parser state
 * the directive handlers share, and the tables of unbound's names.  No
 * program includes this header; they see only conf.h.
 */

#include <stddef.h>
#include <sys/types.h>

#include "conf/conf.h"

#define RB_CONF_MAXARGS 16  /* values on one line */
#define RB_CONF_MAXDEPTH 16 /* nested include: */
#define RB_CONF_MAXFILES 1024
#define RB_CONF_MAXSIZE (256 * 1024 * 1024) /* bytes in one file */
#define RB_CONF_MAXLINE (1024 * 1024)       /* bytes in one line */
#define RB_CONF_MAXIGNORED 1024 /* distinct ignored names kept by name */

/* One value: s is NUL-terminated with its quotes removed; start and end
 * delimit it, quotes included, in the line the lexer was given. */
struct rb_conf_tok {
	char *s;
	size_t start, end;
	int quoted;
};

/* One "key: value ..." line.  key and the values point into the scratch
 * buffer the lexer was given; raw is the line itself. */
struct rb_conf_line {
	const char *file; /* borrowed from the conf's file table */
	int line;
	const char *raw;
	size_t rawlen;
	char *key;
	size_t nargs;
	struct rb_conf_tok args[RB_CONF_MAXARGS];
};

/* A directive or clause accepted and ignored, and the lines that set it. */
struct rb_conf_ign {
	char *name;
	long count;
};

enum rb_conf_clause {
	RB_CONF_NONE,
	RB_CONF_SERVER,
	RB_CONF_FORWARD,
	RB_CONF_UNBOUND, /* an unbound clause we accept and ignore */
	RB_CONF_RUNBOUND /* a Runbound clause we do not implement */
};

struct rb_conf_ps {
	struct rb_conf *c;
	struct rb_diag *d;
	rb_conf_warn_fn warn;
	void *ctx;
	enum rb_conf_clause clause;
	size_t fzi;      /* the forward-zone being read, if clause says so */
	const char *dir; /* directory of the file being read, "" = cwd */
	int depth;       /* files open; stack[0..depth-1] identify them */
	struct {
		dev_t dev;
		ino_t ino;
		int known;
	} stack[RB_CONF_MAXDEPTH];
	const char *mode_file;
	int mode_line;
	char *scratch;
	size_t scratchlen;
	struct rb_conf_ign *ign; /* ignored names, first seen first */
	size_t nign;
	long ign_more; /* lines of names past RB_CONF_MAXIGNORED */
};

/* Split one line (len bytes, no newline) into key and values, copying them
 * NUL-terminated into scratch (at least 2 * len + 2 bytes).  Returns 1 for a
 * directive, 0 for a blank or comment line, -1 with a reason in *why. */
int rb_conf_lex(const char *raw, size_t len, char *scratch,
    struct rb_conf_line *l, const char **why);

/* How a directive's values are stored: a field of struct rb_conf by kind,
 * or a function for anything else. */
enum rb_conf_kind {
	RB_CONF_BOOL,
	RB_CONF_INT,
	RB_CONF_LONG,
	RB_CONF_STR,    /* refuses "" */
	RB_CONF_OPTSTR, /* "" stores NULL */
	RB_CONF_FN
};

struct rb_conf_ps;
struct rb_conf_directive {
	const char *name;
	enum rb_conf_kind kind;
	size_t off; /* of the field in struct rb_conf */
	long min, max;
	int (*fn)(struct rb_conf_ps *, const struct rb_conf_line *);
	int nargs; /* values required; 0 = one or more */
};

/* Handle a directive of the server: or forward-zone: clause; -1 on error
 * with ps->d filled. */
int rb_conf_server(struct rb_conf_ps *ps, const struct rb_conf_line *l);
int rb_conf_forward(struct rb_conf_ps *ps, const struct rb_conf_line *l);

/* Apply the defaults that depend on other directives and check what can
 * only be checked once every file is read (forward zones, mode). */
int rb_conf_forward_finish(struct rb_conf_ps *ps);

/* Fill ps->d from l and return -1 with errno EINVAL (or ENOMEM for nomem). */
int rb_conf_err(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int rb_conf_nomem(struct rb_conf_ps *ps, const struct rb_conf_line *l);

/* Count one line of name (a directive or clause accepted and ignored) for
 * the summary the callback gets once the parse is done; nothing without a
 * callback.  -1 with ps->d filled when out of memory. */
int rb_conf_ignored(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const char *name);

/* Name tables (conf/names.c): 1 when key is one of unbound's server:
 * directives, forward-zone: directives we ignore, or Runbound directives we
 * do not implement. */
int rb_conf_names_server(const char *key);
int rb_conf_names_forward(const char *key);
int rb_conf_names_runbound(const char *key);

/* The clause key opens, or RB_CONF_NONE when key is not a clause. */
enum rb_conf_clause rb_conf_names_clause(const char *key);

/* Check l's value count against dir and store its value (conf/value.c). */
int rb_conf_value_apply(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const struct rb_conf_directive *dir);

/* Value checks.  Those taking ps and l fill the diag and return -1 (or
 * NULL) on a bad value; the others only answer. */
int rb_conf_value_one_of(const char *s, const char *const *list);
int rb_conf_value_number(const char *s, long min, long max, long *out);
int rb_conf_value_yesno(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    int *out);
int rb_conf_value_address(const char *s); /* AF_INET, AF_INET6 or 0 */

/* "addr/len", or a bare address given /32 or /128, as a new string; *bad
 * says whether NULL means a bad netblock or no memory. */
char *rb_conf_value_netblock(const char *s, int *bad);

/* A checked name with its final dot, as a new string (caller frees). */
char *rb_conf_value_domain(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const char *s);

/* Append s (taken, freed on failure) to the string list *v of *n. */
int rb_conf_value_push_str(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    char ***v, size_t *n, char *s);

/* Cut "text@port" at the last '@' in place; *port is 0 without one. */
int rb_conf_value_at_port(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    char *s, int *port);

/* Grow *arr (n elements of size) to hold one more; capacity doubles from 4
 * so it follows from n alone.  -1 with errno ENOMEM. */
int rb_conf_grow(void **arr, size_t n, size_t size);

#endif
