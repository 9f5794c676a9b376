/*
 * client: HTTPS to the master with a pinned self-signed certificate.
 *
 * The pin is enforced inside the TLS handshake: curl hands us each new
 * connection's SSL_CTX, and our verify callback compares the leaf
 * certificate's SHA-256 with the pin, clearing OpenSSL's self-signed
 * error only on a match (DESIGN.md, known pitfalls).  A mismatch fails
 * the handshake, so the sync-key is never sent to a certificate we do
 * not trust.  Host names are not checked: the pin is the identity.  The
 * answer's headers are a second check, against the certificate of the
 * connection that actually carried them (kept-alive connections skip the
 * handshake).  TLS session resumption is off, so every new connection
 * runs the callback.  With no pin (first contact) any certificate is
 * accepted and its fingerprint recorded, on a connection that is not
 * kept for later requests.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sync/client.h"
#include "sync/tls.h"

struct rb_sync_client {
	CURLM *multi;
	CURL *easy;
	char master[300];
	char key[1100];
	char last_pin[RB_SYNC_FP_LEN];
	/* per request, set by the callbacks */
	const struct rb_sync_client_req *q;
	size_t max; /* q->max, for the error after q is gone */
	struct rb_sync_client_resp *r;
	size_t cap;
	int mismatch, toobig, cancelled, wfail, headers_seen;
	char seen[RB_SYNC_FP_LEN];
	char errbuf[CURL_ERROR_SIZE];
};

static int ex_idx = -1;

static int
verify_cb(int ok, X509_STORE_CTX *sx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(sx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct rb_sync_client *c = ssl ?
	    SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_idx) :
	    NULL;
	char fp[RB_SYNC_FP_LEN];

	if (c == NULL || c->q == NULL)
		return 0;
	/* Only the leaf is pinned; what else the peer sends is ignored. */
	if (X509_STORE_CTX_get_error_depth(sx) > 0) {
		X509_STORE_CTX_set_error(sx, X509_V_OK);
		return 1;
	}
	if (rb_sync_tls_fp_x509(X509_STORE_CTX_get_current_cert(sx), fp) < 0)
		return 0;
	memcpy(c->seen, fp, sizeof fp);
	if (c->q->pin != NULL && strcmp(c->q->pin, fp) != 0) {
		c->mismatch = 1;
		return 0;
	}
	(void)ok; /* self-signed: OpenSSL's own verdict is always "no" */
	X509_STORE_CTX_set_error(sx, X509_V_OK);
	return 1;
}

static CURLcode
ctx_cb(CURL *h, void *sslctx, void *arg)
{
	if (SSL_CTX_set_ex_data(sslctx, ex_idx, arg) != 1)
		return CURLE_SSL_CONNECT_ERROR;
	SSL_CTX_set_verify(sslctx, SSL_VERIFY_PEER, verify_cb);
	return CURLE_OK;
}

/* The certificate of the connection carrying this answer. */
static void
peer_of_connection(struct rb_sync_client *c)
{
	struct curl_tlssessioninfo *ti = NULL;
	X509 *x;

	if (curl_easy_getinfo(c->easy, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    ti == NULL || ti->backend != CURLSSLBACKEND_OPENSSL ||
	    ti->internals == NULL)
		return;
	x = SSL_get1_peer_certificate(ti->internals);
	if (x != NULL && rb_sync_tls_fp_x509(x, c->r->peer_fp) < 0)
		c->r->peer_fp[0] = '\0';
	X509_free(x);
}

static size_t
on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct rb_sync_client *c = ctx;
	size_t len = size * n;
	static const char name[] = "x-runbound-sha256:";

	if (!c->headers_seen) {
		c->headers_seen = 1;
		peer_of_connection(c);
	}
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		c->r->sha256[0] = '\0';
	if (len > sizeof name - 1 &&
	    strncasecmp(p, name, sizeof name - 1) == 0) {
		size_t i = sizeof name - 1, k = 0;

		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (i < len && k < 64 && p[i] != '\r' && p[i] != '\n')
			c->r->sha256[k++] = p[i++];
		c->r->sha256[k] = '\0';
	}
	return len;
}

static int
grow(struct rb_sync_client *c, size_t need)
{
	size_t cap = c->cap ? c->cap : 16384;
	char *nb;

	while (cap < need)
		cap *= 2;
	if (cap == c->cap)
		return 0;
	if ((nb = realloc(c->r->body, cap)) == NULL)
		return -1;
	c->r->body = nb;
	c->cap = cap;
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct rb_sync_client *c = ctx;
	struct rb_sync_client_resp *r = c->r;
	size_t len = size * n;

	if (len > c->q->max - r->len) {
		c->toobig = 1;
		return 0;
	}
	if (c->q->out_fd >= 0) {
		for (size_t off = 0; off < len;) {
			ssize_t w = write(c->q->out_fd, p + off, len - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				c->wfail = 1;
				return 0;
			}
			off += (size_t)w;
		}
	} else {
		if (grow(c, r->len + len + 1) < 0) {
			c->wfail = 1;
			return 0;
		}
		memcpy(r->body + r->len, p, len);
		r->body[r->len + len] = '\0';
	}
	r->len += len;
	return len;
}

struct rb_sync_client *
rb_sync_client_new(const char *master, const char *key, struct rb_err *e)
{
	struct rb_sync_client *c = calloc(1, sizeof *c);
	const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);

	if (c == NULL) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		return NULL;
	}
	if (vi->ssl_version == NULL ||
	    strncmp(vi->ssl_version, "OpenSSL", 7) != 0) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "libcurl is not built "
		    "with OpenSSL: certificate pinning needs it");
		goto fail;
	}
	if (ex_idx < 0)
		ex_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (snprintf(c->master, sizeof c->master, "%s", master) >=
	        (int)sizeof c->master ||
	    snprintf(c->key, sizeof c->key, "%s", key) >= (int)sizeof c->key) {
		rb_err_set(e, RB_ERR_INVALID, "INVALID_CONFIG",
		    "sync-master or sync-key "
		    "too long");
		goto fail;
	}
	if (ex_idx < 0 || (c->multi = curl_multi_init()) == NULL ||
	    (c->easy = curl_easy_init()) == NULL) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "unable to set up libcurl");
		goto fail;
	}
	return c;
fail:
	rb_sync_client_free(c);
	return NULL;
}

void
rb_sync_client_reset(struct rb_sync_client *c)
{
	/* A new multi handle drops the cached connections. */
	CURLM *m = curl_multi_init();

	if (m == NULL)
		return;
	curl_multi_cleanup(c->multi);
	c->multi = m;
	c->last_pin[0] = '\0';
}

void
rb_sync_client_free(struct rb_sync_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->easy);
	curl_multi_cleanup(c->multi);
	OPENSSL_cleanse(c->key, sizeof c->key);
	free(c);
}

void
rb_sync_client_resp_fini(struct rb_sync_client_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

static int
setup(struct rb_sync_client *c, const struct rb_sync_client_req *q,
    struct curl_slist **hdrs)
{
	char url[4600], auth[1200];
	int fresh = q->pin == NULL || strcmp(q->pin, c->last_pin) != 0;
	CURL *h = c->easy;

	if (snprintf(url, sizeof url, "https://%s%s", c->master, q->path) >=
	    (int)sizeof url)
		return -1;
	if (q->auth) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->key);
		*hdrs = curl_slist_append(NULL, auth);
		OPENSSL_cleanse(auth, sizeof auth);
		if (*hdrs == NULL)
			return -1;
	}
	curl_easy_reset(h);
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, ctx_cb) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, c) != CURLE_OK)
		return -1;
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, q->timeout);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "rb-syncd");
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, q->pin == NULL ? 1L : 0L);
	return 0;
}

/* Drive the transfer; CURLE_OK or its failure code. */
static CURLcode
run(struct rb_sync_client *c, const struct rb_sync_client_wake *w)
{
	struct curl_waitfd extra[4];
	int running = 1, n = w ? w->nfds : 0;
	CURLMsg *msg;
	CURLcode rc = CURLE_COULDNT_CONNECT;

	if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	while (running && !c->cancelled) {
		if (curl_multi_perform(c->multi, &running) != CURLM_OK)
			break;
		if (!running)
			break;
		for (int i = 0; i < n && i < 4; i++)
			extra[i] = (struct curl_waitfd){ w->fds[i],
				CURL_WAIT_POLLIN, 0 };
		if (curl_multi_poll(c->multi, extra, (unsigned)n, 1000, NULL) !=
		    CURLM_OK)
			break;
		for (int i = 0; i < n && i < 4; i++) {
			if (extra[i].revents != 0 && w->cb(w->ctx))
				c->cancelled = 1;
		}
	}
	while ((msg = curl_multi_info_read(c->multi, &n)) != NULL) {
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == c->easy)
			rc = msg->data.result;
	}
	curl_multi_remove_handle(c->multi, c->easy);
	return rc;
}

static void
failure(struct rb_sync_client *c, struct rb_sync_client_resp *r, CURLcode rc)
{
	if (c->mismatch) {
		r->fail = RB_SYNC_FAIL_PIN;
		memcpy(r->peer_fp, c->seen, sizeof r->peer_fp);
		snprintf(r->error, sizeof r->error,
		    "certificate sha256=%s is "
		    "not the pinned one",
		    c->seen);
	} else if (c->cancelled) {
		r->fail = RB_SYNC_FAIL_CANCEL;
		snprintf(r->error, sizeof r->error, "cancelled");
	} else if (c->toobig) {
		r->fail = RB_SYNC_FAIL_BIG;
		snprintf(r->error, sizeof r->error, "answer over %zu bytes",
		    c->max);
	} else {
		r->fail = RB_SYNC_FAIL_NET;
		snprintf(r->error, sizeof r->error, "%.60s%s%.180s",
		    curl_easy_strerror(rc), c->errbuf[0] ? ": " : "",
		    c->errbuf);
	}
}

int
rb_sync_client_get(struct rb_sync_client *c, const struct rb_sync_client_req *q,
    struct rb_sync_client_resp *r)
{
	struct curl_slist *hdrs = NULL;
	CURLcode rc;

	memset(r, 0, sizeof *r);
	c->q = q;
	c->max = q->max; /* kept for the error, once c->q is gone */
	c->r = r;
	c->cap = 0;
	c->mismatch = c->toobig = c->cancelled = c->wfail = 0;
	c->headers_seen = 0;
	c->seen[0] = c->errbuf[0] = '\0';
	if (setup(c, q, &hdrs) < 0) {
		curl_slist_free_all(hdrs);
		r->fail = RB_SYNC_FAIL_NET;
		snprintf(r->error, sizeof r->error,
		    "unable to set up the "
		    "request");
		return -1;
	}
	rc = run(c, q->wake);
	curl_slist_free_all(hdrs);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
	c->q = NULL;
	if (rc != CURLE_OK || c->cancelled) {
		failure(c, r, rc);
		rb_sync_client_resp_fini(r);
		return -1;
	}
	if (r->peer_fp[0] == '\0')
		memcpy(r->peer_fp, c->seen, sizeof r->peer_fp);
	if (q->pin != NULL && r->peer_fp[0] != '\0' &&
	    strcmp(q->pin, r->peer_fp) != 0) {
		c->mismatch = 1;
		memcpy(c->seen, r->peer_fp, sizeof c->seen);
		failure(c, r, rc);
		rb_sync_client_resp_fini(r);
		rb_sync_client_reset(c);
		return -1;
	}
	snprintf(c->last_pin, sizeof c->last_pin, "%s", q->pin ? q->pin : "");
	(void)curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body == NULL && q->out_fd < 0 &&
	    (r->body = calloc(1, 1)) == NULL) {
		r->fail = RB_SYNC_FAIL_NET;
		snprintf(r->error, sizeof r->error, "out of memory");
		return -1;
	}
	return 0;
}
