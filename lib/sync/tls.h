#ifndef RB_SYNC_TLS_H
#define RB_SYNC_TLS_H

/*
 * The master's TLS identity (doc/rb-syncd.md): a self-signed certificate
 * and its key in ROOT/sync/sync-cert.pem and sync-key.pem (0600), made on
 * first start (EC P-256, valid ten years), and the SHA-256 fingerprint
 * slaves pin, written as Runbound does: "AA:BB:...", upper-case hex
 * separated by colons, the form `openssl x509 -fingerprint -sha256`
 * prints.
 */

#include "base/err.h"
#include "sync/proto.h"

#define RB_SYNC_CERT "sync-cert.pem"
#define RB_SYNC_KEY "sync-key.pem"

struct rb_sync_tls {
	void *ctx;               /* SSL_CTX * for a server, owned */
	char fp[RB_SYNC_FP_LEN]; /* the certificate's fingerprint */
	int created;             /* the pair was generated just now */
};

/* Load ROOT/sync/sync-cert.pem and sync-key.pem, or make both when
 * neither exists, and build a TLS 1.2+ server context from them.  One
 * without the other, a damaged file or a key that does not match is
 * INVALID_CERT (the operator deletes both to start over: slaves will see
 * a new fingerprint). */
int rb_sync_tls_server(struct rb_sync_tls *t, const char *root,
    struct rb_err *e);

void rb_sync_tls_fini(struct rb_sync_tls *t);

/* The fingerprint of an X509 certificate (borrowed X509 *) into out; -1
 * when it cannot be computed. */
int rb_sync_tls_fp_x509(const void *x509, char out[RB_SYNC_FP_LEN]);

/* The fingerprint of the PEM certificate at path; -1 with errno. */
int rb_sync_tls_fp_file(const char *path, char out[RB_SYNC_FP_LEN]);

#endif
