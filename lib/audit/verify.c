/*
 * verify: the checker behind `rb-audit verify`.
 *
 * State is the last accepted line: its seq, mac and recorded chain.  Each
 * new line must parse, carry the next seq, have the mac its content gives
 * and the chain HMAC(previous chain || mac || src).  After a problem the
 * verifier resynchronises on what the line records, so one tampered line
 * is reported once, not as a cascade: an edited field is a mac mismatch
 * at its seq; a deleted line a missing seq; two swapped lines a missing
 * and an out-of-order seq, both at the lower one; a replaced line a chain
 * mismatch.  Truncation of the newest lines shows only against a head
 * recorded elsewhere (rb-audit head).  The bytes are checked as written:
 * a line that parses to a valid entry but is not spelled the one way
 * rb-auditd writes it (lib/audit/line) is reported too, at its seq.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit/verify.h"
#include "base/hex.h"

#define READ_CHUNK (1u << 20)

void
rb_audit_verify_init(struct rb_audit_verify *v, const struct rb_audit_key *k)
{
	memset(v, 0, sizeof *v);
	v->key = k;
}

int
rb_audit_verify_set_head(struct rb_audit_verify *v, const char *text)
{
	const char *colon = strchr(text, ':');
	char *end;
	unsigned long long seq;

	if (colon == NULL || colon == text)
		return -1;
	errno = 0;
	seq = strtoull(text, &end, 10);
	if (errno != 0 || end != colon || seq == 0 || text[0] == '-')
		return -1;
	if (rb_audit_line_unhex(colon + 1, v->head_chain) < 0)
		return -1;
	v->head_seq = seq;
	return 0;
}

static void problem(struct rb_audit_verify *v, uint64_t seq, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
problem(struct rb_audit_verify *v, uint64_t seq, const char *fmt, ...)
{
	struct rb_audit_problem *p;
	va_list ap;

	if (v->total == 0 || seq < v->first_bad)
		v->first_bad = seq;
	v->total++;
	if (v->nproblems == RB_AUDIT_PROBLEMS_MAX)
		return;
	p = &v->problems[v->nproblems++];
	p->seq = seq;
	snprintf(p->file, sizeof p->file, "%s", v->file);
	p->line = v->line;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof p->reason, fmt, ap);
	va_end(ap);
}

/* A log_rotate line's record of the previous file's end. */
static int
rotate_prev(const struct rb_audit_entry *e, uint64_t *seq,
    unsigned char chain[RB_AUDIT_HASH])
{
	json_t *f = json_loadb(e->fields, e->fields_len, 0, NULL);
	const json_t *s = json_object_get(f, "prev_seq");
	const char *c = json_string_value(json_object_get(f, "prev_chain"));
	int r = -1;

	if (json_is_integer(s) && json_integer_value(s) >= 0 && c != NULL &&
	    rb_audit_line_unhex(c, chain) == 0) {
		*seq = (uint64_t)json_integer_value(s);
		r = 0;
	}
	json_decref(f);
	return r;
}

/* The first line seen: where the chain starts.  Lines before it that
 * did not parse have each been counted in last_seq. */
static void
anchor(struct rb_audit_verify *v, const struct rb_audit_entry *e)
{
	uint64_t pseq, garbled = v->last_seq;
	unsigned char pchain[RB_AUDIT_HASH];

	v->started = 1;
	v->chained = e->has_chain;
	v->first_seq = e->seq > garbled ? e->seq - garbled : 0;
	memcpy(v->chain, rb_audit_line_genesis, RB_AUDIT_HASH);
	v->last_seq = e->seq > 0 ? e->seq - 1 : 0;
	if (!v->chained)
		return; /* Runbound's format: seqs and macs only */
	if (garbled == 0 && strcmp(e->event, "log_rotate") == 0 &&
	    rotate_prev(e, &pseq, pchain) == 0 && pseq + 1 == e->seq) {
		memcpy(v->chain, pchain, RB_AUDIT_HASH);
		return;
	}
	if (e->seq > garbled + 1) {
		problem(v, 1,
		    "seq 1..%" PRIu64 " are missing: the oldest file "
		    "starts neither at seq 1 nor with log_rotate",
		    e->seq - garbled - 1);
		v->resync = 1;
	}
}

/* seq contiguity; sets resync when the chain cannot be checked. */
static int
check_seq(struct rb_audit_verify *v, const struct rb_audit_entry *e)
{
	if (e->seq == v->last_seq + 1)
		return 0;
	if (e->seq > v->last_seq + 1) {
		if (e->seq == v->last_seq + 2)
			problem(v, v->last_seq + 1,
			    "seq %" PRIu64 " is missing", v->last_seq + 1);
		else
			problem(v, v->last_seq + 1,
			    "seq %" PRIu64 "..%" PRIu64 " are missing",
			    v->last_seq + 1, e->seq - 1);
		v->resync = 1;
		return 0;
	}
	problem(v, v->last_seq + 1,
	    "seq %" PRIu64 " where seq %" PRIu64
	    " belongs: out of order or repeated",
	    e->seq, v->last_seq + 1);
	return -1; /* not adopted: the state stays at the higher seq */
}

static void
check_chain(struct rb_audit_verify *v, const struct rb_audit_entry *e,
    const unsigned char mac[RB_AUDIT_HASH], int mac_ok)
{
	unsigned char c[RB_AUDIT_HASH], rp[RB_AUDIT_HASH];
	uint64_t rs;

	if (!v->chained)
		return;
	if (!e->has_chain) {
		problem(v, e->seq, "chain value missing");
		return;
	}
	if (v->resync || !mac_ok)
		return;
	if (rb_audit_line_chain(v->key, v->chain, mac, e->src, c) < 0 ||
	    CRYPTO_memcmp(c, e->chain, RB_AUDIT_HASH) != 0) {
		problem(v, e->seq,
		    "chain mismatch: an entry before it was "
		    "removed, replaced or reordered");
		return;
	}
	if (strcmp(e->event, "log_rotate") == 0 &&
	    (rotate_prev(e, &rs, rp) < 0 || rs != v->last_seq ||
	        memcmp(rp, v->chain, RB_AUDIT_HASH) != 0))
		problem(v, e->seq,
		    "log_rotate does not record the end of the "
		    "previous file");
}

static void
check_head(struct rb_audit_verify *v, const struct rb_audit_entry *e)
{
	const unsigned char *h = v->chained ? e->chain : e->mac;

	if (v->head_seq == 0 || e->seq != v->head_seq || v->head_seen)
		return;
	v->head_seen = 1;
	if (CRYPTO_memcmp(h, v->head_chain, RB_AUDIT_HASH) != 0)
		problem(v, e->seq,
		    "head mismatch: seq %" PRIu64 " is not the "
		    "entry the recorded head names",
		    e->seq);
}

void
rb_audit_verify_line(struct rb_audit_verify *v, const char *line, size_t len)
{
	struct rb_audit_entry e;
	unsigned char mac[RB_AUDIT_HASH];
	const char *why;
	int mac_ok;

	v->line++;
	if (rb_audit_line_parse(line, len, &e, &why) < 0) {
		problem(v, v->last_seq + 1, "not an audit entry: %s", why);
		v->last_seq++; /* assume it held the next seq */
		v->resync = 1;
		return;
	}
	if (!v->started)
		anchor(v, &e);
	else if (check_seq(v, &e) < 0)
		return;
	if (!rb_audit_line_canonical(line, len, &e))
		problem(v, e.seq,
		    "not the line as written: the same entry spelled "
		    "otherwise (blanks, a CR, key order or escapes)");
	mac_ok = rb_audit_line_mac(v->key, e.seq, e.ts, e.event, e.fields,
	             e.fields_len, mac) == 0 &&
	    CRYPTO_memcmp(mac, e.mac, RB_AUDIT_HASH) == 0;
	if (!mac_ok)
		problem(v, e.seq,
		    "mac mismatch: the entry was altered, or the "
		    "key is not the one it was written with");
	check_chain(v, &e, mac, mac_ok);
	check_head(v, &e);
	v->last_seq = e.seq;
	memcpy(v->mac, e.mac, RB_AUDIT_HASH);
	if (e.has_chain)
		memcpy(v->chain, e.chain, RB_AUDIT_HASH);
	v->resync = 0;
	v->entries++;
}

/* Feed the complete lines of buf[0..len) to the verifier; returns how many
 * bytes were consumed.  An overlong line is skipped through to its
 * newline (*skipping says whether we are inside one). */
static size_t
feed(struct rb_audit_verify *v, const char *buf, size_t len, int *skipping)
{
	size_t off = 0;
	const char *nl;

	while ((nl = memchr(buf + off, '\n', len - off)) != NULL) {
		size_t n = (size_t)(nl - (buf + off));

		if (*skipping) {
			*skipping = 0;
		} else {
			rb_audit_verify_line(v, buf + off, n);
		}
		off += n + 1;
	}
	if (len - off > RB_AUDIT_LINE_MAX && !*skipping) {
		rb_audit_verify_line(v, buf + off, len - off); /* too long */
		*skipping = 1;
	}
	if (*skipping)
		off = len;
	return off;
}

int
rb_audit_verify_file(struct rb_audit_verify *v, const char *path,
    const char *name, int last)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), skipping = 0;
	size_t cap = READ_CHUNK + RB_AUDIT_LINE_MAX + 1, have = 0, used;
	char *buf;
	ssize_t k;

	if (fd < 0)
		return -1;
	if ((buf = malloc(cap)) == NULL) {
		close(fd);
		return -1;
	}
	snprintf(v->file, sizeof v->file, "%s", name);
	v->line = 0;
	if (v->nfiles < sizeof v->files / sizeof v->files[0])
		v->files[v->nfiles++] = name;
	while ((k = read(fd, buf + have, cap - have)) > 0) {
		have += (size_t)k;
		used = feed(v, buf, have, &skipping);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	close(fd);
	if (k < 0) {
		free(buf);
		return -1;
	}
	if (have > 0 && !skipping) {
		if (last) {
			v->torn = 1;
		} else {
			v->line++;
			problem(v, v->last_seq + 1,
			    "the file's last line is "
			    "incomplete");
		}
	}
	free(buf);
	return 0;
}

int
rb_audit_verify_end(struct rb_audit_verify *v)
{
	if (v->head_seq != 0 && !v->head_seen && v->head_seq > v->last_seq) {
		v->line = 0;
		problem(v, v->last_seq + 1,
		    "the log ends at seq %" PRIu64
		    " but the recorded head is seq %" PRIu64 ": the newest "
		    "entries were removed",
		    v->last_seq, v->head_seq);
	}
	return v->total > 0;
}

json_t *
rb_audit_verify_report(const struct rb_audit_verify *v)
{
	char mhex[2 * RB_AUDIT_HASH + 1], chex[2 * RB_AUDIT_HASH + 1];
	json_t *r, *files = json_array(), *probs = json_array();

	for (size_t i = 0; files != NULL && i < v->nfiles; i++)
		json_array_append_new(files, json_string(v->files[i]));
	for (size_t i = 0; probs != NULL && i < v->nproblems; i++) {
		const struct rb_audit_problem *p = &v->problems[i];

		json_array_append_new(probs,
		    json_pack("{s:I, s:s, s:I, s:s}", "seq", (json_int_t)p->seq,
		        "file", p->file, "line", (json_int_t)p->line, "reason",
		        p->reason));
	}
	rb_hex_encode(v->mac, RB_AUDIT_HASH, mhex);
	rb_hex_encode(v->chain, RB_AUDIT_HASH, chex);
	r = json_pack("{s:s, s:b, s:o, s:I, s:I, s:I}", "status",
	    v->total ? "tampered" : "intact", "chained", v->chained, "files",
	    files, "entries", (json_int_t)v->entries, "first_seq",
	    (json_int_t)v->first_seq, "last_seq", (json_int_t)v->last_seq);
	if (r == NULL) {
		json_decref(probs);
		return NULL;
	}
	json_object_set_new(r, "head",
	    v->entries ? json_pack("{s:I, s:s, "
	                           "s:s}",
	                     "seq", (json_int_t)v->last_seq, "mac", mhex,
	                     "chain", chex) :
	                 json_null());
	json_object_set_new(r, "head_checked",
	    json_boolean(
	        v->head_seq && (v->head_seen || v->head_seq > v->last_seq)));
	json_object_set_new(r, "incomplete_last_line", json_boolean(v->torn));
	if (v->total > 0)
		json_object_set_new(r, "first_bad_seq",
		    json_integer((json_int_t)v->first_bad));
	json_object_set_new(r, "problems", probs);
	json_object_set_new(r, "problems_total",
	    json_integer((json_int_t)v->total));
	return r;
}
