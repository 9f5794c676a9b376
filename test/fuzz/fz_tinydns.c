/*
 * Fuzz lib/zone/tinydns and lib/answer/authans: any bytes as a file of
 * tinydns-data lines, loaded and, when it loads, compiled into data/zones.cdb
 * pairs and checked and queried as fz_zones.h says.  The input is copied so the
 * parser never relies on a terminating NUL.  Also traps when a refused
 * file changed the zone set.
 */

#include <errno.h>

#include "fz_zones.h"
#include "zone/tinydns.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 };
	struct rb_diag d = { 0 };
	char *copy = malloc(size ? size : 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	(void)rb_tinydns_sniff(copy, size);
	if (rb_tinydns_load(&zs, copy, size, "zones.fuzz", 1, &d) < 0) {
		if (errno == EINVAL &&
		    (zs.recs.n != 0 || zs.apexes.n != 0 || zs.loose.n != 0))
			abort();
	} else if (rb_zone_build(&zs, &out, &d) == 0) {
		fz_zones_check(&out);
	}
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
	free(copy);
	return 0;
}
