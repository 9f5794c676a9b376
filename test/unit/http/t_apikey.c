/* Unit tests for lib/http/apikey: sources, vetting, comparison, persistence. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/apikey.h"
#include "http/status.h"
#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

static void
write_key(const char *root, const char *text)
{
	char path[300];

	snprintf(path, sizeof path, "%s/api.key", root);
	if (rb_atomic_replace(path, text, strlen(text), 0600) < 0)
		bail("write api.key");
}

static void
sources(const char *root)
{
	struct rb_apikey k;
	struct rb_err e = { 0 };
	char path[300];
	struct stat st;

	unsetenv("RUNBOUND_API_KEY");
	ok(rb_apikey_load(&k, root, &e) == 0, "no key: generated");
	is_int(k.source, RB_APIKEY_NEW, "source NEW");
	is_int((long)k.len, 64, "64 hex characters");
	snprintf(path, sizeof path, "%s/api.key", root);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "api.key written 0600");
	write_key(root, "file-key-0123456789-0123456789-0123\n");
	ok(rb_apikey_load(&k, root, &e) == 0, "file key");
	is_str(k.key, "file-key-0123456789-0123456789-0123", "newline trimmed");
	is_int(k.source, RB_APIKEY_FILE, "source FILE");
	is_int(k.loose_mode, 0, "0600 is not loose");
	chmod(path, 0644);
	ok(rb_apikey_load(&k, root, &e) == 0 && k.loose_mode,
	    "0644 reported loose");
	write_key(root, "crlf-key\r\n");
	ok(rb_apikey_load(&k, root, &e) == 0 && strcmp(k.key, "crlf-key") == 0,
	    "CR LF trimmed");
	write_key(root, "\n");
	ok(rb_apikey_load(&k, root, &e) < 0, "empty file refused");
	is_str(e.code, "INVALID_KEY", "INVALID_KEY");
	write_key(root, "two\nlines");
	ok(rb_apikey_load(&k, root, &e) < 0, "inner newline refused");
	setenv("RUNBOUND_API_KEY", "env-key", 1);
	ok(rb_apikey_load(&k, root, &e) == 0 && strcmp(k.key, "env-key") == 0,
	    "environment wins over the file");
	is_int(k.source, RB_APIKEY_ENV, "source ENV");
	setenv("RUNBOUND_API_KEY", "", 1);
	ok(rb_apikey_load(&k, root, &e) < 0, "empty environment key refused");
	unsetenv("RUNBOUND_API_KEY");
}

static void
vetting(void)
{
	struct rb_err e = { 0 };
	char big[RB_APIKEY_MAX + 2];
	const char *k32 = "0123456789abcdef0123456789abcdef";

	ok(rb_apikey_check(k32, 32, &e) == 0, "32 characters");
	ok(rb_apikey_check(k32, 31, &e) < 0, "31 characters");
	is_str(e.code, "WEAK_KEY", "WEAK_KEY");
	is_int(rb_http_status(&e), 400, "400");
	ok(rb_apikey_check("0123456789abcdef0123456789abcde\x7f", 32, &e) < 0,
	    "DEL");
	is_str(e.code, "INVALID_KEY", "INVALID_KEY");
	ok(rb_apikey_check("0123456789abcdef\n0123456789abcde", 32, &e) < 0,
	    "newline");
	ok(rb_apikey_check("0123456789abcdef\xc3\xa9"
	                   "0123456789abcd",
	       32, &e) < 0,
	    "non-ASCII");
	ok(rb_apikey_check("0123456789 abcdef0123456789abcde", 32, &e) == 0,
	    "a space is printable");
	memset(big, 'k', sizeof big);
	ok(rb_apikey_check(big, RB_APIKEY_MAX + 1, &e) < 0, "over the max");
}

static void
matching(void)
{
	struct rb_apikey k = { 0 };

	ok(!rb_apikey_match(&k, "", 0), "an empty key matches nothing");
	rb_apikey_set(&k, "secret-key", 10);
	ok(rb_apikey_match(&k, "secret-key", 10), "equal");
	ok(!rb_apikey_match(&k, "secret-kex", 10), "last byte differs");
	ok(!rb_apikey_match(&k, "secret-ke", 9), "prefix");
	ok(!rb_apikey_match(&k, "secret-key!", 11), "longer");
	ok(!rb_apikey_match(&k, "", 0), "empty token");
	rb_apikey_set(&k, "new", 3);
	ok(!rb_apikey_match(&k, "secret-key", 10), "old key dead after set");
	ok(rb_apikey_match(&k, "new", 3), "new key");
	rb_apikey_wipe(&k);
	is_int((long)k.len, 0, "wiped");
}

int
main(void)
{
	char root[256], cmd[300];
	struct rb_apikey k;
	struct rb_err e = { 0 };

	snprintf(root, sizeof root, "/tmp/t_apikey.%d", (int)getpid());
	if (rb_file_mkdirs(root, 0700) < 0)
		bail("mkdir");
	sources(root);
	vetting();
	matching();
	ok(rb_apikey_save(root, "saved-key", 9, &e) == 0, "save");
	ok(rb_apikey_load(&k, root, &e) == 0 && strcmp(k.key, "saved-key") == 0,
	    "saved key loads");
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	done_testing();
	return exit_status();
}
