/*
 * siphash: SipHash-2-4 from the paper's description.  The state is four
 * 64-bit words set from the key and four constants; each 8-byte block of
 * input (little-endian) is xored into v3, mixed by two SipRounds (c = 2)
 * and xored into v0; the last block carries the input length in its top
 * byte.  Finalisation xors a constant into v2 and runs four SipRounds
 * (d = 4).  The 128-bit variant starts with 0xee xored into v1, uses 0xee
 * instead of 0xff at finalisation, and produces its second half by
 * xoring 0xdd into v1 and running four more rounds.
 */

#include "base/siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void
round1(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static inline uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline void
put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void
compress(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	round1(s);
	round1(s);
	s->v0 ^= m;
}

static inline void
finish_rounds(struct sip *s)
{
	round1(s);
	round1(s);
	round1(s);
	round1(s);
}

/* Key setup and every input block, the length block included. */
static void
absorb(struct sip *s, const uint8_t key[16], const uint8_t *in, size_t len,
    int wide)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t b = (uint64_t)len << 56;
	size_t i, tail = len & 7;

	s->v0 = k0 ^ 0x736f6d6570736575ULL;
	s->v1 = k1 ^ 0x646f72616e646f6dULL;
	s->v2 = k0 ^ 0x6c7967656e657261ULL;
	s->v3 = k1 ^ 0x7465646279746573ULL;
	if (wide)
		s->v1 ^= 0xee;
	for (i = 0; i + 8 <= len; i += 8)
		compress(s, le64(in + i));
	for (size_t k = 0; k < tail; k++)
		b |= (uint64_t)in[i + k] << (8 * k);
	compress(s, b);
}

uint64_t
rb_siphash_64(const uint8_t key[16], const uint8_t *in, size_t len)
{
	struct sip s;

	absorb(&s, key, in, len, 0);
	s.v2 ^= 0xff;
	finish_rounds(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void
rb_siphash_128(const uint8_t key[16], const uint8_t *in, size_t len,
    uint8_t out[16])
{
	struct sip s;

	absorb(&s, key, in, len, 1);
	s.v2 ^= 0xee;
	finish_rounds(&s);
	put_le64(out, s.v0 ^ s.v1 ^ s.v2 ^ s.v3);
	s.v1 ^= 0xdd;
	finish_rounds(&s);
	put_le64(out + 8, s.v0 ^ s.v1 ^ s.v2 ^ s.v3);
}
