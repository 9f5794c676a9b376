/*
 * fwd: libunbound, as the DESIGN.md pitfalls say to use it: thread mode
 * (ub_ctx_async(ctx, 1); the default forks a child that inherits our
 * sockets), every option from a generated config file.  libunbound
 * allocates for each query it resolves; that is the miss path, which the
 * packet cache in front keeps rare.
 */

#include <stdio.h>
#include <stdlib.h>

#include <unbound.h>

#include "answer/fwd.h"

struct rb_fwd {
	struct ub_ctx *ctx;
};

struct rb_fwd *
rb_fwd_new(const char *conf_path, char *err, size_t errlen)
{
	struct rb_fwd *f = calloc(1, sizeof *f);
	int r;

	if (f == NULL || (f->ctx = ub_ctx_create()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((r = ub_ctx_async(f->ctx, 1)) != 0 ||
	    (r = ub_ctx_config(f->ctx, conf_path)) != 0) {
		snprintf(err, errlen, "%s: %s", conf_path, ub_strerror(r));
		goto fail;
	}
	return f;
fail:
	rb_fwd_free(f);
	return NULL;
}

void
rb_fwd_free(struct rb_fwd *f)
{
	if (f == NULL)
		return;
	if (f->ctx != NULL)
		ub_ctx_delete(f->ctx);
	free(f);
}

int
rb_fwd_fd(const struct rb_fwd *f)
{
	return ub_fd(f->ctx);
}

int
rb_fwd_process(struct rb_fwd *f)
{
	return ub_process(f->ctx) == 0 ? 0 : -1;
}

static void
on_result(void *arg, int err, struct ub_result *res)
{
	struct rb_fwd_req *req = arg;
	struct rb_fwd_result r = { 0 };

	r.err = err != 0 || res == NULL || res->answer_packet == NULL ||
	    res->answer_len <= 0;
	if (!r.err) {
		r.pkt = res->answer_packet;
		r.len = (size_t)res->answer_len;
		r.secure = res->secure != 0;
		r.bogus = res->bogus != 0;
		r.why_bogus = res->why_bogus;
	}
	req->done(req, &r); /* may reuse req: not touched after this */
	if (res != NULL)
		ub_resolve_free(res);
}

int
rb_fwd_resolve(struct rb_fwd *f, const char *name, uint16_t type,
    struct rb_fwd_req *req)
{
	return ub_resolve_async(f->ctx, name, type, 1, req, on_result,
	           &req->id) == 0 ?
	    0 :
	    -1;
}

void
rb_fwd_cancel(struct rb_fwd *f, struct rb_fwd_req *req)
{
	/* UB_NOID means it finished meanwhile; then nothing is pending. */
	(void)ub_cancel(f->ctx, req->id);
}
