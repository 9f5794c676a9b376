#ifndef RB_ANSWER_FWDNAMES_H
#define RB_ANSWER_FWDNAMES_H

/*
 * fwdnames: the forward-zone names of a config in wire form, for step 6:
 * a name at or below a forward-zone that lies at or below one of
 * unbound's default zones goes on to be forwarded (doc/runbound.conf.md,
 * "Default local zones"), where unbound would need a local-zone line.
 */

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

struct rb_fwdnames {
	uint8_t **names; /* lower-case wire names */
	size_t *lens;
	size_t n;
};

/* f from c's forward zones (f zeroed or finished before).  0, or -1 out
 * of memory. */
int rb_fwdnames_build(struct rb_fwdnames *f, const struct rb_conf *c);

void rb_fwdnames_fini(struct rb_fwdnames *f);

/* Does a forward zone hold name (wire, lower-case, nlen bytes) with its
 * apex at offset zoff of name or below it? */
int rb_fwdnames_below(const struct rb_fwdnames *f, const uint8_t *name,
    size_t nlen, size_t zoff);

#endif
