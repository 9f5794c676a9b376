#ifndef RB_HEX_H
#define RB_HEX_H

/*
 * hex: hexadecimal digits, as keys, digests, %XX escapes and rb-dnsd's
 * hand-over bytes write them.
 */

#include <stddef.h>
#include <stdint.h>

/* The value of hex digit c (either case), or -1. */
int rb_hex_digit(int c);

/* Decode the len hex digits at s into out (cap bytes): the byte count,
 * or -1 when len is odd, a character is not a hex digit, or the bytes do
 * not fit. */
long rb_hex_decode(const char *s, size_t len, uint8_t *out, size_t cap);

#endif
