/*
 * reply: the answers of rb-apid and rb-syncd (lib/http/reply.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http/reply.h"
#include "http/request.h"

void
rb_http_reply_headers(struct evhttp_request *req, const char *ctype)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'");
}

static int
is_head(struct evhttp_request *req)
{
	return evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
}

static void
head_length(struct evhttp_request *req, size_t len)
{
	char n[32];

	snprintf(n, sizeof n, "%zu", len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Length", n);
}

void
rb_http_reply_text(struct evhttp_request *req, int status, const char *ctype,
    const char *text, size_t len)
{
	rb_http_reply_headers(req, ctype);
	if (is_head(req))
		head_length(req, len);
	else
		evbuffer_add(evhttp_request_get_output_buffer(req), text, len);
	evhttp_send_reply(req, status, NULL, NULL);
}

static void
text_free(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

void
rb_http_reply_json(struct evhttp_request *req, int status, json_t *j)
{
	static const char oom[] = "{\"error\":\"INTERNAL_ERROR\","
	                          "\"details\":\"out of memory\"}";
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10)) :
	                 NULL;
	size_t len = text ? strlen(text) : 0;

	json_decref(j);
	if (text == NULL) {
		rb_http_reply_text(req, 500, "application/json", oom,
		    sizeof oom - 1);
		return;
	}
	rb_http_reply_headers(req, "application/json");
	if (is_head(req)) {
		head_length(req, len);
		free(text);
	} else if (evbuffer_add_reference(evhttp_request_get_output_buffer(req),
	               text, len, text_free, NULL) < 0) {
		/* (A large body is handed over, not copied.) */
		free(text);
		evbuffer_add(evhttp_request_get_output_buffer(req), oom,
		    sizeof oom - 1);
		status = 500;
	}
	evhttp_send_reply(req, status, NULL, NULL);
}

json_t *
rb_http_reply_error_body(const char *code, const char *details)
{
	json_t *d = NULL;

	if (details != NULL && (d = json_string(details)) == NULL) {
		char ascii[1024];

		rb_http_request_printable(ascii, sizeof ascii, details,
		    strlen(details));
		d = json_string(ascii);
	}
	return json_pack("{s:s, s:o*}", "error", code, "details", d);
}
