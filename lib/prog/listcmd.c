/*
 * listcmd: rb-dns, rb-block and rb-allow.  Each write is one transaction: it
 * returns (and prints) only after journal, store and cdb files are
 * durable, so a script that saw exit 0 can query rb-dnsd at once.  import
 * reads JSON lines (the API's POST bodies) and commits them all or none.
 * del takes the id the API takes, or, for rb-block and rb-allow, the
 * domain as the user typed it to add it.
 */

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "prog/command.h"
#include "prog/listcmd.h"
#include "prog/usage.h"
#include "state/entry.h"
#include "sys/root.h"

static const char *const usage_text[] = {
	[RB_LIST_DNS] = "usage: rb-dns [-d ROOT] add NAME TYPE VALUE [TTL]\n"
	                "       rb-dns [-d ROOT] del ID\n"
	                "       rb-dns [-d ROOT] list\n"
	                "       rb-dns [-d ROOT] import [FILE]   "
	                "(JSON lines: {\"name\",\"type\",\"value\",\"ttl\"})\n",
	[RB_LIST_BLACKLIST] =
	    "usage: rb-block [-d ROOT] add DOMAIN [refuse|nxdomain]\n"
	    "       rb-block [-d ROOT] del ID|DOMAIN\n"
	    "       rb-block [-d ROOT] list\n"
	    "       rb-block [-d ROOT] import [FILE]   "
	    "(JSON lines: {\"domain\",\"action\"})\n",
	[RB_LIST_ALLOWLIST] = "usage: rb-allow [-d ROOT] add DOMAIN\n"
	                      "       rb-allow [-d ROOT] del ID|DOMAIN\n"
	                      "       rb-allow [-d ROOT] list\n"
	                      "       rb-allow [-d ROOT] import [FILE]   "
	                      "(JSON lines: {\"domain\"})\n",
};

static int
usage(enum rb_list l)
{
	return rb_usage_print(usage_text[l], 0);
}

static int
print_json(json_t *j)
{
	int r = json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	if (r < 0 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		rb_error("unable to write output: %s", strerror(errno));
		return 111;
	}
	return 0;
}

/* A JSON text (taken) and a newline on stdout. */
static int
print_text(char *text, size_t len)
{
	int r = fwrite(text, 1, len, stdout) != len ||
	    fputc('\n', stdout) == EOF || fflush(stdout) == EOF;

	free(text);
	if (r) {
		rb_error("unable to write output: %s", strerror(errno));
		return 111;
	}
	return 0;
}

static int
fail(const struct rb_err *e)
{
	rb_error("%s: %s", e->code, e->details);
	return rb_err_exit_code(e);
}

/* The request body an `add` command line stands for. */
static json_t *
add_request(enum rb_list l, int argc, char **argv, struct rb_err *e)
{
	char *end;
	long long ttl;
	json_t *req;

	if (l == RB_LIST_DNS) {
		if (argc < 3 || argc > 4)
			return NULL;
		req = json_pack("{s:s, s:s, s:s}", "name", argv[0], "type",
		    argv[1], "value", argv[2]);
		if (req != NULL && argc == 4) {
			errno = 0;
			ttl = strtoll(argv[3], &end, 10);
			if (errno || *end || end == argv[3]) {
				json_decref(req);
				rb_err_set(e, RB_ERR_REJECTED, "INVALID_TTL",
				    "ttl '%.32s' is not a number", argv[3]);
				return NULL;
			}
			json_object_set_new(req, "ttl", json_integer(ttl));
		}
		return req;
	}
	if (argc < 1 || argc > (l == RB_LIST_BLACKLIST ? 2 : 1))
		return NULL;
	req = json_pack("{s:s}", "domain", argv[0]);
	if (req != NULL && argc == 2)
		json_object_set_new(req, "action", json_string(argv[1]));
	return req;
}

/* The id del names: arg itself when it is a UUID (or for rb-dns, whose
 * names may have many records); else the id of the blacklist or
 * allowlist entry for the domain arg, in any case and with or without
 * the final dot, as add stores it, copied into id (len bytes); NULL
 * with e set. */
static const char *
del_id(struct rb_txn *t, enum rb_list l, const char *arg, char *id, size_t len,
    struct rb_err *e)
{
	enum rb_coll c = rb_lists_coll(l);
	json_t *req, *entry = NULL;
	const char *found;
	char key[320];
	int r;

	if (l == RB_LIST_DNS || rb_entry_is_uuid(arg))
		return arg;
	if ((req = json_pack("{s:s}", "domain", arg)) == NULL) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		return NULL;
	}
	/* The validator add uses: the same spelling, so the same key. */
	r = l == RB_LIST_BLACKLIST ? rb_entry_block(req, &entry, e) :
	                             rb_entry_allow(req, &entry, e);
	json_decref(req);
	if (r < 0)
		return NULL;
	rb_store_key(c, entry, key, sizeof key);
	json_decref(entry);
	if ((found = rb_store_id_of(&t->store, c, key)) == NULL) {
		rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
		    "no entry for domain %s", key);
		return NULL;
	}
	snprintf(id, len, "%s", found); /* found is borrowed until a change */
	return id;
}

static int
do_write(const char *root, enum rb_list l, const char *cmd, int argc,
    char **argv)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	json_t *req = NULL, *resp = NULL;
	const char *id;
	char idbuf[37];
	int r;

	if (strcmp(cmd, "add") == 0) {
		req = add_request(l, argc, argv, &e);
		if (req == NULL)
			return e.code ? fail(&e) : usage(l);
	} else if (argc != 1) {
		return usage(l);
	}
	if (rb_txn_begin(&t, root, &e) < 0) {
		json_decref(req);
		return fail(&e);
	}
	if (req != NULL)
		r = rb_lists_add(&t, l, req, &resp, &e);
	else if ((id = del_id(&t, l, argv[0], idbuf, sizeof idbuf, &e)) == NULL)
		r = -1;
	else
		r = rb_lists_delete(&t, l, id, &resp, &e);
	json_decref(req);
	if (r == 0)
		r = rb_txn_commit(&t, &e);
	rb_txn_end(&t);
	if (r < 0) {
		json_decref(resp);
		return fail(&e);
	}
	return print_json(resp);
}

/* One import line; ALREADY_EXISTS is counted, not fatal. */
static int
import_line(struct rb_txn *t, enum rb_list l, const char *line, size_t len,
    long *skipped, struct rb_err *e)
{
	json_error_t jerr;
	json_t *req = json_loadb(line, len, 0, &jerr);
	int r;

	if (req == NULL)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_REQUEST", "%s",
		    jerr.text);
	r = rb_lists_add(t, l, req, NULL, e);
	json_decref(req);
	if (r < 0 && strcmp(e->code, "ALREADY_EXISTS") == 0) {
		(*skipped)++;
		return 0;
	}
	return r;
}

static int
do_import(const char *root, enum rb_list l, int argc, char **argv)
{
	struct rb_err e = { 0 };
	struct rb_txn t;
	FILE *f = stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0, added = 0, skipped = 0;
	int r = 0, printed = 0;

	if (argc > 1)
		return usage(l);
	if (argc == 1 && strcmp(argv[0], "-") != 0 &&
	    (f = fopen(argv[0], "r")) == NULL) {
		rb_error("unable to open %s: %s", argv[0], strerror(errno));
		return 100;
	}
	if (rb_txn_begin(&t, root, &e) < 0) {
		if (f != stdin)
			fclose(f);
		return fail(&e);
	}
	while (r == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)n)
			continue;
		r = import_line(&t, l, line, (size_t)n, &skipped, &e);
		added += r == 0;
	}
	added -= skipped;
	/* A slave refuses every line alike: that is the root's failure, said
	 * once below, not the first line's. */
	if (r < 0 && e.kind != RB_ERR_READ_ONLY) {
		rb_error("line %ld: %s: %s", lineno, e.code, e.details);
		printed = 1;
	} else if (r == 0 && ferror(f)) {
		r = rb_err_set(&e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "read error");
	} else if (r == 0) {
		r = rb_txn_commit(&t, &e);
	}
	/* Committed, the lock and the memory may as well go with the
	 * process: freeing a bulk's objects one by one costs a sixth of
	 * the import. */
	if (r == 0)
		exit(print_json(
		    json_pack("{s:s, s:I, s:I}", "status", "ok", "imported",
		        (json_int_t)added, "skipped", (json_int_t)skipped)));
	rb_txn_end(&t);
	free(line);
	if (f != stdin)
		fclose(f);
	return printed ? rb_err_exit_code(&e) : fail(&e);
}

int
rb_listcmd_main(int argc, char **argv, enum rb_list l)
{
	const char *opt_root = NULL;
	char root[RB_PATH_MAX];
	struct rb_err e = { 0 };
	int c;

	/* Bulk JSON work frees many small objects between large allocations;
	 * glibc's fastbin consolidation then costs a fifth of an import
	 * (measured: 0.87 s -> 0.72 s for 100,000 lines without fastbins). */
	(void)mallopt(M_MXFAST, 0);
	while ((c = rb_usage_getopt(argc, argv, "+d:h")) != -1) {
		switch (c) {
		case 'd':
			opt_root = optarg;
			break;
		case 'h':
			return rb_usage_print(usage_text[l], 1);
		default:
			return usage(l);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage(l);
	if (rb_command_root(opt_root, root, sizeof root, &e) < 0)
		return fail(&e);
	if (strcmp(argv[0], "list") == 0) {
		if (argc != 1)
			return usage(l);
		char *text;
		size_t len;

		if (rb_lists_list(root, l, &text, &len, &e) < 0)
			return fail(&e);
		return print_text(text, len);
	}
	if (rb_command_as_owner(root, &e) < 0)
		return fail(&e);
	if (strcmp(argv[0], "import") == 0)
		return do_import(root, l, argc - 1, argv + 1);
	if (strcmp(argv[0], "add") == 0 || strcmp(argv[0], "del") == 0)
		return do_write(root, l, argv[0], argc - 1, argv + 1);
	return usage(l);
}
