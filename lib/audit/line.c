/*
 * line: the audit log's line format, shared by rb-auditd (which
 * writes it), rb-audit (which reads and verifies it) and rb-apid's
 * GET /audit/tail.
 *
 * A line is serialised once: the fields object becomes compact JSON text,
 * that exact text is MAC'd and copied into the line, so a verifier MACs
 * the bytes it reads and never re-serialises.  Reading is the reverse:
 * jansson validates the whole line (and rejects duplicate keys, which
 * would make "the fields value" ambiguous), then a bounded scanner finds
 * the raw span of the top-level fields value.  Lines come from a file an
 * attacker may have edited, so every read is bounded and every malformed
 * line is a clean error.
 *
 * Around the fields text a line has one spelling (head and tail below,
 * the same code for writing and for checking): JSON would also read it
 * with blanks, a CR, keys in another order or escaped characters, and a
 * verifier that accepted those would call intact a file whose bytes were
 * rewritten.  The MAC covers the fields text byte for byte, so that needs
 * no second check.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "audit/line.h"
#include "base/hex.h"

/* Room for the text before and after the fields text of a line. */
#define HEAD_MAX (64 + 2 * 21 + RB_AUDIT_EVENT_MAX)
#define TAIL_MAX (64 + RB_AUDIT_SRC_MAX + 4 * RB_AUDIT_HASH)

const unsigned char rb_audit_line_genesis[RB_AUDIT_HASH];

static void
le64(unsigned char *out, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(v >> (8 * i));
}

/* HMAC-SHA256 over the concatenation of n parts; -1 (EIO) when OpenSSL
 * fails, ENOMEM when the parts do not fit the stack buffer and malloc
 * fails.  One buffer and the one-shot HMAC(): no deprecated HMAC_CTX. */
static int
hmac_parts(const struct rb_audit_key *k, const void *const *p, const size_t *l,
    int n, unsigned char out[RB_AUDIT_HASH])
{
	unsigned char stack[2048], *buf = stack;
	size_t total = 0, off = 0;
	unsigned int outlen = 0;
	int ok;

	for (int i = 0; i < n; i++)
		total += l[i];
	if (total > sizeof stack && (buf = malloc(total)) == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		if (l[i] > 0)
			memcpy(buf + off, p[i], l[i]);
		off += l[i];
	}
	ok = HMAC(EVP_sha256(), k->key, (int)k->len, buf, total, out,
	         &outlen) != NULL &&
	    outlen == RB_AUDIT_HASH;
	if (buf != stack)
		free(buf);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
rb_audit_line_mac(const struct rb_audit_key *k, uint64_t seq, int64_t ts,
    const char *event, const char *fields, size_t flen,
    unsigned char out[RB_AUDIT_HASH])
{
	unsigned char head[16];
	const void *p[3] = { head, event, fields };
	size_t l[3] = { sizeof head, strlen(event), flen };

	le64(head, seq);
	le64(head + 8, (uint64_t)ts);
	return hmac_parts(k, p, l, 3, out);
}

int
rb_audit_line_chain(const struct rb_audit_key *k,
    const unsigned char prev[RB_AUDIT_HASH],
    const unsigned char mac[RB_AUDIT_HASH], const char *src,
    unsigned char out[RB_AUDIT_HASH])
{
	const void *p[3] = { prev, mac, src };
	size_t l[3] = { RB_AUDIT_HASH, RB_AUDIT_HASH, strlen(src) };

	return hmac_parts(k, p, l, 3, out);
}

int
rb_audit_line_event_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		        (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return 0;
	}
	return n >= 1 && n <= RB_AUDIT_EVENT_MAX;
}

int
rb_audit_line_src_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (s[n] < 0x20 || s[n] > 0x7e || s[n] == '"' || s[n] == '\\')
			return 0;
	}
	return n <= RB_AUDIT_SRC_MAX;
}

int
rb_audit_line_unhex(const char *s, unsigned char h[RB_AUDIT_HASH])
{
	/* One spelling only: lower case, exactly the digits of a hash. */
	if (strlen(s) != 2 * RB_AUDIT_HASH ||
	    !rb_hex_is_lower(s, 2 * RB_AUDIT_HASH))
		return -1;
	return rb_hex_decode(s, 2 * RB_AUDIT_HASH, h, RB_AUDIT_HASH) ==
	        RB_AUDIT_HASH ?
	    0 :
	    -1;
}

/* What a line holds before its fields text; its length, or -1. */
static int
head(char out[HEAD_MAX], uint64_t seq, int64_t ts, const char *event)
{
	int n = snprintf(out, HEAD_MAX,
	    "{\"seq\":%llu,\"ts\":%lld,\"event\":\"%s\",\"fields\":",
	    (unsigned long long)seq, (long long)ts, event);

	return n < 0 || n >= HEAD_MAX ? -1 : n;
}

/* What a line holds after its fields text, newline excluded: src, mac and
 * chain, or Runbound's mac alone when chain is NULL; its length, or -1. */
static int
tail(char out[TAIL_MAX], const char *src, const unsigned char *mac,
    const unsigned char *chain)
{
	char mhex[2 * RB_AUDIT_HASH + 1], chex[2 * RB_AUDIT_HASH + 1];
	int n;

	rb_hex_encode(mac, RB_AUDIT_HASH, mhex);
	if (chain == NULL) {
		n = snprintf(out, TAIL_MAX, ",\"mac\":\"%s\"}", mhex);
	} else {
		rb_hex_encode(chain, RB_AUDIT_HASH, chex);
		n = snprintf(out, TAIL_MAX,
		    ",\"src\":\"%s\",\"mac\":\"%s\",\"chain\":\"%s\"}", src,
		    mhex, chex);
	}
	return n < 0 || n >= TAIL_MAX ? -1 : n;
}

char *
rb_audit_line_format(const struct rb_audit_key *k, uint64_t seq, int64_t ts,
    const char *event, const json_t *fields, const char *src,
    const unsigned char prev[RB_AUDIT_HASH], unsigned char *mac,
    unsigned char *chain, size_t *len)
{
	unsigned char m[RB_AUDIT_HASH], c[RB_AUDIT_HASH];
	char h[HEAD_MAX], t[TAIL_MAX];
	char *ftext = NULL, *line = NULL;
	size_t flen, n;
	int hl, tl;

	if (!rb_audit_line_event_ok(event) || !rb_audit_line_src_ok(src)) {
		errno = EINVAL;
		return NULL;
	}
	ftext = fields != NULL ? json_dumps(fields, JSON_COMPACT) :
	                         strdup("{}");
	if (ftext == NULL || (fields != NULL && !json_is_object(fields))) {
		errno = ftext == NULL ? ENOMEM : EINVAL;
		goto fail;
	}
	flen = strlen(ftext);
	if (rb_audit_line_mac(k, seq, ts, event, ftext, flen, m) < 0 ||
	    rb_audit_line_chain(k, prev, m, src, c) < 0)
		goto fail;
	if ((hl = head(h, seq, ts, event)) < 0 ||
	    (tl = tail(t, src, m, c)) < 0) {
		errno = EOVERFLOW;
		goto fail;
	}
	n = (size_t)hl + flen + (size_t)tl;
	if (n > RB_AUDIT_LINE_MAX) {
		errno = EMSGSIZE; /* a verifier would refuse it */
		goto fail;
	}
	if ((line = malloc(n + 1)) == NULL)
		goto fail;
	memcpy(line, h, (size_t)hl);
	memcpy(line + hl, ftext, flen);
	memcpy(line + hl + flen, t, (size_t)tl);
	line[n] = '\n';
	free(ftext);
	if (mac != NULL)
		memcpy(mac, m, sizeof m);
	if (chain != NULL)
		memcpy(chain, c, sizeof c);
	*len = n + 1;
	return line;
fail:
	free(line);
	free(ftext);
	return NULL;
}

/* --- reading ---------------------------------------------------------- */

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* p is at '"': the byte after the closing quote, or NULL. */
static const char *
skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			if (++p >= end)
				return NULL;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

/* The byte after the JSON value at p, or NULL.  Iterative, so nesting
 * costs no stack. */
static const char *
skip_value(const char *p, const char *end)
{
	size_t depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		/* a number or a literal: up to the next delimiter */
		while (p < end && *p != ',' && *p != '}' && *p != ']' &&
		    *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"') {
			if ((p = skip_string(p, end)) == NULL)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

/* The raw span of the top-level "fields" value of a JSON object text
 * (the key written plainly, as rb-auditd writes it). */
static int
fields_span(const char *line, size_t len, const char **out, size_t *olen)
{
	const char *p = line, *end = line + len, *k, *v;

	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		return -1;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return -1;
		k = p;
		if ((p = skip_string(p, end)) == NULL)
			return -1;
		if (p - k == 8 && memcmp(k, "\"fields\"", 8) == 0)
			break;
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			return -1;
		if ((p = skip_value(skip_ws(p, end), end)) == NULL)
			return -1;
		p = skip_ws(p, end);
		if (p >= end || *p++ != ',')
			return -1;
	}
	p = skip_ws(p, end);
	if (p >= end || *p++ != ':')
		return -1;
	v = skip_ws(p, end);
	if ((p = skip_value(v, end)) == NULL || p == v)
		return -1;
	*out = v;
	*olen = (size_t)(p - v);
	return 0;
}

static const char *const line_keys[] = { "seq", "ts", "event", "fields", "src",
	"mac", "chain" };

static int
known_key(const char *k)
{
	for (size_t i = 0; i < sizeof line_keys / sizeof line_keys[0]; i++) {
		if (strcmp(k, line_keys[i]) == 0)
			return 1;
	}
	return 0;
}

/* Copy the string member k of o into out (cap bytes); -1 when it is not a
 * string, holds a NUL or does not fit. */
static int
get_str(const json_t *o, const char *k, char *out, size_t cap)
{
	const json_t *v = json_object_get(o, k);
	size_t n;

	if (!json_is_string(v))
		return -1;
	n = json_string_length(v);
	if (n >= cap || memchr(json_string_value(v), '\0', n) != NULL)
		return -1;
	memcpy(out, json_string_value(v), n + 1);
	return 0;
}

/* The checks on a loaded line; *why names the first failure. */
static int
check_entry(const json_t *j, struct rb_audit_entry *e, const char **why)
{
	const json_t *seq = json_object_get(j, "seq");
	const json_t *ts = json_object_get(j, "ts");
	const char *key;
	char hex[2 * RB_AUDIT_HASH + 2];
	json_t *v;

	json_object_foreach ((json_t *)j, key, v) {
		if (!known_key(key))
			return *why = "unknown key", -1;
	}
	if (!json_is_integer(seq) || json_integer_value(seq) < 0)
		return *why = "seq is not a non-negative integer", -1;
	if (!json_is_integer(ts))
		return *why = "ts is not an integer", -1;
	e->seq = (uint64_t)json_integer_value(seq);
	e->ts = (int64_t)json_integer_value(ts);
	if (get_str(j, "event", e->event, sizeof e->event) < 0 ||
	    !rb_audit_line_event_ok(e->event))
		return *why = "event is not a valid event name", -1;
	if (!json_is_object(json_object_get(j, "fields")))
		return *why = "fields is not an object", -1;
	if (json_object_get(j, "src") != NULL &&
	    (get_str(j, "src", e->src, sizeof e->src) < 0 ||
	        !rb_audit_line_src_ok(e->src)))
		return *why = "src is not a valid source", -1;
	if (get_str(j, "mac", hex, sizeof hex) < 0 ||
	    rb_audit_line_unhex(hex, e->mac) < 0)
		return *why = "mac is not 64 lower-case hex digits", -1;
	if (json_object_get(j, "chain") != NULL) {
		if (get_str(j, "chain", hex, sizeof hex) < 0 ||
		    rb_audit_line_unhex(hex, e->chain) < 0)
			return *why = "chain is not 64 lower-case hex digits",
			       -1;
		e->has_chain = 1;
	}
	return 0;
}

int
rb_audit_line_parse(const char *line, size_t len, struct rb_audit_entry *e,
    const char **why)
{
	json_error_t jerr;
	json_t *j;
	int r;

	memset(e, 0, sizeof *e);
	*why = "ok";
	if (len > RB_AUDIT_LINE_MAX)
		return *why = "line too long", -1;
	j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return *why = "not valid JSON", -1;
	if (!json_is_object(j)) {
		json_decref(j);
		return *why = "not a JSON object", -1;
	}
	r = check_entry(j, e, why);
	json_decref(j);
	if (r == 0 && fields_span(line, len, &e->fields, &e->fields_len) < 0)
		return *why = "fields key not written plainly", -1;
	return r;
}

int
rb_audit_line_canonical(const char *line, size_t len,
    const struct rb_audit_entry *e)
{
	char h[HEAD_MAX], t[TAIL_MAX];
	int hl = head(h, e->seq, e->ts, e->event);
	int tl = tail(t, e->src, e->mac, e->has_chain ? e->chain : NULL);
	size_t off;

	if (hl < 0 || tl < 0 ||
	    (size_t)hl + e->fields_len + (size_t)tl != len ||
	    e->fields != line + hl)
		return 0;
	off = (size_t)hl + e->fields_len;
	return memcmp(line, h, (size_t)hl) == 0 &&
	    memcmp(line + off, t, (size_t)tl) == 0;
}
