/*
 * Fuzz target: the adblock feed parser (lib/feed/parse), whole and in chunks
 * (fz_feed.h says what must hold).
 */

#include "fz_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_feed(RB_FEED_ADBLOCK, data, size);
}
