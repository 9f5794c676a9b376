/*
 * rb-audit: the audit log from the shell (doc/rb-audit.md).  tail prints
 * the newest entries as GET /audit/tail does; head prints the newest seq,
 * mac and chain, to record somewhere an attacker cannot reach; verify
 * checks every mac, the seqs, the chain across files and optionally a
 * recorded head.  JSON on stdout; exit 0 intact, 1 tampered, 100 usage,
 * no key or no log to verify, 111 I/O errors (doc/exit-codes.md).  A root
 * without a log yet reads as an empty log: tail has no lines, head is
 * the genesis.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/files.h"
#include "audit/key.h"
#include "audit/line.h"
#include "audit/verify.h"
#include "base/hex.h"
#include "base/log.h"
#include "base/path.h"
#include "prog/command.h"
#include "prog/usage.h"
#include "state/txn.h"
#include "sys/root.h"

#define TAIL_DEFAULT 100
#define TAIL_MAX 1000

static const char usage_text[] =
    "usage: rb-audit [-d ROOT] tail [-n N]\n"
    "       rb-audit [-d ROOT] head\n"
    "       rb-audit [-d ROOT] verify [--head SEQ:CHAIN] [FILE...]\n";

static int
usage(void)
{
	return rb_usage_print(usage_text, 0);
}

static int
print_json(json_t *j)
{
	int r = j ? json_dumpf(j, stdout, JSON_COMPACT) : -1;

	json_decref(j);
	if (r < 0 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		rb_error("unable to write output: %s", strerror(errno));
		return 111;
	}
	return 0;
}

static int
cmd_tail(const char *root, int argc, char **argv)
{
	char dir[RB_PATH_MAX], *end;
	struct rb_err e = { 0 };
	long n = TAIL_DEFAULT, bad = 0;
	json_t *lines;
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n')
			return usage();
		errno = 0;
		n = strtol(optarg, &end, 10);
		if (errno != 0 || *optarg == '\0' || *end != '\0' || n < 1)
			return usage();
	}
	if (optind != argc)
		return usage();
	if (n > TAIL_MAX)
		n = TAIL_MAX;
	rb_path(dir, sizeof dir, "%s/audit", root); /* fits: sys/root.h */
	lines = rb_audit_files_tail(dir, n, &bad, &e);
	if (lines == NULL && e.kind == RB_ERR_NOT_FOUND)
		lines = json_array(); /* no log yet: no lines, as head says */
	if (lines == NULL) {
		rb_error("%s: %s", e.code ? e.code : "INTERNAL_ERROR",
		    e.code ? e.details : "out of memory");
		return 111;
	}
	if (bad > 0)
		rb_warn("%ld lines of the audit log are not JSON", bad);
	return print_json(json_pack("{s:o, s:I}", "lines", lines, "count",
	    (json_int_t)json_array_size(lines)));
}

static int
cmd_head(const char *root, int argc, char **argv)
{
	char dir[RB_PATH_MAX], hex[2 * RB_AUDIT_HASH + 1];
	struct rb_err e = { 0 };
	json_t *lines, *last, *out;

	if (argc != 1)
		return usage();
	rb_path(dir, sizeof dir, "%s/audit", root); /* fits: sys/root.h */
	if ((lines = rb_audit_files_tail(dir, 1, NULL, &e)) == NULL &&
	    e.kind != RB_ERR_NOT_FOUND) {
		rb_error("%s: %s", e.code, e.details);
		return 111;
	}
	if ((last = json_array_get(lines, 0)) == NULL) {
		rb_hex_encode(rb_audit_line_genesis, RB_AUDIT_HASH, hex);
		out = json_pack("{s:i, s:n, s:s}", "seq", 0, "mac", "chain",
		    hex);
	} else {
		out = json_pack("{s:O, s:O, s:O*}", "seq",
		    json_object_get(last, "seq"), "mac",
		    json_object_get(last, "mac"), "chain",
		    json_object_get(last, "chain"));
	}
	json_decref(lines);
	return print_json(out);
}

/* Verify the named files, or every file of root/audit in chain order;
 * then *names (freed by the caller with rb_audit_files_free, after the
 * report that borrows them) holds the latter's names.  Returns 0, 100
 * when there is no log to verify (nothing proves it intact) or 111 when a
 * file cannot be read. */
static int
verify_files(struct rb_audit_verify *v, const char *root, char **files,
    int nfiles, char ***names, size_t *n)
{
	char dir[RB_PATH_MAX], path[RB_PATH_MAX];
	int r = 0;

	for (int i = 0; i < nfiles; i++) {
		const char *base = strrchr(files[i], '/');

		if (rb_audit_verify_file(v, files[i],
		        base ? base + 1 : files[i], i + 1 == nfiles) < 0) {
			rb_error("unable to read %s: %s", files[i],
			    strerror(errno));
			return errno == ENOENT ? 100 : 111;
		}
	}
	if (nfiles > 0)
		return 0;
	rb_path(dir, sizeof dir, "%s/audit", root); /* fits: sys/root.h */
	if (rb_audit_files(dir, names, n) < 0 && errno != ENOENT) {
		rb_error("unable to list %s: %s", dir, strerror(errno));
		return 111;
	}
	if (*n == 0 && v->head_seq == 0) {
		rb_error("no audit log in %s", dir);
		return 100;
	}
	for (size_t i = 0; r == 0 && i < *n; i++) {
		rb_path(path, sizeof path, "%s/%s", dir, (*names)[i]);
		if (rb_audit_verify_file(v, path, (*names)[i], i + 1 == *n) <
		    0) {
			rb_error("unable to read %s: %s", path,
			    strerror(errno));
			r = 111;
		}
	}
	return r;
}

static int
cmd_verify(const char *root, int argc, char **argv)
{
	static struct rb_audit_verify v;
	struct rb_audit_key key;
	struct rb_err e = { 0 };
	struct rb_conf *conf;
	const char *head = NULL;
	char **names = NULL;
	size_t n = 0;
	int i = 1, tampered, code;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--head") != 0 || i + 1 >= argc)
			return usage();
		head = argv[++i];
	}
	if ((conf = rb_conf_load_root(root, &e)) == NULL) {
		rb_error("%s", e.details);
		return rb_err_exit_code(&e);
	}
	code = rb_audit_key_load(&key, root, conf->audit_log_hmac_key, 0, &e);
	rb_conf_free(conf);
	if (code < 0) {
		rb_error("%s: %s", e.code, e.details);
		return rb_err_exit_code(&e);
	}
	rb_audit_verify_init(&v, &key);
	if (head != NULL && rb_audit_verify_set_head(&v, head) < 0) {
		rb_error("--head wants SEQ:CHAIN (64 hex digits), as rb-audit "
		         "head prints");
		rb_audit_key_wipe(&key);
		return 100;
	}
	if ((code = verify_files(&v, root, argv + i, argc - i, &names, &n)) !=
	    0) {
		rb_audit_files_free(names, n);
		rb_audit_key_wipe(&key);
		return code;
	}
	tampered = rb_audit_verify_end(&v);
	rb_audit_key_wipe(&key);
	code = print_json(rb_audit_verify_report(&v));
	rb_audit_files_free(names, n);
	return code != 0 ? code : tampered;
}

int
main(int argc, char **argv)
{
	const char *opt_root = NULL;
	char root[RB_PATH_MAX];
	struct rb_err e = { 0 };
	int c;

	rb_log_init("rb-audit", 0);
	while ((c = rb_usage_getopt(argc, argv, "+d:h")) != -1) {
		if (c == 'h')
			return rb_usage_print(usage_text, 1);
		if (c != 'd')
			return usage();
		opt_root = optarg;
	}
	if (optind >= argc)
		return usage();
	if (rb_command_root(opt_root, root, sizeof root, &e) < 0) {
		rb_error("%s: %s", e.code, e.details);
		return rb_err_exit_code(&e);
	}
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "tail") == 0)
		return cmd_tail(root, argc, argv);
	if (strcmp(argv[0], "head") == 0)
		return cmd_head(root, argc, argv);
	if (strcmp(argv[0], "verify") == 0)
		return cmd_verify(root, argc, argv);
	return usage();
}
