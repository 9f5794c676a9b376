#ifndef RB_CONF_CONF_H
#define RB_CONF_CONF_H

/*
 * runbound.conf: unbound.conf syntax plus Runbound's directives.  The
 * parser fills a struct rb_conf with every directive's effective value
 * (defaults applied); programs read the fields they need.
 */

#include <stddef.h>

#include "base/diag.h"
#include "base/err.h"

/* local-zone: "name" type */
struct rb_conf_zone {
	char *name; /* presentation form, as written (dot added if missing) */
	char *type; /* static, transparent, redirect, always_nxdomain, ... */
	const char *file; /* borrowed from the conf's file table */
	int line;
	int builtin; /* one of unbound's default zones (conf/defzones) */
};

/* local-data: "rr text" and local-data-ptr: "addr name" */
struct rb_conf_data {
	char *text; /* the quoted string, unquoted */
	const char *file;
	int line;
	int builtin; /* a record of a default zone (conf/defzones) */
};

/* forward-addr: ip[@port][#tlsname] */
struct rb_conf_fwd_addr {
	char *addr;     /* address text, without @port or #name */
	int port;       /* 53, or 853 with forward-tls-upstream, or @port */
	char *tls_name; /* from #name, NULL when absent */
};

struct rb_conf_fwd_zone {
	char *name;         /* as written, dot added if missing */
	int tls_upstream;   /* forward-tls-upstream: yes */
	char *tls_hostname; /* forward-tls-hostname, NULL when absent; an
	                       address's own #name takes precedence */
	size_t naddrs;
	struct rb_conf_fwd_addr *addrs;
	const char *file;
	int line;
};

/* interface: ip[@port] or name[@port] */
struct rb_conf_iface {
	char *addr; /* an address, or an interface name when name is set */
	int port;   /* the port: directive unless @port was given */
	int name;   /* addr is an interface name (eth0, lo), resolved by
	               rb-dnsd to the addresses the interface has */
};

/* access-control: netblock action */
struct rb_conf_acl {
	char *netblock; /* "192.168.0.0/16", "::1/128" */
	char *action;   /* allow, deny, refuse, allow_snoop, ... */
};

/* tcp-connection-limit: netblock limit */
struct rb_conf_tcl {
	char *netblock; /* "192.0.2.0/24", a bare address given /32 or /128 */
	long limit;     /* simultaneous connections, 0..2147483647 */
};

/* also-notify: ip[@port] */
struct rb_conf_notify {
	char *addr; /* address text, without @port */
	int port;   /* 53 unless @port was given */
};

/* A node's role in replication (mode:). */
enum rb_conf_mode { RB_MODE_MASTER = 0, RB_MODE_SLAVE };

/* "master" or "slave". */
const char *rb_conf_mode_name(enum rb_conf_mode m);

struct rb_conf;

/* The address rb-syncd's master listens on: sync-interface:, else the
 * first address interface: gives (as Unbound's services follow it),
 * else loopback. */
const char *rb_conf_sync_addr(const struct rb_conf *c);

struct rb_conf {
	char *path; /* the file given to rb_conf_load */
	size_t nfiles;
	char **files; /* every file read, path first; the table that file
	                 fields borrow from */

	size_t nifaces;
	struct rb_conf_iface *ifaces;       /* default: 0.0.0.0 when none */
	int port;                           /* 53 */
	int do_ip4, do_ip6, do_udp, do_tcp; /* yes */
	size_t nacls;
	struct rb_conf_acl *acls;
	long rate_limit;       /* 200, 0 = off */
	long incoming_num_tcp; /* TCP connection slots: 1024, 0 = no TCP */
	long tcp_idle_timeout; /* ms, 30000, held within 1..120000 */
	size_t ntcp_limits;
	struct rb_conf_tcl *tcp_limits; /* tcp-connection-limit */
	size_t nallow_transfer;
	char **allow_transfer; /* netblocks that may AXFR/IXFR; none: nobody */
	size_t nalso_notify;
	struct rb_conf_notify *also_notify; /* NOTIFY on zone changes */
	long cache_max_ttl;                 /* 86400 */
	long cache_min_ttl;                 /* 0 */
	size_t nprivate_addrs;
	char **private_addrs;
	size_t nprivate_domains;
	char **private_domains;
	size_t nzones;
	struct rb_conf_zone *zones;
	size_t ndata;
	struct rb_conf_data *data;
	size_t nptrs;
	struct rb_conf_data *ptrs;
	size_t nfwd;
	struct rb_conf_fwd_zone *fwd;

	enum rb_conf_mode mode; /* mode: master (default) or slave */
	int sync_port;          /* 0 = off */
	char *sync_interface;   /* the address it listens on, NULL: the
	                           first of interface:'s, else 127.0.0.1
	                           (rb_conf_sync_addr) */
	char *sync_key;         /* NULL when absent */
	char *sync_master;      /* "ip:port", NULL when absent */
	long sync_interval;     /* 30 */
	int api_port;           /* 8081 */
	long api_addr_cap;      /* conns from one address: 256, 0 = no cap */
	int unblock_lan_zones;  /* no: the AS112 zones are answered locally */
	long log_retention;     /* 1000, 0..10000 */
	int log_client_ip;      /* no (inventory.md appendix) */
	int audit_log;          /* no */
	char *audit_log_hmac_key;
	int dnssec_validation; /* yes when the config names a trust anchor
	                          (trust-anchor-file, auto-trust-anchor-file)
	                          and does not say no, as unbound; else no */
	size_t ntrust_anchor_files;
	char **trust_anchor_files; /* trust-anchor-file: as written; none:
	                              Debian's root.key (rb-dnsd) */
	char *tls_cert_bundle;     /* tls-cert-bundle: CAs for DoT upstreams;
	                              NULL: the system's */
	int verbosity;             /* 1 */
	char *logfile;             /* NULL = stderr */
	char *username;            /* NULL = stay as started */
	long journal_retention;    /* 10000 */

	long feed_interval;  /* seconds between feed refreshes: 86400 */
	long feed_max_bytes; /* cap on one feed body: 104857600 */
	char *feed_ca_file;  /* absolute path; NULL = the system's CAs */
	size_t nfeed_allow;
	char **feed_allow; /* netblocks exempt from the feed fetcher's
	                      internal-address rule (tests only) */
};

/* Warnings (a value taken as another) go here, one call per line; file and
 * msg are borrowed for the call only.  Directives and clauses accepted and
 * ignored (doc/runbound.conf.md) are not warned one by one: after a parse
 * that succeeds, one call with file NULL and line 0 gives their summary,
 * "ignored (not implemented): num-threads (2), stub-zone (1)", names in
 * the order first seen, when there is any. */
typedef void (
    *rb_conf_warn_fn)(void *ctx, const char *file, int line, const char *msg);

/* Parse path and the files it includes (include: paths are relative to the
 * including file's directory).  Returns a new conf (free with rb_conf_free)
 * or NULL with errno set and d filled ("runbound.conf:12: unknown directive
 * 'x'").  warn may be NULL. */
struct rb_conf *rb_conf_load(const char *path, struct rb_diag *d,
    rb_conf_warn_fn warn, void *ctx);

/* Parse an in-memory text as if it were file name (for tests and fuzzing;
 * include: is resolved relative to the current directory). */
struct rb_conf *rb_conf_parse(const char *name, const char *text, size_t len,
    struct rb_diag *d, rb_conf_warn_fn warn, void *ctx);

/* A conf with every default and no file (for a state root with none). */
struct rb_conf *rb_conf_default(void);

/* ROOT/runbound.conf, or the defaults when the root has none: how every
 * program loads its config.  NULL with e set (INVALID_CONFIG, with the
 * file and line) when it is invalid. */
struct rb_conf *rb_conf_load_root(const char *root, struct rb_err *e);

/* Free c and everything it owns; accepts NULL. */
void rb_conf_free(struct rb_conf *c);

/* The effective configuration as indented JSON, one key per struct field.
 * With redact, sync_key and audit_log_hmac_key read "***".  Returns a
 * string the caller frees with free(3), or NULL with errno set. */
char *rb_conf_json(const struct rb_conf *c, int redact);

#endif
