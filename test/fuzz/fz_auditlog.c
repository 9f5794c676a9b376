/*
 * Fuzz target: the audit log reader on arbitrary bytes, as rb-audit
 * verify, rb-auditd's recovery and GET /audit/tail meet an edited log:
 * each line through rb_audit_line_parse (an accepted line's fields span must
 * be an object inside the line, and the line must survive a round trip
 * through the formatter, whose line is in the one line form that
 * rb_audit_line_canonical accepts), the whole input through the verifier, and
 * the input as a spool file and as a src.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/line.h"
#include "audit/source.h"
#include "audit/spool.h"
#include "audit/verify.h"
#include "audit/writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rb_audit_key key;
static struct rb_audit_verify v;

static void
check_line(const char *line, size_t len)
{
	struct rb_audit_entry e, again;
	const char *why;
	json_t *f;
	char *out;
	size_t olen;

	if (rb_audit_line_parse(line, len, &e, &why) < 0)
		return;
	(void)rb_audit_line_canonical(line, len, &e); /* bounded, any answer */
	if (e.fields < line || e.fields + e.fields_len > line + len ||
	    e.fields_len < 2 || e.fields[0] != '{' ||
	    e.fields[e.fields_len - 1] != '}')
		__builtin_trap();
	f = json_loadb(e.fields, e.fields_len, 0, NULL);
	if (!json_is_object(f))
		__builtin_trap();
	out = rb_audit_line_format(&key, e.seq, e.ts, e.event, f, e.src,
	    rb_audit_line_genesis, NULL, NULL, &olen);
	if (out == NULL ||
	    rb_audit_line_parse(out, olen - 1, &again, &why) < 0 ||
	    !rb_audit_line_canonical(out, olen - 1, &again) ||
	    again.seq != e.seq || again.ts != e.ts ||
	    strcmp(again.event, e.event) != 0 || strcmp(again.src, e.src) != 0)
		__builtin_trap();
	free(out);
	json_decref(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char event[RB_AUDIT_EVENT_MAX + 1], epoch[64], *s;
	json_t *fields = NULL, *rep;
	const char *why;
	uint64_t seq;
	int64_t ts;

	if (key.len == 0)
		rb_audit_key_decode(&key, "fuzz", 4);
	rb_audit_verify_init(&v, &key);
	if (size > 4 && data[0] == '9')
		(void)rb_audit_verify_set_head(&v,
		    "3:0000000000000000000000000"
		    "000000000000000000000000000000000000000");
	for (size_t off = 0; off <= size;) {
		const char *nl = memchr(text + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : size - off;

		check_line(text + off, n);
		rb_audit_verify_line(&v, text + off, n);
		off += n + 1;
	}
	rb_audit_verify_end(&v);
	json_decref(rep = rb_audit_verify_report(&v));
	if (rb_audit_spool_parse(text, size, &ts, event, &fields, &why) == 0)
		json_decref(fields);
	if ((s = malloc(size + 1)) != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		(void)rb_audit_writer_src_journal(s, epoch, sizeof epoch, &seq);
		(void)rb_audit_line_src_ok(s);
		(void)rb_audit_line_event_ok(s);
		free(s);
	}
	return 0;
}
