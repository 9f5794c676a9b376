#ifndef RB_BASE_HEX_H
#define RB_BASE_HEX_H

/*
 * hex: hexadecimal digits both ways, as keys, digests, ids, %XX escapes
 * and rb-dnsd's hand-over bytes use them.  Encoding writes lower case;
 * decoding takes either case unless the caller asks rb_hex_is_lower.
 */

#include <stddef.h>
#include <stdint.h>

/* The value of hex digit c (either case), or -1. */
int rb_hex_digit(int c);

/* Decode the len hex digits at s into out (cap bytes): the byte count,
 * or -1 when len is odd, a character is not a hex digit, or the bytes do
 * not fit. */
long rb_hex_decode(const char *s, size_t len, uint8_t *out, size_t cap);

/* Write the n bytes at in as 2n lower-case digits and a NUL into out
 * (2n + 1 bytes). */
void rb_hex_encode(const void *in, size_t n, char *out);

/* 1 when the len characters at s are all 0-9 or a-f, else 0: the one
 * spelling of a value that must compare byte for byte (audit chains). */
int rb_hex_is_lower(const char *s, size_t len);

#endif
