/*
 * fetch: one feed download through libcurl's easy interface.
 *
 * Why we follow redirects ourselves: each Location is then checked by the
 * same rules as a URL given to `rb-feed add` (HTTPS, no credentials, no
 * internal host name or literal address) before anything connects to it.
 * Why the open-socket callback: names are resolved by curl, and only the
 * address it is about to connect to tells whether a public-looking name
 * (or a redirect target) leads inside the network; every connection,
 * first or redirected, passes through it.  Why we count bytes: curl's
 * CURLOPT_MAXFILESIZE only checks a Content-Length, and a chunked or
 * compressed body can be endless (DESIGN.md, known pitfalls).  Proxies
 * from the environment are ignored: through a proxy we could not see
 * the address we reach.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "feed/fetch.h"

struct fetch {
	CURL *h;
	const struct rb_fetch_opts *o;
	struct rb_fetch_result *r;
	uint64_t req_bytes; /* of the answer being read */
	int checked;        /* its status code has been looked at */
	int deliver;        /* its body goes to the sink */
	int toobig, sinkfail, refused, sink_errno;
	char refused_addr[INET6_ADDRSTRLEN];
	char errbuf[CURL_ERROR_SIZE];
};

void
rb_fetch_opts_init(struct rb_fetch_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_bytes = 104857600;
	o->connect_timeout = 10;
	o->timeout = 600;
}

static int fail(struct rb_fetch_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct rb_fetch_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	r->status = RB_FETCH_ERROR;
	return -1;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct fetch *f = ctx;
	size_t len = size * n;
	long code = 0;

	if (!f->checked) {
		(void)curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &code);
		f->deliver = code == 200 || code == 203;
		f->checked = 1;
	}
	if (len > f->o->max_bytes - f->req_bytes) {
		f->toobig = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	f->req_bytes += len;
	if (!f->deliver)
		return len;
	f->r->bytes += len;
	if (f->o->sink(f->o->sink_ctx, p, len) < 0) {
		f->sinkfail = 1;
		f->sink_errno = errno;
		return 0;
	}
	return len;
}

static int
on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct fetch *f = ctx;

	return f->o->cancel != NULL && f->o->cancel(f->o->cancel_ctx) ? 1 : 0;
}

static curl_socket_t
on_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch *f = ctx;
	const struct sockaddr *sa = &a->addr;
	const void *ip = NULL;

	if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in))
		ip = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (a->family == AF_INET6 &&
	    a->addrlen >= sizeof(struct sockaddr_in6))
		ip =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (purpose != CURLSOCKTYPE_IPCXN || ip == NULL ||
	    rb_feed_url_forbidden_addr(sa, f->o->allow)) {
		f->refused = 1;
		if (ip == NULL ||
		    inet_ntop(a->family, ip, f->refused_addr,
		        sizeof f->refused_addr) == NULL)
			snprintf(f->refused_addr, sizeof f->refused_addr, "?");
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Conditional GET: the validators of the copy we hold. */
static int
add_condition(struct curl_slist **h, const char *name, const char *value)
{
	char line[512];
	struct curl_slist *n;

	if (value == NULL || value[0] == '\0')
		return 0;
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return 0; /* never forward a header injection */
	if (snprintf(line, sizeof line, "%s: %s", name, value) >=
	    (int)sizeof line)
		return 0;
	if ((n = curl_slist_append(*h, line)) == NULL)
		return -1;
	*h = n;
	return 0;
}

#define SET(opt, val) \
	do { \
		if (curl_easy_setopt(h, opt, val) != CURLE_OK) \
			return -1; \
	} while (0)

static int
setup(struct fetch *f, struct curl_slist *hdrs)
{
	CURL *h = f->h;
	const struct rb_fetch_opts *o = f->o;

	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL)
		SET(CURLOPT_CAINFO, o->ca_file);
	SET(CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	SET(CURLOPT_TIMEOUT, o->timeout);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1024L);
	SET(CURLOPT_LOW_SPEED_TIME, 30L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_USERAGENT, "runbound-c rb-feed");
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_ERRORBUFFER, f->errbuf);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, f);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, f);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_socket);
	SET(CURLOPT_OPENSOCKETDATA, f);
	return 0;
}

/* Why curl_easy_perform failed, in our terms first. */
static int
describe(struct fetch *f, CURLcode rc)
{
	if (f->refused)
		return fail(f->r, "refused to connect to internal address %s",
		    f->refused_addr);
	if (f->toobig || rc == CURLE_FILESIZE_EXCEEDED)
		return fail(f->r, "body larger than feed-max-bytes (%llu)",
		    (unsigned long long)f->o->max_bytes);
	if (f->sinkfail)
		return fail(f->r, "unable to keep the feed: %s",
		    strerror(f->sink_errno));
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return fail(f->r, "download cancelled");
	return fail(f->r, "%s%s%s", curl_easy_strerror(rc),
	    f->errbuf[0] ? ": " : "", f->errbuf);
}

/* Copy a response header if it is short printable ASCII. */
static void
keep_header(CURL *h, const char *name, char *out, size_t len)
{
	struct curl_header *hh = NULL;

	out[0] = '\0';
	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hh) != CURLHE_OK)
		return;
	for (const char *p = hh->value; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return;
	if (strlen(hh->value) < len)
		memcpy(out, hh->value, strlen(hh->value) + 1);
}

static int
is_redirect(long code)
{
	return code == 301 || code == 302 || code == 303 || code == 307 ||
	    code == 308;
}

/* Requests until an answer that is not a redirect; its code in r. */
static int
follow(struct fetch *f, const char *url)
{
	char cur[RB_FEED_URL_MAX + 1], *loc = NULL;
	struct rb_err e = { 0 };
	CURLcode rc;

	snprintf(cur, sizeof cur, "%s", url);
	for (int hop = 0;; hop++) {
		if (rb_feed_url_check(cur, f->o->allow, 0, &e) < 0)
			return fail(f->r, "%s%s",
			    hop ? "redirect refused: " : "", e.details);
		f->checked = f->deliver = 0;
		f->req_bytes = 0;
		f->errbuf[0] = '\0';
		if (curl_easy_setopt(f->h, CURLOPT_URL, cur) != CURLE_OK)
			return fail(f->r, "out of memory");
		if ((rc = curl_easy_perform(f->h)) != CURLE_OK)
			return describe(f, rc);
		(void)curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE,
		    &f->r->http_code);
		if (!is_redirect(f->r->http_code))
			return 0;
		if (curl_easy_getinfo(f->h, CURLINFO_REDIRECT_URL, &loc) !=
		        CURLE_OK ||
		    loc == NULL)
			return fail(f->r, "HTTP %ld without a Location",
			    f->r->http_code);
		if (hop == RB_FETCH_REDIRECTS)
			return fail(f->r, "more than %d redirects",
			    RB_FETCH_REDIRECTS);
		if (strlen(loc) > RB_FEED_URL_MAX)
			return fail(f->r, "redirect refused: URL too long");
		snprintf(cur, sizeof cur, "%s", loc);
	}
}

int
rb_feed_fetch(const char *url, const struct rb_fetch_opts *o,
    struct rb_fetch_result *r)
{
	struct fetch f = { .o = o, .r = r };
	struct curl_slist *hdrs = NULL;
	int ret = -1;

	memset(r, 0, sizeof *r);
	if ((f.h = curl_easy_init()) == NULL)
		return fail(r, "unable to start libcurl");
	if (add_condition(&hdrs, "If-None-Match", o->etag) < 0 ||
	    add_condition(&hdrs, "If-Modified-Since", o->last_modified) < 0 ||
	    setup(&f, hdrs) < 0) {
		fail(r, "unable to set up libcurl");
		goto done;
	}
	if (follow(&f, url) < 0)
		goto done;
	keep_header(f.h, "ETag", r->etag, sizeof r->etag);
	keep_header(f.h, "Last-Modified", r->last_modified,
	    sizeof r->last_modified);
	if (r->http_code == 304 &&
	    (o->etag != NULL || o->last_modified != NULL)) {
		r->status = RB_FETCH_UNCHANGED;
		ret = 0;
	} else if (r->http_code == 200 || r->http_code == 203) {
		r->status = RB_FETCH_OK;
		ret = 0;
	} else {
		fail(r, "HTTP %ld", r->http_code);
	}
done:
	curl_easy_cleanup(f.h);
	curl_slist_free_all(hdrs);
	return ret;
}
