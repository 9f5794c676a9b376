#ifndef RB_BASE_SIPHASH_H
#define RB_BASE_SIPHASH_H

/*
 * SipHash-2-4 (J.-P. Aumasson and D. J. Bernstein, "SipHash: a fast
 * short-input PRF", 2012), the 64-bit and the 128-bit output variants,
 * written from the paper and checked against its published test vectors
 * (test/unit/t_siphash.c).  A keyed hash: under a secret key nobody can
 * aim collisions; under a fixed public key it is still a well-mixed
 * function whose outputs behave as random for inputs nobody chose to
 * collide (lib/feed/nameset relies on 128 bits of it).
 */

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of in[0..len) (borrowed) under key[16] (k0 then k1, each
 * read little-endian): the 64-bit result. */
uint64_t rb_siphash_64(const uint8_t key[16], const uint8_t *in, size_t len);

/* SipHash-2-4 with 128-bit output into out[16], in the byte order of the
 * reference implementation (two 64-bit halves, each little-endian). */
void rb_siphash_128(const uint8_t key[16], const uint8_t *in, size_t len,
    uint8_t out[16]);

#endif
