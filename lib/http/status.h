#ifndef RB_HTTP_STATUS_H
#define RB_HTTP_STATUS_H

/*
 * status: the one table from lib's error kinds (lib/base/err) to the HTTP
 * status the front ends answer with: rb-apid's Runbound API and
 * rb-syncd's sync endpoints.
 */

#include "base/err.h"

/* The HTTP status for e: 400, 404, 409, 413, 422, 502, 503, or 500 for a
 * system failure or an unset kind. */
int rb_http_status(const struct rb_err *e);

#endif
