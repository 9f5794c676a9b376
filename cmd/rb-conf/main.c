/*
 * rb-conf: make a new state root, as tinydns-conf makes a tinydns
 * directory: a commented runbound.conf, a random api.key, sync-key and
 * audit key (0600), and one s6 service directory per daemon, filled in
 * from the templates of svc/ so that they point at this root and these
 * binaries.  It refuses to touch a root that exists: configuration is
 * never overwritten behind the operator's back.  The root is made in a
 * staging directory beside it and renamed into place once complete, so
 * a failed rb-conf leaves nothing, and a root that exists is whole.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <jansson.h>

#include "base/hex.h"
#include "base/log.h"
#include "conf/conf.h"
#include "prog/usage.h"
#include "state/data.h"
#include "state/store.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/root.h"

#ifndef RB_SHAREDIR
#define RB_SHAREDIR "/usr/local/share/runbound"
#endif
#ifndef RB_BINDIR
#define RB_BINDIR "/usr/local/bin"
#endif

struct opts {
	const char *slave;  /* MASTER:PORT, NULL for a master */
	const char *user;   /* username: for the daemons */
	const char *listen; /* interface: */
	int port, api_port, sync_port;
	const char *bin;  /* where the rb-* binaries are */
	const char *tmpl; /* the svc/ templates */
	int refresh;      /* only remake the service directories */
	int audit_log;    /* audit-log: yes */
};

/* The root being made, until it is renamed into place: removed at exit,
 * so that a failure (rb_die anywhere) leaves nothing behind. */
static char staging[PATH_MAX];

static void path(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Format a path; a path that does not fit is a usage error. */
static void
path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		rb_die(100, "path too long: %s", buf);
}

static void usage(int help) __attribute__((noreturn));

static void
usage(int help)
{
	exit(rb_usage_print(
	    "usage: rb-conf [--slave MASTER:PORT] [--user USER] "
	    "[--listen IP] [--port N]\n"
	    "               [--api-port N] [--sync-port N] [--audit-log]\n"
	    "               [--bin DIR] [--templates DIR] ROOT\n"
	    "       rb-conf --refresh-services [--bin DIR] [--templates DIR] "
	    "ROOT\n",
	    help));
}

/* Random bytes as lower-case hex, NUL-terminated (2n+1 bytes of out). */
static void
random_hex(char *out, size_t n)
{
	unsigned char b[64];

	if (n > sizeof b || getrandom(b, n, 0) != (ssize_t)n)
		rb_die(111, "unable to get random bytes: %s", strerror(errno));
	rb_hex_encode(b, n, out);
}

/* Write dir/name; dir is the root or its staging directory. */
static void
write_file(const char *dir, const char *name, const char *text, int mode)
{
	char p[PATH_MAX];

	path(p, sizeof p, "%s/%s", dir, name);
	if (rb_atomic_replace(p, text, strlen(text), mode) < 0)
		rb_die(111, "unable to write %s: %s", p, strerror(errno));
}

/* runbound.conf into dir, for the root named root. */
static void
write_conf(const char *dir, const char *root, const struct opts *o,
    const char *sync_key)
{
	char buf[4096];
	int n;

	n = snprintf(buf, sizeof buf,
	    "# runbound.conf: unbound.conf syntax plus Runbound's directives\n"
	    "# (doc/runbound.conf.md).  Check it with: rb-check -d %s\n"
	    "server:\n"
	    "\t# Where rb-dnsd listens (IP or IP@PORT, repeatable).\n"
	    "\tinterface: %s\n"
	    "\tport: %d\n"
	    "\t# Who may query: allow, refuse (REFUSED) or deny (silent).\n"
	    "\taccess-control: 127.0.0.0/8 allow\n"
	    "\taccess-control: ::1/128 allow\n"
	    "\t# Queries per second per client; 0 = no limit.\n"
	    "\trate-limit: 200\n"
	    "\t# Local data, as unbound takes it; rb-dns adds more live.\n"
	    "\t# local-zone: \"home.\" static\n"
	    "\t# local-data: \"nas.home. 3600 IN A 192.168.1.10\"\n"
	    "\tlog-retention: 1000\n"
	    "\tlog-client-ip: no\n"
	    "\tapi-port: %d\n"
	    "%s%s%s"
	    "\tmode: %s\n"
	    "%s%s%s"
	    "\tsync-port: %d\n"
	    "\tsync-key: \"%s\"\n"
	    "\t# The HMAC-chained audit log (doc/audit.md), written by\n"
	    "\t# rb-auditd with the key in audit/hmac.key.\n"
	    "\taudit-log: %s\n"
	    "\n"
	    "# Where names no local data answers are sent.\n"
	    "# forward-zone:\n"
	    "#\tname: \".\"\n"
	    "#\tforward-addr: 9.9.9.9\n",
	    root, o->listen, o->port, o->api_port,
	    o->user ? "\tusername: \"" : "", o->user ? o->user : "",
	    o->user ? "\"\n" : "", o->slave ? "slave" : "master",
	    o->slave ? "\tsync-master: " : "", o->slave ? o->slave : "",
	    o->slave ? "\n" : "", o->sync_port, sync_key,
	    o->audit_log ? "yes" : "no");
	if (n < 0 || (size_t)n >= sizeof buf)
		rb_die(100, "configuration too long");
	/* It holds the sync key. */
	write_file(dir, "runbound.conf", buf, 0640);
}

/* Copy one template file, filling in @ROOT@, @BIN@, @LOGDIR@ and
 * @SETUIDGID@ (what runs a program as the root's user: "s6-setuidgid
 * USER ", or nothing without one). */
static void
fill_template(const char *src, const char *dst, const char *root,
    const char *bin, const char *logdir, const char *setuidgid)
{
	static const char *const keys[] = { "@ROOT@", "@BIN@", "@LOGDIR@",
		"@SETUIDGID@" };
	const char *vals[] = { root, bin, logdir, setuidgid };
	const size_t nkeys = sizeof keys / sizeof keys[0];
	char *in = rb_file_read(src, 1 << 20, NULL), out[1 << 16];
	size_t o = 0;
	struct stat st;

	if (in == NULL || stat(src, &st) < 0)
		rb_die(111, "unable to read %s: %s", src, strerror(errno));
	for (const char *p = in; *p && o < sizeof out - 1;) {
		size_t k;
		for (k = 0; k < nkeys; k++)
			if (strncmp(p, keys[k], strlen(keys[k])) == 0)
				break;
		if (k == nkeys) {
			out[o++] = *p++;
			continue;
		}
		o += (size_t)snprintf(out + o, sizeof out - o, "%s", vals[k]);
		p += strlen(keys[k]);
	}
	out[o < sizeof out ? o : sizeof out - 1] = '\0';
	free(in);
	if (rb_atomic_replace(dst, out, strlen(out), st.st_mode & 0777) < 0)
		rb_die(111, "unable to write %s: %s", dst, strerror(errno));
}

/* Give path to user (its group too), when we are root and there is one. */
static void
chown_to(const char *path, const char *user)
{
	struct passwd *pw;

	if (user == NULL || user[0] == '\0' || geteuid() != 0)
		return;
	if ((pw = getpwnam(user)) == NULL)
		rb_die(100, "no such user: %s", user);
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0)
		rb_die(111, "unable to chown %s: %s", path, strerror(errno));
}

/* service/name and log/name in dir, for the root named root (what the
 * scripts say). */
static void
make_service(const char *dir, const char *root, const struct opts *o,
    const char *user, const char *name)
{
	static const char *const files[] = { "run", "finish", "notification-fd",
		"log/run" };
	char src[PATH_MAX], dst[PATH_MAX], logdir[PATH_MAX], setuidgid[300];

	path(logdir, sizeof logdir, "%s/log/%s", dir, name);
	path(dst, sizeof dst, "%s/service/%s/log", dir, name);
	if (rb_file_mkdirs(dst, 0755) < 0 || rb_file_mkdirs(logdir, 0750) < 0)
		rb_die(111, "unable to create %s: %s", dst, strerror(errno));
	/* The loggers run as the user too: their directories are its. */
	chown_to(logdir, user);
	path(logdir, sizeof logdir, "%s/log/%s", root, name);
	path(setuidgid, sizeof setuidgid, "%s%s%s", user ? "s6-setuidgid " : "",
	    user ? user : "", user ? " " : "");
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		path(src, sizeof src, "%s/%s/%s", o->tmpl, name, files[i]);
		path(dst, sizeof dst, "%s/service/%s/%s", dir, name, files[i]);
		if (access(src, F_OK) == 0)
			fill_template(src, dst, root, o->bin, logdir,
			    setuidgid);
	}
}

/* What root's runbound.conf says for the services: does it forward a
 * zone over TLS (the rb-dot service), and who do they run as (username:,
 * into user, "" for nobody in particular)? */
static int
read_conf(const char *root, char *user, size_t len)
{
	char p[PATH_MAX];
	struct rb_diag d = { 0 };
	struct rb_conf *c;
	int want = 0;

	user[0] = '\0';
	path(p, sizeof p, "%s/runbound.conf", root);
	if ((c = rb_conf_load(p, &d, NULL, NULL)) == NULL)
		return 0;
	for (size_t i = 0; i < c->nfwd; i++)
		want |= c->fwd[i].tls_upstream;
	if (c->username != NULL)
		path(user, len, "%s", c->username);
	rb_conf_free(c);
	return want;
}

/* One service directory per daemon template found, in dir (the root or
 * its staging directory) for the root named root. */
static void
make_services(const char *dir, const char *root, const struct opts *o)
{
	struct dirent *e;
	char user[256];
	int n = 0, dot = read_conf(dir, user, sizeof user), err;
	DIR *tmpl = opendir(o->tmpl); /* after read_conf: errno is its */

	if (tmpl == NULL) {
		err = errno;
		rb_die(err == ENOENT ? 100 : 111,
		    "unable to open the templates %s: %s%s", o->tmpl,
		    strerror(err),
		    err == ENOENT ? " (--templates DIR: svc/ of the source "
		                    "tree, or make install)" :
		                    "");
	}
	while ((e = readdir(tmpl)) != NULL) {
		if (strncmp(e->d_name, "rb-", 3) != 0)
			continue;
		/* The DoT forwarder runs only for forward-tls-upstream. */
		if (strcmp(e->d_name, "rb-dot") == 0 && !dot)
			continue;
		make_service(dir, root, o, user[0] ? user : NULL, e->d_name);
		n++;
	}
	closedir(tmpl);
	if (n == 0)
		rb_die(100, "no service templates in %s", o->tmpl);
}

/* The files of dir/sub to pw's user (build_data made them as root). */
static void
chown_files(const char *dir, const char *sub, const struct passwd *pw)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	path(p, sizeof p, "%s/%s", dir, sub);
	if ((d = opendir(p)) == NULL)
		rb_die(111, "unable to read %s: %s", p, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path(p, sizeof p, "%s/%s/%s", dir, sub, de->d_name);
		if (chown(p, pw->pw_uid, pw->pw_gid) < 0)
			rb_die(111, "unable to chown %s: %s", p,
			    strerror(errno));
	}
	(void)closedir(d);
}

/* The state directories of dir (the staging directory), the keys and
 * the logs to user; the config to root with user's group. */
static void
give_to_user(const char *dir, const char *user)
{
	static const char *const dirs[] = { "", "/store", "/journal", "/data",
		"/run", "/audit", "/feeds", "/sync" };
	struct passwd *pw = getpwnam(user);
	char p[PATH_MAX];

	if (pw == NULL)
		rb_die(100, "no such user: %s", user);
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		path(p, sizeof p, "%s%s", dir, dirs[i]);
		if (rb_file_mkdirs(p, 0750) < 0 ||
		    chown(p, i == 0 ? 0 : pw->pw_uid, pw->pw_gid) < 0)
			rb_die(111, "unable to set up %s: %s", p,
			    strerror(errno));
	}
	chown_files(dir, "data", pw);
	path(p, sizeof p, "%s/runbound.conf", dir);
	if (chown(p, 0, pw->pw_gid) < 0)
		rb_die(111, "unable to chown %s: %s", p, strerror(errno));
	/* rb-apid reads it again on SIGHUP, as the user. */
	path(p, sizeof p, "%s/api.key", dir);
	chown_to(p, user);
	/* rb-auditd reads it as the user. */
	path(p, sizeof p, "%s/audit/hmac.key", dir);
	chown_to(p, user);
	path(p, sizeof p, "%s/log", dir);
	chown_to(p, user);
}

static int
port_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end != '\0' || v < 1 || v > 65535)
		rb_die(100, "not a port: %s", s);
	return (int)v;
}

static void
options(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = { { "slave", 1, NULL, 's' },
		{ "user", 1, NULL, 'u' }, { "listen", 1, NULL, 'l' },
		{ "port", 1, NULL, 'p' }, { "api-port", 1, NULL, 'a' },
		{ "sync-port", 1, NULL, 'y' }, { "bin", 1, NULL, 'b' },
		{ "templates", 1, NULL, 't' },
		{ "refresh-services", 0, NULL, 'r' },
		{ "audit-log", 0, NULL, 'A' }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	int c;

	*o = (struct opts){ .listen = "127.0.0.1",
		.port = 53,
		.api_port = 8081,
		.sync_port = 8082,
		.bin = RB_BINDIR,
		.tmpl = RB_SHAREDIR "/svc" };
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o->slave = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'p':
			o->port = port_arg(optarg);
			break;
		case 'a':
			o->api_port = port_arg(optarg);
			break;
		case 'y':
			o->sync_port = port_arg(optarg);
			break;
		case 'b':
			o->bin = optarg;
			break;
		case 't':
			o->tmpl = optarg;
			break;
		case 'r':
			o->refresh = 1;
			break;
		case 'A':
			o->audit_log = 1;
			break;
		default:
			usage(c == 'h');
		}
	}
	if (optind != argc - 1)
		usage(0);
	if (o->slave != NULL && strchr(o->slave, ':') == NULL)
		rb_die(100, "--slave takes MASTER:PORT");
	if (strpbrk(o->listen, "\"\n") ||
	    (o->slave && strpbrk(o->slave, "\"\n")) ||
	    (o->user && strpbrk(o->user, "\"\n")))
		rb_die(100, "quotes and newlines are not allowed in options");
}

static int
remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p) < 0 && errno != ENOENT ? -1 : 0;
}

/* At exit: a staging directory still there means rb-conf failed. */
static void
remove_staging(void)
{
	if (staging[0] != '\0' &&
	    nftw(staging, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		fprintf(stderr, "rb-conf: warning: unable to remove %s: %s\n",
		    staging, strerror(errno));
}

/* A new empty staging directory beside root, into staging. */
static void
make_staging(const char *root)
{
	char parent[PATH_MAX];
	const char *base;

	if (access(root, F_OK) == 0)
		rb_die(100,
		    "unable to create %s: %s (rb-conf never overwrites a "
		    "state root)",
		    root, strerror(EEXIST));
	if (errno != ENOENT)
		rb_die(111, "unable to create %s: %s", root, strerror(errno));
	if (rb_file_dirname(root, parent, sizeof parent, &base) < 0)
		rb_die(100, "not a directory name: %s", root);
	path(staging, sizeof staging, "%s/.%s.rb-conf.XXXXXX", parent, base);
	if (atexit(remove_staging) != 0 || mkdtemp(staging) == NULL) {
		int err = errno;

		staging[0] = '\0';
		rb_die(err == ENOENT || err == ENOTDIR ? 100 : 111,
		    "unable to create %s: %s", root, strerror(err));
	}
	if (chmod(staging, 0750) < 0)
		rb_die(111, "unable to create %s: %s", root, strerror(errno));
}

/* The keys, 256 random bits each in hex: api.key and the audit log's
 * (doc/audit.md), both 0600, so that turning audit-log: on needs no
 * other step; the sync key goes into runbound.conf. */
static void
write_keys(const char *dir)
{
	char key[65], line[67], p[PATH_MAX];

	random_hex(key, 32);
	snprintf(line, sizeof line, "%s\n", key);
	write_file(dir, "api.key", line, 0600);
	path(p, sizeof p, "%s/audit", dir);
	if (rb_file_mkdirs(p, 0750) < 0)
		rb_die(111, "unable to create %s: %s", p, strerror(errno));
	random_hex(key, 32);
	snprintf(line, sizeof line, "%s\n", key);
	write_file(dir, "audit/hmac.key", line, 0600);
}

/* data/ for the new config, so that rb-dnsd answers its local zones
 * (unbound's default ones at least) before the first write builds it.
 * The files stay root's: writers replace them whole, readers read them. */
static void
build_data(const char *dir, const char *root)
{
	struct rb_err e = { 0 };
	struct rb_conf *c = rb_conf_load_root(dir, &e);
	struct rb_store s;
	char p[PATH_MAX];
	int r;

	memset(&s, 0, sizeof s);
	path(p, sizeof p, "%s/data", dir);
	if (c == NULL || rb_file_mkdirs(p, 0755) < 0)
		rb_die(111, "unable to build %s/data: %s", root,
		    c == NULL ? e.details : strerror(errno));
	r = rb_store_load(&s, dir, &e) < 0 ? -1 : rb_data_build(dir, c, &s, &e);
	rb_store_fini(&s);
	rb_conf_free(c);
	if (r < 0)
		rb_die(111, "unable to build %s/data: %s", root, e.details);
}

/* Make the root whole in staging, then rename it into place, refusing
 * one that appeared meanwhile. */
static void
make_root(const char *root, const struct opts *o)
{
	char sync_key[65];

	make_staging(root);
	random_hex(sync_key, 32);
	write_conf(staging, root, o, sync_key);
	write_keys(staging);
	build_data(staging, root);
	make_services(staging, root, o);
	if (o->user != NULL)
		give_to_user(staging, o->user);
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, root, RENAME_NOREPLACE) < 0)
		rb_die(errno == EEXIST ? 100 : 111, "unable to create %s: %s%s",
		    root, strerror(errno),
		    errno == EEXIST ?
		        " (rb-conf never overwrites a state root)" :
		        "");
	staging[0] = '\0';
	if (rb_file_dir_sync(root, 0) < 0)
		rb_die(111, "unable to sync the directory of %s: %s", root,
		    strerror(errno));
}

int
main(int argc, char **argv)
{
	char root[PATH_MAX];
	struct opts o;
	json_t *out;

	rb_log_init("rb-conf", 0);
	options(argc, argv, &o);
	if (rb_root_resolve(argv[optind], root, sizeof root) < 0)
		rb_die(errno == ENAMETOOLONG ? 100 : 111,
		    "unable to resolve %s: %s", argv[optind], strerror(errno));
	if (o.refresh) {
		/* An existing root: its configuration stays as it is. */
		if (rb_root_check(root) < 0)
			rb_die(100, "%s: %s", root, strerror(errno));
		make_services(root, root, &o);
		return 0;
	}
	make_root(root, &o);
	out = json_pack("{s:s, s:s, s:s}", "status", "ok", "root", root, "role",
	    o.slave ? "slave" : "master");
	if (out == NULL || json_dumpf(out, stdout, JSON_COMPACT) < 0 ||
	    puts("") == EOF)
		rb_die(111, "unable to write output");
	json_decref(out);
	return 0;
}
