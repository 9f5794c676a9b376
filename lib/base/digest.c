/*
 * digest: SHA-256 through OpenSSL's EVP interface, streamed so that a file
 * of any size is hashed in 64 KiB reads, and written as lower-case hex
 * (lib/base/hex).
 */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/digest.h"
#include "base/hex.h"

int
rb_digest_init(struct rb_digest *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	d->ctx = ctx;
	if (ctx == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		d->ctx = NULL;
		errno = EIO;
		return -1;
	}
	return 0;
}

int
rb_digest_update(struct rb_digest *d, const void *buf, size_t len)
{
	if (d->ctx == NULL || EVP_DigestUpdate(d->ctx, buf, len) != 1) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
rb_digest_final_hex(struct rb_digest *d, char out[RB_DIGEST_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok = d->ctx != NULL && EVP_DigestFinal_ex(d->ctx, md, &n) == 1 &&
	    n == 32;

	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
	out[0] = '\0';
	if (!ok) {
		errno = EIO;
		return -1;
	}
	rb_hex_encode(md, 32, out);
	return 0;
}

int
rb_digest_sha256_hex(const void *buf, size_t len, char out[RB_DIGEST_HEX])
{
	struct rb_digest d;

	out[0] = '\0';
	if (rb_digest_init(&d) < 0)
		return -1;
	if (rb_digest_update(&d, buf, len) < 0) {
		(void)rb_digest_final_hex(&d, out); /* frees; fails anyway */
		out[0] = '\0';
		return -1;
	}
	return rb_digest_final_hex(&d, out);
}

int
rb_digest_fd_hex(int fd, char out[RB_DIGEST_HEX], uint64_t *size)
{
	unsigned char buf[65536];
	struct rb_digest d;
	ssize_t r;
	int saved;

	*size = 0;
	out[0] = '\0';
	if (rb_digest_init(&d) < 0)
		return -1;
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || rb_digest_update(&d, buf, (size_t)r) < 0)
			goto fail;
		*size += (uint64_t)r;
	}
	return rb_digest_final_hex(&d, out);
fail:
	saved = errno;
	(void)rb_digest_final_hex(&d, out); /* frees */
	out[0] = '\0';
	errno = saved;
	return -1;
}

int
rb_digest_file_hex(const char *path, char out[RB_DIGEST_HEX], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r, saved;

	if (fd < 0)
		return -1;
	r = rb_digest_fd_hex(fd, out, size);
	saved = errno;
	(void)close(fd); /* read-only: nothing to lose */
	errno = saved;
	return r;
}
