/*
 * conf: reading runbound.conf.  The text is unbound.conf syntax, read one
 * line at a time: a clause line ("server:", "forward-zone:", or one of
 * unbound's clauses we ignore) sets the clause the following directives
 * belong to, and every other line is a directive of that clause.  A
 * directive may follow its clause on the same line ("server: port: 53").
 *
 * include: is textual, as in unbound: the included text continues the
 * current clause.  include-toplevel: closes the clause before and after.
 * A relative path is taken from the including file's directory (from the
 * current directory for text given to rb_conf_parse); a pattern with
 * glob(7) characters may match nothing.  Every file read is identified by
 * device and inode on a stack, so a file that includes itself, directly
 * or not, is an error instead of a loop.  Only regular files are read.
 *
 * A directive or clause that is accepted and ignored (lib/conf/names.c)
 * is counted by name, not warned on its line: the caller's callback gets
 * one summary once the parse has succeeded, so a full unbound.conf gives
 * one line instead of hundreds.
 *
 * The conf owns every string.  Each file name is stored once in the
 * conf's file table, which the file fields of zones and data borrow.
 * Any failure frees the partial conf; the caller gets NULL, errno and the
 * diag, never a half-filled conf.
 */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "conf/conf_int.h"
#include "conf/defzones.h"
#include "sys/root.h"

static int parse_text(struct rb_conf_ps *ps, const char *file, const char *text,
    size_t len);

int
rb_conf_err(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof ps->d->msg];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rb_diag_set(ps->d, l ? l->file : NULL, l ? l->line : 0, "%s", msg);
	errno = EINVAL;
	return -1;
}

int
rb_conf_nomem(struct rb_conf_ps *ps, const struct rb_conf_line *l)
{
	rb_diag_set(ps->d, l ? l->file : NULL, l ? l->line : 0,
	    "out of memory");
	errno = ENOMEM;
	return -1;
}

int
rb_conf_ignored(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const char *name)
{
	char *s;

	if (ps->warn == NULL)
		return 0;
	for (size_t i = 0; i < ps->nign; i++) {
		if (strcmp(ps->ign[i].name, name) == 0) {
			ps->ign[i].count++;
			return 0;
		}
	}
	/* Prefix families (acme-, ui-, ...) have no end: past the cap,
	 * lines are counted, not named, so the search stays bounded. */
	if (ps->nign >= RB_CONF_MAXIGNORED) {
		ps->ign_more++;
		return 0;
	}
	if (rb_conf_grow((void **)&ps->ign, ps->nign, sizeof *ps->ign) < 0)
		return rb_conf_nomem(ps, l);
	if ((s = strdup(name)) == NULL)
		return rb_conf_nomem(ps, l);
	ps->ign[ps->nign].name = s;
	ps->ign[ps->nign].count = 1;
	ps->nign++;
	return 0;
}

/* Give the callback the one summary line of what was ignored. */
static int
ignored_summary(struct rb_conf_ps *ps)
{
	static const char head[] = "ignored (not implemented): ";
	size_t len = sizeof head + 64, off;
	char *msg;

	if (ps->warn == NULL || (ps->nign == 0 && ps->ign_more == 0))
		return 0;
	for (size_t i = 0; i < ps->nign; i++)
		len += strlen(ps->ign[i].name) + 32;
	if ((msg = malloc(len)) == NULL)
		return rb_conf_nomem(ps, NULL);
	off = (size_t)snprintf(msg, len, "%s", head);
	for (size_t i = 0; i < ps->nign; i++) {
		off += (size_t)snprintf(msg + off, len - off, "%s%s (%ld)",
		    i ? ", " : "", ps->ign[i].name, ps->ign[i].count);
	}
	if (ps->ign_more > 0)
		snprintf(msg + off, len - off, "%s%ld more lines",
		    ps->nign ? ", " : "", ps->ign_more);
	ps->warn(ps->ctx, NULL, 0, msg);
	free(msg);
	return 0;
}

static void
free_ignored(struct rb_conf_ps *ps)
{
	for (size_t i = 0; i < ps->nign; i++)
		free(ps->ign[i].name);
	free(ps->ign);
	ps->ign = NULL;
	ps->nign = 0;
}

int
rb_conf_grow(void **arr, size_t n, size_t size)
{
	size_t cap;
	void *p;

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0; /* room left: capacity is the next power of two */
	cap = n == 0 ? 4 : n * 2;
	if (cap > SIZE_MAX / 2 / size) {
		errno = ENOMEM;
		return -1;
	}
	p = realloc(*arr, cap * size);
	if (p == NULL)
		return -1;
	*arr = p;
	return 0;
}

/* Record name in the file table; returns the stored copy or NULL. */
static const char *
add_file(struct rb_conf *c, const char *name)
{
	char *s;

	if (rb_conf_grow((void **)&c->files, c->nfiles, sizeof *c->files) < 0)
		return NULL;
	s = strdup(name);
	if (s == NULL)
		return NULL;
	c->files[c->nfiles++] = s;
	return s;
}

/* Read all of path, a regular file, into a new buffer (caller frees).  On
 * failure returns -1 with errno set and *what saying which step failed. */
static int
read_file(const char *path, char **buf, size_t *len, struct stat *st,
    const char **what)
{
	int fd, e;
	size_t n = 0;
	char *b = NULL;

	*what = "unable to open";
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	*what = "unable to read";
	if (fstat(fd, st) < 0)
		goto fail;
	if (!S_ISREG(st->st_mode) || st->st_size > RB_CONF_MAXSIZE) {
		*what = S_ISREG(st->st_mode) ? "file too large:" :
		                               "not a regular file:";
		errno = 0;
		goto fail;
	}
	b = malloc((size_t)st->st_size + 1);
	if (b == NULL)
		goto fail;
	while (n < (size_t)st->st_size) {
		ssize_t r = read(fd, b + n, (size_t)st->st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break; /* shrank while we read: take what is there */
		n += (size_t)r;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
fail:
	e = errno;
	free(b);
	close(fd);
	errno = e;
	return -1;
}

static void
open_error(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const char *what, const char *path)
{
	int e = errno;

	if (e == 0)
		rb_conf_err(ps, l, "%s %s", what, path);
	else
		rb_conf_err(ps, l, "%s %s: %s", what, path, strerror(e));
	errno = e == 0 ? EINVAL : e;
}

/* Directory part of path with its slash ("a/b.conf" -> "a/"), or "". */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) + 1 : 0;

	return strndup(path, n);
}

/* Read the file path on behalf of the include at l (NULL for the top). */
static int
read_one(struct rb_conf_ps *ps, const struct rb_conf_line *l, const char *path)
{
	struct stat st;
	const char *what, *name, *olddir = ps->dir;
	char *buf = NULL, *dir = NULL;
	size_t len;
	int rc = -1;

	if (ps->depth >= RB_CONF_MAXDEPTH)
		return rb_conf_err(ps, l, "include: nested more than %d deep",
		    RB_CONF_MAXDEPTH);
	if (ps->c->nfiles >= RB_CONF_MAXFILES)
		return rb_conf_err(ps, l, "include: more than %d files",
		    RB_CONF_MAXFILES);
	if (read_file(path, &buf, &len, &st, &what) < 0) {
		open_error(ps, l, what, path);
		return -1;
	}
	for (int i = 0; i < ps->depth; i++) {
		if (ps->stack[i].known && ps->stack[i].dev == st.st_dev &&
		    ps->stack[i].ino == st.st_ino) {
			rb_conf_err(ps, l,
			    "include loop: %s is already being "
			    "read",
			    path);
			goto fail;
		}
	}
	name = add_file(ps->c, path);
	dir = dir_of(path);
	if (name == NULL || dir == NULL) {
		rb_conf_nomem(ps, l);
		goto fail;
	}
	ps->stack[ps->depth].dev = st.st_dev;
	ps->stack[ps->depth].ino = st.st_ino;
	ps->stack[ps->depth].known = 1;
	ps->depth++;
	ps->dir = dir;
	rc = parse_text(ps, name, buf, len);
	ps->dir = olddir;
	ps->depth--;
fail:
	free(dir);
	free(buf);
	return rc;
}

static int
has_magic(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* ps->dir + arg; with quote, the directory's glob characters escaped. */
static char *
join(const char *dir, const char *arg, int quote)
{
	size_t n = strlen(dir), m = strlen(arg), k = 0;
	char *s;

	if (arg[0] == '/')
		n = 0;
	s = malloc(2 * n + m + 1);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (quote && strchr("*?[\\", dir[i]) != NULL)
			s[k++] = '\\';
		s[k++] = dir[i];
	}
	memcpy(s + k, arg, m + 1);
	return s;
}

static int
include_glob(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const char *pattern)
{
	glob_t g;
	int r, rc = 0;

	memset(&g, 0, sizeof g);
	r = glob(pattern, 0, NULL, &g);
	if (r == GLOB_NOMATCH)
		return 0;
	if (r == GLOB_NOSPACE)
		rc = rb_conf_nomem(ps, l);
	else if (r != 0)
		rc = rb_conf_err(ps, l,
		    "include: unable to read the "
		    "directories of %s",
		    pattern);
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
		rc = read_one(ps, l, g.gl_pathv[i]);
	globfree(&g);
	return rc;
}

static int
include(struct rb_conf_ps *ps, const struct rb_conf_line *l, int toplevel)
{
	const char *arg;
	char *path;
	int rc, magic;

	if (l->nargs != 1 || l->args[0].s[0] == '\0')
		return rb_conf_err(ps, l, "%s: expected one file name", l->key);
	arg = l->args[0].s;
	magic = has_magic(arg);
	path = join(ps->dir, arg, magic);
	if (path == NULL)
		return rb_conf_nomem(ps, l);
	if (toplevel)
		ps->clause = RB_CONF_NONE;
	rc = magic ? include_glob(ps, l, path) : read_one(ps, l, path);
	if (toplevel)
		ps->clause = RB_CONF_NONE;
	free(path);
	return rc;
}

static int
open_clause(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    enum rb_conf_clause cl)
{
	struct rb_conf *c = ps->c;
	struct rb_conf_fwd_zone *z;

	ps->clause = cl;
	if (cl == RB_CONF_UNBOUND || cl == RB_CONF_RUNBOUND)
		return rb_conf_ignored(ps, l, l->key);
	if (cl != RB_CONF_FORWARD)
		return 0;
	if (rb_conf_grow((void **)&c->fwd, c->nfwd, sizeof *c->fwd) < 0)
		return rb_conf_nomem(ps, l);
	z = &c->fwd[c->nfwd];
	memset(z, 0, sizeof *z);
	z->file = l->file;
	z->line = l->line;
	ps->fzi = c->nfwd++;
	return 0;
}

static int dispatch(struct rb_conf_ps *ps, struct rb_conf_line *l,
    char *scratch);

/* A clause line; a directive written after it on the same line is read
 * as its own line. */
static int
clause_line(struct rb_conf_ps *ps, struct rb_conf_line *l, char *scratch,
    enum rb_conf_clause cl)
{
	struct rb_conf_line rest = { .file = l->file, .line = l->line };
	const char *why = NULL;
	size_t off;
	int r;

	if (open_clause(ps, l, cl) < 0)
		return -1;
	if (l->nargs == 0)
		return 0;
	off = l->args[0].start;
	r = rb_conf_lex(l->raw + off, l->rawlen - off, scratch, &rest, &why);
	if (r < 0)
		return rb_conf_err(ps, l, "%s", why);
	if (r == 0)
		return 0;
	if (rb_conf_names_clause(rest.key) != RB_CONF_NONE)
		return rb_conf_err(ps, l, "two clauses on one line");
	return dispatch(ps, &rest, scratch);
}

static int
dispatch(struct rb_conf_ps *ps, struct rb_conf_line *l, char *scratch)
{
	enum rb_conf_clause cl;

	if (strcmp(l->key, "include") == 0)
		return include(ps, l, 0);
	if (strcmp(l->key, "include-toplevel") == 0)
		return include(ps, l, 1);
	cl = rb_conf_names_clause(l->key);
	if (cl != RB_CONF_NONE) {
		/* The clause's name is copied past the line's own scratch
		 * use, so lexing the rest of the line cannot overwrite it. */
		return clause_line(ps, l, scratch + 2 * l->rawlen + 2, cl);
	}
	switch (ps->clause) {
	case RB_CONF_SERVER:
		return rb_conf_server(ps, l);
	case RB_CONF_FORWARD:
		return rb_conf_forward(ps, l);
	case RB_CONF_UNBOUND:
	case RB_CONF_RUNBOUND:
		return 0; /* the clause line counted as ignored */
	case RB_CONF_NONE:
		break;
	}
	return rb_conf_err(ps, l,
	    "directive '%s' outside a clause (a line "
	    "'server:' is missing)",
	    l->key);
}

/* Each line needs its own scratch: an include read from it parses other
 * files while the line's values are still in use. */
static int
parse_line(struct rb_conf_ps *ps, const char *file, int lineno, const char *raw,
    size_t len)
{
	struct rb_conf_line l = { .file = file, .line = lineno };
	const char *why = NULL;
	char *scratch;
	int r;

	if (memchr(raw, '\0', len) != NULL)
		return rb_conf_err(ps, &l, "NUL byte in line");
	if (len > RB_CONF_MAXLINE)
		return rb_conf_err(ps, &l, "line longer than %d bytes",
		    RB_CONF_MAXLINE);
	/* Twice for the line, twice again for a directive after a clause. */
	scratch = malloc(4 * len + 4);
	if (scratch == NULL)
		return rb_conf_nomem(ps, &l);
	r = rb_conf_lex(raw, len, scratch, &l, &why);
	if (r < 0)
		r = rb_conf_err(ps, &l, "%s", why);
	else if (r > 0)
		r = dispatch(ps, &l, scratch);
	free(scratch);
	return r;
}

static int
parse_text(struct rb_conf_ps *ps, const char *file, const char *text,
    size_t len)
{
	size_t pos = 0;
	int lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		if (lineno == INT32_MAX) {
			struct rb_conf_line l = { .file = file,
				.line = lineno };
			return rb_conf_err(ps, &l, "too many lines");
		}
		lineno++;
		if (parse_line(ps, file, lineno, text + pos, n) < 0)
			return -1;
		pos += n + 1;
	}
	return 0;
}

/* Every default that needs no other directive; rb_conf_forward_finish adds the
 * rest (the default interface). */
static struct rb_conf *
new_conf(void)
{
	struct rb_conf *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->port = 53;
	c->do_ip4 = c->do_ip6 = c->do_udp = c->do_tcp = 1;
	c->rate_limit = 200;
	c->incoming_num_tcp = 1024;
	c->tcp_idle_timeout = 30000;
	c->cache_max_ttl = 86400;
	c->cache_min_ttl = 0;
	c->sync_port = 0;
	c->sync_interval = 30;
	c->api_port = 8081;
	c->api_addr_cap = 256;
	c->log_retention = 1000;
	c->log_client_ip = 0;
	c->audit_log = 0;
	c->dnssec_validation = -1; /* unset: rb_conf_forward_finish decides */
	c->verbosity = 1;
	c->journal_retention = 10000;
	c->feed_interval = 86400;
	c->feed_max_bytes = 104857600;
	c->mode = RB_MODE_MASTER;
	return c;
}

struct rb_conf *
rb_conf_default(void)
{
	struct rb_diag d;
	struct rb_conf_ps ps = { .d = &d, .dir = "" };

	ps.c = new_conf();
	if (ps.c == NULL)
		return NULL;
	if (rb_conf_forward_finish(&ps) < 0 || rb_conf_defzones_add(ps.c) < 0) {
		rb_conf_free(ps.c);
		return NULL;
	}
	return ps.c;
}

/* Parse the top file (text, or path when text is NULL) into a new conf. */
static struct rb_conf *
run(const char *name, const char *text, size_t len, struct rb_diag *d,
    rb_conf_warn_fn warn, void *ctx)
{
	struct rb_conf_ps ps = { .d = d, .warn = warn, .ctx = ctx, .dir = "" };
	struct rb_diag dummy;
	int rc;

	if (d == NULL)
		ps.d = &dummy;
	ps.c = new_conf();
	if (ps.c == NULL || (ps.c->path = strdup(name)) == NULL) {
		rb_conf_nomem(&ps, NULL);
		goto fail;
	}
	if (text == NULL) {
		rc = read_one(&ps, NULL, name);
	} else if (add_file(ps.c, name) == NULL) {
		rc = rb_conf_nomem(&ps, NULL);
	} else {
		ps.stack[0].known = 0;
		ps.depth = 1;
		rc = parse_text(&ps, ps.c->files[0], text, len);
	}
	if (rc < 0 || rb_conf_forward_finish(&ps) < 0 ||
	    ignored_summary(&ps) < 0)
		goto fail;
	if (rb_conf_defzones_add(ps.c) < 0) {
		rb_conf_nomem(&ps, NULL);
		goto fail;
	}
	free_ignored(&ps);
	return ps.c;
fail:
	rc = errno;
	free_ignored(&ps);
	rb_conf_free(ps.c);
	errno = rc;
	return NULL;
}

struct rb_conf *
rb_conf_load(const char *path, struct rb_diag *d, rb_conf_warn_fn warn,
    void *ctx)
{
	return run(path, NULL, 0, d, warn, ctx);
}

struct rb_conf *
rb_conf_parse(const char *name, const char *text, size_t len, struct rb_diag *d,
    rb_conf_warn_fn warn, void *ctx)
{
	return run(name ? name : "-", text ? text : "", text ? len : 0, d, warn,
	    ctx);
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_fwd(struct rb_conf_fwd_zone *z, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < z[i].naddrs; j++) {
			free(z[i].addrs[j].addr);
			free(z[i].addrs[j].tls_name);
		}
		free(z[i].addrs);
		free(z[i].name);
		free(z[i].tls_hostname);
	}
	free(z);
}

void
rb_conf_free(struct rb_conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nifaces; i++)
		free(c->ifaces[i].addr);
	free(c->ifaces);
	for (size_t i = 0; i < c->nacls; i++) {
		free(c->acls[i].netblock);
		free(c->acls[i].action);
	}
	free(c->acls);
	for (size_t i = 0; i < c->ntcp_limits; i++)
		free(c->tcp_limits[i].netblock);
	free(c->tcp_limits);
	free_strv(c->private_addrs, c->nprivate_addrs);
	free_strv(c->allow_transfer, c->nallow_transfer);
	for (size_t i = 0; i < c->nalso_notify; i++)
		free(c->also_notify[i].addr);
	free(c->also_notify);
	free_strv(c->private_domains, c->nprivate_domains);
	for (size_t i = 0; i < c->nzones; i++) {
		free(c->zones[i].name);
		free(c->zones[i].type);
	}
	free(c->zones);
	for (size_t i = 0; i < c->ndata; i++)
		free(c->data[i].text);
	free(c->data);
	for (size_t i = 0; i < c->nptrs; i++)
		free(c->ptrs[i].text);
	free(c->ptrs);
	free_fwd(c->fwd, c->nfwd);
	free(c->sync_key);
	free(c->sync_master);
	free(c->sync_interface);
	free(c->audit_log_hmac_key);
	free(c->logfile);
	free(c->username);
	free_strv(c->trust_anchor_files, c->ntrust_anchor_files);
	free(c->tls_cert_bundle);
	free(c->feed_ca_file);
	free_strv(c->feed_allow, c->nfeed_allow);
	free_strv(c->files, c->nfiles);
	free(c->path);
	free(c);
}

const char *
rb_conf_mode_name(enum rb_conf_mode m)
{
	return m == RB_MODE_SLAVE ? "slave" : "master";
}

const char *
rb_conf_sync_addr(const struct rb_conf *c)
{
	if (c->sync_interface != NULL)
		return c->sync_interface;
	for (size_t i = 0; i < c->nifaces; i++)
		if (!c->ifaces[i].name)
			return c->ifaces[i].addr;
	return "127.0.0.1";
}

struct rb_conf *
rb_conf_load_root(const char *root, struct rb_err *e)
{
	char path[RB_PATH_MAX], msg[1024];
	struct rb_diag d = { 0 };
	struct rb_conf *c;

	snprintf(path, sizeof path, "%s/runbound.conf", root);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		c = rb_conf_default();
		if (c == NULL)
			rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
			    "out of memory");
		return c;
	}
	c = rb_conf_load(path, &d, NULL, NULL);
	if (c == NULL)
		rb_err_set(e, RB_ERR_SYSTEM, "INVALID_CONFIG", "%s",
		    rb_diag_str(&d, msg, sizeof msg));
	return c;
}
