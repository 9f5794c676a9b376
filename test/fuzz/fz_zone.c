/*
 * Fuzz lib/zone/zone and lib/answer/authans: any bytes as a master file, loaded
 * and, when it loads, compiled into data/zones.cdb pairs and checked and
 * queried as fz_zones.h says.  The input is copied so the reader never
 * relies on a terminating NUL.
 */

#include "fz_zones.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_zoneset zs = { 0 };
	struct rb_cdbw out = { 0 };
	struct rb_diag d = { 0 };
	char *copy = malloc(size ? size : 1);
	FILE *fp;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	fp = fmemopen(copy, size ? size : 1, "r");
	if (fp == NULL) {
		free(copy);
		return 0;
	}
	if (size > 0 && rb_zone_load(&zs, fp, "zones.fuzz.test", &d) == 0 &&
	    rb_zone_build(&zs, &out, &d) == 0)
		fz_zones_check(&out);
	fclose(fp);
	rb_cdbw_free(&out);
	rb_zone_fini(&zs);
	free(copy);
	return 0;
}
