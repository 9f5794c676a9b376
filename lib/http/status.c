/* status: see status.h. */

#include "http/status.h"

static const int status_of[] = {
	[RB_ERR_NONE] = 500,
	[RB_ERR_INVALID] = 400,
	[RB_ERR_REJECTED] = 422,
	[RB_ERR_NOT_FOUND] = 404,
	[RB_ERR_CONFLICT] = 409,
	[RB_ERR_TOO_LARGE] = 413,
	[RB_ERR_READ_ONLY] = 503,
	[RB_ERR_REMOTE] = 502,
	[RB_ERR_SYSTEM] = 500,
};

int
rb_http_status(const struct rb_err *e)
{
	unsigned k = (unsigned)e->kind;

	return k < sizeof status_of / sizeof status_of[0] ? status_of[k] : 500;
}
