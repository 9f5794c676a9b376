/*
 * dname: wire-form domain names.  Invariant for every function taking a
 * bare uint8_t *name: the name was validated by rb_dname_wire_len or built
 * by rb_dname_from_text, so it is uncompressed, ends in a zero byte and is
 * at most 255 bytes.  Functions taking a length check bounds themselves.
 */

#include <stdio.h>
#include <string.h>

#include "wire/dname.h"

static int
host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
rb_dname_from_text(const char *text, uint8_t *out, const char **why)
{
	size_t n = strlen(text), pos = 0, i, start;

	if (n == 1 && text[0] == '.') {
		out[0] = 0;
		return 1;
	}
	if (n > 0 && text[n - 1] == '.')
		n--;
	if (n == 0) {
		*why = "empty name";
		return -1;
	}
	if (n > 253) {
		*why = "name longer than 253 characters";
		return -1;
	}
	for (start = 0; start <= n; start = i + 1) {
		for (i = start; i < n && text[i] != '.'; i++) {
			if (!host_char((unsigned char)text[i])) {
				*why = "invalid character in name";
				return -1;
			}
		}
		if (i == start) {
			*why = "empty label in name";
			return -1;
		}
		if (i - start > 63) {
			*why = "label longer than 63 characters";
			return -1;
		}
		out[pos++] = (uint8_t)(i - start);
		for (size_t k = start; k < i; k++) {
			int c = (unsigned char)text[k];
			out[pos++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 :
			                                              c);
		}
	}
	out[pos++] = 0;
	return (int)pos;
}

int
rb_dname_wire_len(const uint8_t *p, size_t len)
{
	size_t pos = 0;

	for (;;) {
		if (pos >= len)
			return -1;
		uint8_t l = p[pos];
		if (l == 0)
			return pos + 1 > RB_DNAME_MAX ? -1 : (int)pos + 1;
		if (l > 63)
			return -1;
		pos += (size_t)l + 1;
		if (pos >= RB_DNAME_MAX)
			return -1;
	}
}

void
rb_dname_lower(uint8_t *name)
{
	while (*name != 0) {
		uint8_t l = *name++;
		for (uint8_t i = 0; i < l; i++, name++) {
			if (*name >= 'A' && *name <= 'Z')
				*name += 32;
		}
	}
}

int
rb_dname_parent(const uint8_t *name)
{
	return name[0] == 0 ? 0 : name[0] + 1;
}

int
rb_dname_to_text(const uint8_t *name, char *out, size_t len)
{
	size_t o = 0;

	if (name[0] == 0) {
		if (len < 2)
			return -1;
		out[0] = '.';
		out[1] = '\0';
		return 1;
	}
	while (*name != 0) {
		uint8_t l = *name++;
		for (uint8_t i = 0; i < l; i++) {
			int c = name[i];
			if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
				if (o + 1 >= len)
					return -1;
				out[o++] = (char)c;
			} else {
				if (o + 4 >= len)
					return -1;
				snprintf(out + o, 5, "\\%03d", c);
				o += 4;
			}
		}
		name += l;
		if (o + 1 >= len)
			return -1;
		out[o++] = '.';
	}
	out[o] = '\0';
	return (int)o;
}
