/*
 * lex: one line of unbound.conf syntax into a key and its values.
 *
 * A line is "key:" followed by values, with or without whitespace after
 * the colon.  A value is a run of non-blank characters, or a string in
 * "..." or '...' that may hold blanks and '#'.  As in unbound, a backslash
 * inside quotes keeps the next character from closing the string and both
 * are kept as written (ldns reads the escapes in local-data).  '#' starts a
 * comment only where a value could start, so forward-addr's "ip#name"
 * stays one value.  The lexer never reads past len and copies every value
 * NUL-terminated into the caller's scratch buffer.
 */

#include <string.h>

#include "conf/conf_int.h"

static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int
key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Read a quoted value starting at raw[*pos] (the quote); copy its inside
 * to out.  Returns the bytes copied or -1 when the quote is not closed. */
static long
quoted(const char *raw, size_t len, size_t *pos, char *out)
{
	char q = raw[*pos];
	size_t i = *pos + 1, n = 0;

	while (i < len && raw[i] != q) {
		if (raw[i] == '\\' && i + 1 < len)
			out[n++] = raw[i++];
		out[n++] = raw[i++];
	}
	if (i >= len)
		return -1;
	*pos = i + 1;
	return (long)n;
}

static size_t
unquoted(const char *raw, size_t len, size_t *pos, char *out)
{
	size_t i = *pos, n = 0;

	while (i < len && !blank((unsigned char)raw[i]) && raw[i] != '"' &&
	    raw[i] != '\'')
		out[n++] = raw[i++];
	*pos = i;
	return n;
}

static int
values(const char *raw, size_t len, size_t pos, char *out,
    struct rb_conf_line *l, const char **why)
{
	for (;;) {
		struct rb_conf_tok *t;
		long n;

		while (pos < len && blank((unsigned char)raw[pos]))
			pos++;
		if (pos >= len || raw[pos] == '#')
			return 1;
		if (l->nargs == RB_CONF_MAXARGS) {
			*why = "too many values on one line";
			return -1;
		}
		t = &l->args[l->nargs++];
		t->start = pos;
		t->s = out;
		t->quoted = raw[pos] == '"' || raw[pos] == '\'';
		if (t->quoted) {
			n = quoted(raw, len, &pos, out);
			if (n < 0) {
				*why = "unterminated quoted string";
				return -1;
			}
		} else {
			n = (long)unquoted(raw, len, &pos, out);
		}
		t->end = pos;
		out[n] = '\0';
		out += n + 1;
	}
}

int
rb_conf_lex(const char *raw, size_t len, char *scratch, struct rb_conf_line *l,
    const char **why)
{
	size_t pos = 0, k;

	l->raw = raw;
	l->rawlen = len;
	l->key = scratch;
	l->nargs = 0;
	while (pos < len && blank((unsigned char)raw[pos]))
		pos++;
	if (pos >= len || raw[pos] == '#')
		return 0;
	for (k = 0; pos < len && key_char((unsigned char)raw[pos]); pos++)
		scratch[k++] = raw[pos];
	scratch[k] = '\0';
	if (k == 0) {
		*why = "syntax error: expected a directive name";
		return -1;
	}
	if (pos >= len || raw[pos] != ':') {
		*why = "syntax error: expected ':' after the directive name";
		return -1;
	}
	return values(raw, len, pos + 1, scratch + k + 1, l, why);
}
