/*
 * Fuzz target: JSON request bodies (POST /dns, /blacklist, allowlist) and
 * rdata text through lib/state/entry and lib/wire/rr, as rb-apid and rb-dns
 * import feed them.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "state/entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *req = json_loadb((const char *)data, size, 0, &jerr);
	json_t *out = NULL;
	struct rb_err e = { 0 };
	struct rb_rr rr;

	if (req == NULL)
		return 0;
	if (rb_entry_dns(req, &out, &rr, &e) == 0) {
		struct rb_rr again;

		/* What was accepted must rebuild from the stored entry. */
		if (rb_entry_dns_rr(out, &again, &e) < 0 ||
		    again.rdlen != rr.rdlen ||
		    memcmp(again.rdata, rr.rdata, rr.rdlen) != 0)
			__builtin_trap();
		rb_rr_fini(&again);
		rb_rr_fini(&rr);
		json_decref(out);
	}
	out = NULL;
	if (rb_entry_block(req, &out, &e) == 0)
		json_decref(out);
	out = NULL;
	if (rb_entry_allow(req, &out, &e) == 0)
		json_decref(out);
	json_decref(req);
	return 0;
}
