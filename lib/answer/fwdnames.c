/*
 * fwdnames: forward-zone names in wire form (fwdnames.h).
 */

#include <stdlib.h>
#include <string.h>

#include "answer/fwdnames.h"
#include "wire/dname.h"

int
rb_fwdnames_build(struct rb_fwdnames *f, const struct rb_conf *c)
{
	memset(f, 0, sizeof *f);
	if (c->nfwd == 0)
		return 0;
	f->names = calloc(c->nfwd, sizeof *f->names);
	f->lens = calloc(c->nfwd, sizeof *f->lens);
	if (f->names == NULL || f->lens == NULL)
		goto oom;
	for (size_t i = 0; i < c->nfwd; i++) {
		uint8_t w[RB_DNAME_MAX];
		const char *why;
		int n = rb_dname_from_text(c->fwd[i].name, w, &why);

		if (n < 0)
			continue; /* the parser took it: never here */
		rb_dname_lower(w);
		if ((f->names[f->n] = malloc((size_t)n)) == NULL)
			goto oom;
		memcpy(f->names[f->n], w, (size_t)n);
		f->lens[f->n++] = (size_t)n;
	}
	return 0;
oom:
	rb_fwdnames_fini(f);
	return -1;
}

void
rb_fwdnames_fini(struct rb_fwdnames *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->names[i]);
	free(f->names);
	free(f->lens);
	memset(f, 0, sizeof *f);
}

int
rb_fwdnames_below(const struct rb_fwdnames *f, const uint8_t *name, size_t nlen,
    size_t zoff)
{
	/* Candidates are the suffixes of name from offset 0 to zoff. */
	for (size_t off = 0; off <= zoff && off < nlen; off += name[off] + 1u) {
		for (size_t i = 0; f != NULL && i < f->n; i++)
			if (f->lens[i] == nlen - off &&
			    memcmp(f->names[i], name + off, f->lens[i]) == 0)
				return 1;
		if (name[off] == 0)
			break;
	}
	return 0;
}
