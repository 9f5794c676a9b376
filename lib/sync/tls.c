/*
 * tls: the master's certificate, made once and kept.
 *
 * The pair is written key first (0600), then certificate, each by atomic
 * rename, so a crash leaves at worst a key without a certificate, which
 * the next start reports instead of silently minting a second identity:
 * a new certificate means every slave refuses the master until its pin
 * is deleted, so that only happens when the operator removes both files.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/path.h"
#include "sync/tls.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#define VALID_DAYS 3650

int
rb_sync_tls_fp_x509(const void *x509, char out[RB_SYNC_FP_LEN])
{
	static const char digits[] = "0123456789ABCDEF";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (x509 == NULL || X509_digest(x509, EVP_sha256(), md, &n) != 1 ||
	    n != 32)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		out[i * 3] = digits[md[i] >> 4];
		out[i * 3 + 1] = digits[md[i] & 15];
		out[i * 3 + 2] = i + 1 < n ? ':' : '\0';
	}
	return 0;
}

int
rb_sync_tls_fp_file(const char *path, char out[RB_SYNC_FP_LEN])
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x;
	int r;

	if (b == NULL) {
		errno = ENOENT;
		return -1;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	r = rb_sync_tls_fp_x509(x, out);
	X509_free(x);
	if (r < 0)
		errno = EINVAL;
	return r;
}

static X509 *
make_cert(EVP_PKEY *key)
{
	X509 *x = X509_new();
	BIGNUM *bn = BN_new();
	X509_NAME *name;

	if (x == NULL || bn == NULL || X509_set_version(x, 2) != 1 ||
	    BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), VALID_DAYS, 0, NULL) ==
	        NULL ||
	    X509_set_pubkey(x, key) != 1)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	        (const unsigned char *)"runbound-sync", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    X509_sign(x, key, EVP_sha256()) == 0)
		goto fail;
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

/* Write what PEM writer put in a memory BIO to path, atomically. */
static int
save_bio(BIO *b, const char *path, int mode)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);

	if (n <= 0) {
		errno = EIO;
		return -1;
	}
	return rb_atomic_replace(path, data, (size_t)n, mode);
}

static int
generate(const char *certp, const char *keyp, struct rb_err *e)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = key ? make_cert(key) : NULL;
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	int r = -1;

	if (x == NULL || kb == NULL || cb == NULL ||
	    PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_X509(cb, x) != 1) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "unable to make a "
		    "certificate");
		goto done;
	}
	if (save_bio(kb, keyp, 0600) < 0 || save_bio(cb, certp, 0644) < 0) {
		rb_err_sys(e, "write the sync certificate");
		goto done;
	}
	r = 0;
done:
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(key);
	return r;
}

static SSL_CTX *
server_ctx(const char *certp, const char *keyp)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_file(ctx, certp, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, keyp, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx,
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	return ctx;
}

int
rb_sync_tls_server(struct rb_sync_tls *t, const char *root, struct rb_err *e)
{
	char dir[RB_PATH_MAX], certp[RB_PATH_MAX], keyp[RB_PATH_MAX];
	int hc, hk;

	memset(t, 0, sizeof *t);
	snprintf(dir, sizeof dir, "%s/sync", root);
	rb_path(certp, sizeof certp, "%s/" RB_SYNC_CERT, dir);
	rb_path(keyp, sizeof keyp, "%s/" RB_SYNC_KEY, dir);
	if (rb_file_mkdirs(dir, 0750) < 0)
		return rb_err_sys(e, "create sync/");
	hc = access(certp, F_OK) == 0;
	hk = access(keyp, F_OK) == 0;
	if (hc != hk)
		return rb_err_set(e, RB_ERR_SYSTEM, "INVALID_CERT",
		    "%s exists without "
		    "%s: delete both to make a new pair",
		    hc ? certp : keyp, hc ? keyp : certp);
	if (!hc) {
		if (generate(certp, keyp, e) < 0)
			return -1;
		t->created = 1;
	}
	if ((t->ctx = server_ctx(certp, keyp)) == NULL ||
	    rb_sync_tls_fp_file(certp, t->fp) < 0) {
		rb_sync_tls_fini(t);
		return rb_err_set(e, RB_ERR_SYSTEM, "INVALID_CERT",
		    "%s and %s are not a "
		    "usable pair: delete both to make a new one",
		    certp, keyp);
	}
	return 0;
}

void
rb_sync_tls_fini(struct rb_sync_tls *t)
{
	SSL_CTX_free(t->ctx);
	t->ctx = NULL;
}
