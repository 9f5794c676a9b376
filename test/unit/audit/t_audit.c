/* Unit tests for the audit log: key decoding and precedence, the MAC and
 * chain against values computed independently (Python's hmac), line
 * format round trips, the verifier on each kind of tampering, and the
 * writer's recovery (torn line, cursor, spool names, rotation). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/files.h"
#include "audit/key.h"
#include "audit/line.h"
#include "audit/source.h"
#include "audit/spool.h"
#include "audit/verify.h"
#include "audit/writer.h"
#include "base/hex.h"
#include "sys/atomic.h"
#include "sys/file.h"

#include "../../tap.h"

#define HEXKEY \
	"000102030405060708090a0b0c0d0e0f" \
	"101112131415161718191a1b1c1d1e1f"

static struct rb_audit_key key;

static void
test_key(const char *root)
{
	struct rb_audit_key k;
	struct rb_err e = { 0 };
	char path[600];
	struct stat st;

	ok(rb_audit_key_decode(&k, HEXKEY, 64) == 0 && k.hex && k.len == 32 &&
	        k.key[31] == 0x1f,
	    "64 hex digits are 32 bytes");
	ok(rb_audit_key_decode(&k, HEXKEY, 62) == 0 && !k.hex && k.len == 62,
	    "31 bytes of hex is too short for hex: raw bytes");
	ok(rb_audit_key_decode(&k, "xyz", 3) == 0 && !k.hex && k.len == 3 &&
	        memcmp(k.key, "xyz", 3) == 0,
	    "other text is its raw bytes");
	ok(rb_audit_key_decode(&k, "", 0) < 0, "empty key refused");
	setenv("RUNBOUND_AUDIT_HMAC_KEY", HEXKEY, 1);
	ok(rb_audit_key_load(&k, root, "conf key", 0, &e) == 0 &&
	        k.source == RB_AUDIT_KEY_ENV && k.len == 32,
	    "env first");
	unsetenv("RUNBOUND_AUDIT_HMAC_KEY");
	ok(rb_audit_key_load(&k, root, "conf key", 0, &e) == 0 &&
	        k.source == RB_AUDIT_KEY_CONF && k.len == 8,
	    "then the conf");
	ok(rb_audit_key_load(&k, root, NULL, 0, &e) < 0 &&
	        strcmp(e.code, "NO_KEY") == 0,
	    "no key and no create: NO_KEY");
	ok(rb_audit_key_load(&k, root, NULL, 1, &e) == 0 &&
	        k.source == RB_AUDIT_KEY_NEW && k.len == 32 && k.hex,
	    "generated: 32 bytes");
	snprintf(path, sizeof path, "%s/audit/hmac.key", root);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	        st.st_size == 65,
	    "hmac.key is 64 hex digits, mode 0600");
	{
		struct rb_audit_key k2;

		ok(rb_audit_key_load(&k2, root, NULL, 0, &e) == 0 &&
		        k2.source == RB_AUDIT_KEY_FILE && k2.len == 32 &&
		        memcmp(k2.key, k.key, 32) == 0,
		    "read back the same");
	}
	rb_audit_key_wipe(&k);
}

static void
test_mac(void)
{
	static const char f[] = "{\"name\":\"nas.home.\",\"type\":\"A\","
	                        "\"value\":\"192.168.1.10\"}";
	unsigned char m[32], c[32];
	struct rb_audit_key raw;
	char hex[65];

	rb_audit_line_mac(&key, 42, 1715000123, "dns_add", f, strlen(f), m);
	rb_hex_encode(m, RB_AUDIT_HASH, hex);
	is_str(hex,
	    "cb74893cd613d336d7784539890eec4c"
	    "4e26e91c02ed6048bd6057cdcb8612d4",
	    "Runbound's mac");
	rb_audit_line_chain(&key, rb_audit_line_genesis, m, "rb-auditd", c);
	rb_hex_encode(c, RB_AUDIT_HASH, hex);
	is_str(hex,
	    "bd0695cc51b6c22b72f0ac209edf3e73"
	    "f40392ea9046b25d3009ff35cb626001",
	    "chain from genesis");
	rb_audit_key_decode(&raw, "short raw key", 13);
	rb_audit_line_mac(&raw, 1, 5, "startup", "{}", 2, m);
	rb_hex_encode(m, RB_AUDIT_HASH, hex);
	is_str(hex,
	    "52bbed3840a4b2ee17dd94e0416bf1fa"
	    "0d4e7ceb1f297c01671e6af79d7bdb40",
	    "raw key mac");
}

static void
test_format(void)
{
	json_t *f = json_pack("{s:s, s:s, s:s}", "name", "nas.home.", "type",
	    "A", "value", "192.168.1.10");
	unsigned char mac[32], chain[32];
	struct rb_audit_entry e;
	const char *why;
	size_t len = 0;
	char *line = rb_audit_line_format(&key, 42, 1715000123, "dns_add", f,
	    "journal:e:7", rb_audit_line_genesis, mac, chain, &len);

	ok(line != NULL && line[len - 1] == '\n', "formatted");
	is_str(strstr(line, "\"mac\"") ? "" : line, "", "has a mac");
	ok(rb_audit_line_parse(line, len - 1, &e, &why) == 0, "parses");
	ok(e.seq == 42 && e.ts == 1715000123 &&
	        strcmp(e.event, "dns_add") == 0 &&
	        strcmp(e.src, "journal:e:7") == 0 && e.has_chain &&
	        memcmp(e.mac, mac, 32) == 0 && memcmp(e.chain, chain, 32) == 0,
	    "fields round trip");
	ok(e.fields_len == 54 &&
	        memcmp(e.fields,
	            "{\"name\":\"nas.home.\","
	            "\"type\":\"A\",\"value\":\"192.168.1.10\"}",
	            54) == 0,
	    "the fields span is the compact text, key order kept");
	free(line);
	json_decref(f);
	ok(rb_audit_line_format(&key, 1, 1, "Bad", NULL, "",
	       rb_audit_line_genesis, NULL, NULL, &len) == NULL,
	    "bad event name refused");
	{
		char *big = calloc(1, RB_AUDIT_LINE_MAX);
		json_t *bf;

		memset(big, 'a', RB_AUDIT_LINE_MAX - 1);
		bf = json_pack("{s:s}", "x", big);
		errno = 0;
		ok(rb_audit_line_format(&key, 1, 1, "x", bf, "",
		       rb_audit_line_genesis, NULL, NULL, &len) == NULL &&
		        errno == EMSGSIZE,
		    "a line over RB_AUDIT_LINE_MAX is refused (EMSGSIZE)");
		json_decref(bf);
		free(big);
	}
	ok(rb_audit_line_format(&key, 1, 1, "x", NULL, "a\"b",
	       rb_audit_line_genesis, NULL, NULL, &len) == NULL,
	    "bad src refused");
}

static int
bad(const char *line)
{
	struct rb_audit_entry e;
	const char *why;

	return rb_audit_line_parse(line, strlen(line), &e, &why) < 0;
}

#define H64 "0000000000000000000000000000000000000000000000000000000000000000"

static void
test_parse(void)
{
	ok(!bad("{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
	        "\"" H64 "\"}"),
	    "Runbound's line (no src, no chain) parses");
	ok(bad("{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
	       "\"" H64 "\",\"more\":1}"),
	    "unknown key");
	ok(bad("{\"seq\":1,\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},"
	       "\"mac\":\"" H64 "\"}"),
	    "duplicate key");
	ok(bad("{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":[],\"mac\":"
	       "\"" H64 "\"}"),
	    "fields not an object");
	ok(bad("{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":\""
	       "00\"}"),
	    "short mac");
	ok(bad("{\"seq\":-1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
	       "\"" H64 "\"}"),
	    "negative seq");
	ok(bad("{\"seq\":1,\"ts\":2,\"event\":\"x\",\"f\\u0069elds\":{},"
	       "\"mac\":\"" H64 "\"}"),
	    "escaped fields key");
	ok(bad("[1,2]") && bad("") && bad("{\"seq\":1"), "not an object");
}

/* Is line (NUL-terminated) parsed and in the one line form? */
static int
canonical(const char *line)
{
	struct rb_audit_entry e;
	const char *why;

	return rb_audit_line_parse(line, strlen(line), &e, &why) == 0 &&
	    rb_audit_line_canonical(line, strlen(line), &e);
}

static void
test_canonical(void)
{
	static const char *const other[] = {
		"{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
		"\"" H64 "\"}\r",
		"{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
		"\"" H64 "\"} ",
		" {\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
		"\"" H64 "\"}",
		"{\"seq\": 1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
		"\"" H64 "\"}",
		"{\"seq\":1, \"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
		"\"" H64 "\"}",
		"{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\": {},\"mac\":"
		"\"" H64 "\"}",
		"{\"ts\":2,\"seq\":1,\"event\":\"x\",\"fields\":{},\"mac\":"
		"\"" H64 "\"}",
		"{\"s\\u0065q\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},"
		"\"mac\":\"" H64 "\"}",
		"{\"seq\":1,\"ts\":2,\"event\":\"\\u0078\",\"fields\":{},"
		"\"mac\":\"" H64 "\"}",
		"{\"seq\":1,\"ts\":-0,\"event\":\"x\",\"fields\":{},\"mac\":"
		"\"" H64 "\"}",
		"{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"src\":"
		"\"a\",\"mac\":\"" H64 "\"}",
		"{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"mac\":"
		"\"" H64 "\",\"chain\":\"" H64 "\"}",
		"{\"seq\":1,\"ts\":2,\"event\":\"x\",\"fields\":{},\"src\":"
		"\"a\",\"chain\":\"" H64 "\",\"mac\":\"" H64 "\"}",
	};
	json_t *f = json_pack("{s:s}", "name", "nas.home.");
	size_t len = 0, bad_ones = 0;
	char *line = rb_audit_line_format(&key, 7, -3, "dns_add", f, "s",
	    rb_audit_line_genesis, NULL, NULL, &len);

	ok(line != NULL && (line[len - 1] = '\0', canonical(line)),
	    "what rb_audit_line_format writes is the one line form");
	free(line);
	json_decref(f);
	ok(canonical(
	       "{\"seq\":0,\"ts\":2,\"event\":\"x\",\"fields\":{ \"a\" : 1 "
	       "},\"mac\":\"" H64 "\"}"),
	    "Runbound's form; the fields text is the mac's to check");
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		if (canonical(other[i])) {
			diag("taken as written: %s", other[i]);
			bad_ones++;
		}
	}
	is_int((long)bad_ones, 0,
	    "the same entry spelled otherwise is not the line as written");
}

/* A log of n lines built with the real formatter, into buf. */
static size_t
build_log(char *buf, size_t cap, int n)
{
	unsigned char chain[32];
	size_t off = 0;

	memcpy(chain, rb_audit_line_genesis, 32);
	for (int i = 1; i <= n; i++) {
		json_t *f = json_pack("{s:i}", "i", i);
		size_t len;
		char src[64], *line;

		snprintf(src, sizeof src, "journal:ep:%d", i);
		line = rb_audit_line_format(&key, (uint64_t)i, 1000 + i,
		    "dns_add", f, src, chain, NULL, chain, &len);
		json_decref(f);
		if (line == NULL || off + len > cap)
			bail("build_log");
		memcpy(buf + off, line, len);
		off += len;
		free(line);
	}
	return off;
}

/* Verify text (lines), with an optional head; returns the first bad seq
 * or 0 when intact. */
static unsigned long long
verify_text(const char *text, size_t len, const char *head,
    const struct rb_audit_key *k)
{
	static struct rb_audit_verify v;

	rb_audit_verify_init(&v, k);
	if (head != NULL && rb_audit_verify_set_head(&v, head) < 0)
		bail("head");
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = (size_t)(nl - (text + off));

		rb_audit_verify_line(&v, text + off, n);
		off += n + 1;
	}
	return rb_audit_verify_end(&v) ? v.first_bad : 0;
}

/* Offsets of the starts of the lines of text. */
static size_t
line_at(const char *text, int i)
{
	size_t off = 0;

	while (i-- > 1)
		off = (size_t)(strchr(text + off, '\n') - text) + 1;
	return off;
}

static void
test_verify(void)
{
	static char log[65536], t[65536];
	size_t len = build_log(log, sizeof log, 10), a, b, c;
	struct rb_audit_key wrong;
	char head[100], *p;

	is_int(verify_text(log, len, NULL, &key), 0, "intact");
	/* edit a field of seq 4 */
	memcpy(t, log, len);
	p = strstr(t + line_at(t, 4), "\"i\":4");
	p[4] = '9';
	is_int(verify_text(t, len, NULL, &key), 4, "edited field: seq 4");
	/* delete line 6 */
	a = line_at(log, 6);
	b = line_at(log, 7);
	memcpy(t, log, a);
	memcpy(t + a, log + b, len - b);
	is_int(verify_text(t, len - (b - a), NULL, &key), 6,
	    "deleted line: seq 6");
	/* swap lines 3 and 4 */
	a = line_at(log, 3);
	b = line_at(log, 4);
	c = line_at(log, 5);
	memcpy(t, log, len);
	memcpy(t + a, log + b, c - b);
	memcpy(t + a + (c - b), log + a, b - a);
	is_int(verify_text(t, len, NULL, &key), 3, "reordered: seq 3");
	/* truncate after 7, head recorded at 10 */
	{
		struct rb_audit_entry e;
		const char *why;
		char hex[65];
		size_t l10 = line_at(log, 10);

		rb_audit_line_parse(log + l10, len - l10 - 1, &e, &why);
		rb_hex_encode(e.chain, RB_AUDIT_HASH, hex);
		snprintf(head, sizeof head, "10:%s", hex);
	}
	is_int(verify_text(log, len, head, &key), 0, "intact with its head");
	is_int(verify_text(log, line_at(log, 8), NULL, &key), 0,
	    "truncation without a head goes unseen");
	is_int(verify_text(log, line_at(log, 8), head, &key), 8,
	    "truncated: seq 8 against the head");
	head[3] = head[3] == '0' ? '1' : '0';
	is_int(verify_text(log, len, head, &key), 10, "a wrong head: seq 10");
	/* the first line removed */
	a = line_at(log, 2);
	is_int(verify_text(log + a, len - a, NULL, &key), 1,
	    "first line removed: seq 1");
	rb_audit_key_decode(&wrong, "not the key", 11);
	is_int(verify_text(log, len, NULL, &wrong), 1, "wrong key: seq 1");
	/* a line replaced by garbage */
	memcpy(t, log, len);
	t[line_at(t, 5)] = 'x';
	is_int(verify_text(t, len, NULL, &key), 5, "garbage line: seq 5");
}

static void
test_src(void)
{
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", "u1", "name",
	    "a.", "type", "A", "value", "1.2.3.4", "ttl", 60);
	json_t *out = rb_audit_source_fields("dns_add", in);
	char *s = json_dumps(out, JSON_COMPACT), ev[65];
	const char *why;
	int64_t ts;

	is_str(s, "{\"name\":\"a.\",\"type\":\"A\",\"value\":\"1.2.3.4\"}",
	    "dns_add keeps Runbound's fields in order");
	free(s);
	json_decref(out);
	json_object_set_new(in, "list", json_pack("[i]", 1));
	out = rb_audit_source_fields("sync_full", in);
	ok(json_object_size(out) == 5 && !json_object_get(out, "list"),
	    "others keep scalar members");
	json_decref(out);
	json_decref(in);
	out = rb_audit_source_fields("config_reload", NULL);
	ok(json_is_object(out) && json_object_size(out) == 0,
	    "config_reload {}");
	json_decref(out);
	ok(rb_audit_spool_parse("{\"ts\":5,\"event\":\"auth_failure\","
	                        "\"fields\":{\"path\":\"/dns\"}}",
	       56, &ts, ev, &out, &why) == 0 &&
	        ts == 5 && strcmp(ev, "auth_failure") == 0,
	    "spool file parsed");
	json_decref(out);
	ok(rb_audit_spool_parse("{\"ts\":5,\"event\":\"log_rotate\"}", 30, &ts,
	       ev, &out, &why) < 0,
	    "reserved event refused");
	ok(rb_audit_spool_parse("{\"ts\":5}", 8, &ts, ev, &out, &why) < 0,
	    "no event refused");
	ok(rb_audit_spool_name_ok("0001-2-3.json") &&
	        !rb_audit_spool_name_ok(".0001.json.tmp.5") &&
	        !rb_audit_spool_name_ok("a/b.json") &&
	        !rb_audit_spool_name_ok("x.txt"),
	    "spool names");
}

static int
verify_dir(const char *dir, unsigned long long *entries)
{
	static struct rb_audit_verify v;
	char **names = NULL, path[700];
	size_t n = 0;
	int r;

	rb_audit_verify_init(&v, &key);
	if (rb_audit_files(dir, &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		rb_audit_verify_file(&v, path, "f", i + 1 == n);
	}
	rb_audit_files_free(names, n);
	r = rb_audit_verify_end(&v);
	if (r)
		diag("first bad %llu: %s", (unsigned long long)v.first_bad,
		    v.problems[0].reason);
	*entries = v.entries;
	return r;
}

static int
add3(struct rb_audit_writer *w, int base)
{
	char src[64];
	json_t *f = json_pack("{s:i}", "n", base);
	int r = 0;

	r |= rb_audit_writer_add(w, 1, "startup", NULL, "rb-auditd");
	snprintf(src, sizeof src, "journal:E1:%d", base);
	r |= rb_audit_writer_add(w, 2, "dns_add", f, src);
	snprintf(src, sizeof src, "spool:%04d-1-1.json", base);
	r |= rb_audit_writer_add(w, 3, "auth_failure", f, src);
	json_decref(f);
	return r;
}

static void
test_writer(const char *root)
{
	struct rb_audit_writer w, w2;
	struct rb_err e = { 0 };
	struct rb_audit_key wrong;
	char dir[600], path[700], old[700];
	unsigned long long n = 0;
	FILE *fp;

	snprintf(dir, sizeof dir, "%s/audit", root);
	ok(rb_audit_writer_open(&w, root, &key, 0, &e) == 0 && w.seq == 0,
	    "open a new log");
	ok(rb_audit_writer_open(&w2, root, &key, 0, &e) < 0 &&
	        strcmp(e.code, "LOCKED") == 0,
	    "a second writer is locked out");
	ok(add3(&w, 5) == 0 && rb_audit_writer_commit(&w, &e) == 0 &&
	        w.seq == 3,
	    "three events committed");
	rb_audit_writer_close(&w);
	ok(rb_audit_writer_open(&w, root, &key, 0, &e) == 0 && w.seq == 3 &&
	        strcmp(w.epoch, "E1") == 0 && w.jseq == 5 &&
	        rb_audit_writer_consumed(&w, "0005-1-1.json") &&
	        !rb_audit_writer_consumed(&w, "0004-1-1.json"),
	    "reopened: seq, journal cursor and spool names read back");
	rb_audit_writer_close(&w);
	snprintf(path, sizeof path, "%s/audit.log", dir);
	if ((fp = fopen(path, "a")) == NULL)
		bail("fopen");
	fputs("{\"seq\":4,\"ts\":1,\"ev", fp);
	fclose(fp);
	ok(rb_audit_writer_open(&w, root, &key, 0, &e) == 0 && w.seq == 3 &&
	        w.truncated == 19,
	    "a torn line is cut (19 bytes)");
	rb_audit_writer_close(&w);
	rb_audit_key_decode(&wrong, "wrong", 5);
	ok(rb_audit_writer_open(&w, root, &wrong, 0, &e) < 0 &&
	        strcmp(e.code, "KEY_MISMATCH") == 0,
	    "another key is refused");
	/* rotation every ~1 KiB */
	ok(rb_audit_writer_open(&w, root, &key, 1024, &e) == 0, "reopen");
	for (int i = 0; i < 10; i++) {
		if (add3(&w, 10 + i) < 0 ||
		    rb_audit_writer_commit(&w, &e) < 0 ||
		    rb_audit_writer_rotate(&w, &e) < 0)
			bail("rotation run");
	}
	ok(w.seq > 33, "rotations add log_rotate lines (seq %llu)",
	    (unsigned long long)w.seq);
	ok(verify_dir(dir, &n) == 0 && n == w.seq, "all files verify");
	/* a crash between the rename and log_rotate */
	snprintf(old, sizeof old, "%s/audit.log.%020llu", dir,
	    (unsigned long long)w.file_first);
	rb_audit_writer_close(&w);
	if (rename(path, old) < 0)
		bail("rename");
	ok(rb_audit_writer_open(&w, root, &key, 1024, &e) == 0 &&
	        strcmp(w.epoch, "E1") == 0 && w.jseq == 19,
	    "a cut rotation is completed");
	ok(verify_dir(dir, &n) == 0 && n == w.seq, "and verifies");
	rb_audit_writer_close(&w);
}

int
main(void)
{
	char root[256], cmd[300];

	snprintf(root, sizeof root, "/tmp/t_audit.%d", (int)getpid());
	if (rb_file_mkdirs(root, 0755) < 0)
		bail("mkdir");
	unsetenv("RUNBOUND_AUDIT_HMAC_KEY");
	rb_audit_key_decode(&key, HEXKEY, 64);
	test_key(root);
	test_mac();
	test_format();
	test_parse();
	test_canonical();
	test_verify();
	test_src();
	snprintf(cmd, sizeof cmd, "rm -rf %s/audit", root);
	if (system(cmd) != 0)
		bail("rm");
	test_writer(root);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	done_testing();
	return exit_status();
}
