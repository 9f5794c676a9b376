#ifndef RB_ANSWER_FWDCONF_H
#define RB_ANSWER_FWDCONF_H

/*
 * fwdconf: the unbound.conf files that forwarding runs on, generated from
 * runbound.conf.  run/unbound.conf configures rb-dnsd's libunbound (forward
 * zones, TTL bounds, validation, unbound's built-in zones turned off);
 * run/dot.conf configures the loopback DNS-over-TLS forwarder (Debian's
 * unbound daemon under s6, svc/rb-dot) that forward zones with
 * forward-tls-upstream go through, since Debian's libunbound has no TLS.
 */

#include <stddef.h>

struct rb_conf;

/* The Debian root trust anchor used when dnssec-validation is on and no
 * trust-anchor-file is given. */
#define RB_FWDCONF_ROOT_KEY "/usr/share/dns/root.key"
#define RB_FWDCONF_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* The loopback DoT forwarder's port: the DNS port plus 1000 (minus 1000
 * when that passes 65535). */
int rb_fwdconf_dot_port(const struct rb_conf *c);

/* 1 when some forward zone has forward-tls-upstream. */
int rb_fwdconf_has_tls(const struct rb_conf *c);

/* The text of run/unbound.conf for c (borrowed); relative trust-anchor-file
 * paths are taken from root.  Zones with forward-tls-upstream forward to
 * 127.0.0.1@dot_port.  Returns a string the caller frees with free(3), or
 * NULL with errno. */
char *rb_fwdconf_unbound(const struct rb_conf *c, const char *root,
    int dot_port);

/* The text of run/dot.conf: unbound listening on 127.0.0.1@dot_port,
 * forwarding each forward-tls-upstream zone over TLS.  Same ownership. */
char *rb_fwdconf_dot(const struct rb_conf *c, int dot_port);

/* The TLS name to check for address addr: Runbound's built-in map for the
 * big public resolvers, else NULL. */
const char *rb_fwdconf_sni(const char *addr);

#endif
