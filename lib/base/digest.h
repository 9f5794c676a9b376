#ifndef RB_BASE_DIGEST_H
#define RB_BASE_DIGEST_H

/*
 * digest: SHA-256 in lower-case hex, the one form in which the toolkit
 * names content: zones builds, feed sets on the sync wire, config
 * stamps.  OpenSSL's types stay in digest.c.
 */

#include <stddef.h>
#include <stdint.h>

/* 64 hex digits and a NUL. */
#define RB_DIGEST_HEX 65

/* A digest under way; start with rb_digest_init, end with
 * rb_digest_final_hex (which frees it, on failure too). */
struct rb_digest {
	void *ctx; /* OpenSSL's EVP_MD_CTX */
};

/* Start d; -1 (ENOMEM) when OpenSSL cannot. */
int rb_digest_init(struct rb_digest *d);

/* Add len bytes at buf; -1 (EIO) on failure, after which final fails. */
int rb_digest_update(struct rb_digest *d, const void *buf, size_t len);

/* The digest as hex into out, and d freed; -1 (EIO) on failure (out
 * is then ""). */
int rb_digest_final_hex(struct rb_digest *d, char out[RB_DIGEST_HEX]);

/* The SHA-256 of buf[0..len) as hex; -1 (EIO) on failure. */
int rb_digest_sha256_hex(const void *buf, size_t len, char out[RB_DIGEST_HEX]);

/* The SHA-256 of what fd reads from its current offset to the end, as
 * hex, and the number of bytes in *size; -1 with errno. */
int rb_digest_fd_hex(int fd, char out[RB_DIGEST_HEX], uint64_t *size);

/* The same for the file at path; -1 with errno (ENOENT: no such file). */
int rb_digest_file_hex(const char *path, char out[RB_DIGEST_HEX],
    uint64_t *size);

#endif
