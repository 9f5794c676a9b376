/*
 * names: the names runbound.conf accepts without acting on them.
 * Unbound's server: directives come from unbound.conf(5) of unbound 1.17
 * (Debian's), its configlexer aliases, its module options that live in
 * server: (dns64, subnetcache, ipsecmod) and the directives later releases
 * added, so that an existing unbound.conf loads, with one summary line of
 * what it ignores.  The Runbound names are those of its directive
 * reference that runbound-c does not implement.  Every name here is
 * listed in doc/runbound.conf.md, "Directives accepted and ignored", with
 * the reason, and test/integ/86-conf-ignored.t checks that both agree:
 * add a name to both.  Lookups are linear: they run only for a directive
 * that is not ours, and there are a few hundred names.
 */

#include <string.h>

#include "conf/conf_int.h"

static const char *const unbound_server[] = {
	"access-control-tag",
	"access-control-tag-action",
	"access-control-tag-data",
	"access-control-view",
	"add-holddown",
	"additional-ssl-port",
	"additional-tls-port",
	"aggressive-nsec",
	"answer-cookie",
	"cache-max-negative-ttl",
	"cache-min-negative-ttl",
	"caps-exempt",
	"caps-whitelist",
	"chroot",
	"client-subnet-always-forward",
	"client-subnet-opcode",
	"client-subnet-zone",
	"cookie-secret",
	"cookie-secret-file",
	"define-tag",
	"del-holddown",
	"delay-close",
	"deny-any",
	"directory",
	"disable-dnssec-lame-check",
	"discard-timeout",
	"dlv-anchor",
	"dlv-anchor-file",
	"dns-error-reporting",
	"dns64-ignore-aaaa",
	"dns64-prefix",
	"dns64-synthall",
	"do-daemonize",
	"do-not-query-address",
	"do-not-query-localhost",
	"domain-insecure",
	"dynlib-file",
	"ede",
	"ede-serve-expired",
	"edns-buffer-size",
	"edns-client-string",
	"edns-client-string-opcode",
	"edns-client-tag",
	"edns-client-tag-opcode",
	"edns-tcp-keepalive",
	"edns-tcp-keepalive-timeout",
	"extended-statistics",
	"fake-dsa",
	"fake-sha1",
	"fast-server-num",
	"fast-server-permil",
	"harden-algo-downgrade",
	"harden-below-nxdomain",
	"harden-dnssec-stripped",
	"harden-glue",
	"harden-large-queries",
	"harden-referral-path",
	"harden-short-bufsize",
	"harden-unknown-additional",
	"harden-unverified-glue",
	"hide-http-user-agent",
	"hide-identity",
	"hide-trustanchor",
	"hide-version",
	"http-endpoint",
	"http-max-streams",
	"http-nodelay",
	"http-notls-downstream",
	"http-query-buffer-size",
	"http-response-buffer-size",
	"http-user-agent",
	"https-port",
	"identity",
	"ignore-cd-flag",
	"infra-cache-lame-size",
	"infra-cache-max-rtt",
	"infra-cache-min-rtt",
	"infra-cache-numhosts",
	"infra-cache-slabs",
	"infra-host-ttl",
	"infra-keep-probing",
	"infra-lame-ttl",
	"insecure-lan-zones",
	"interface-action",
	"interface-automatic",
	"interface-automatic-ports",
	"interface-tag",
	"interface-tag-action",
	"interface-tag-data",
	"interface-view",
	"ip-dscp",
	"ip-freebind",
	"ip-ratelimit",
	"ip-ratelimit-backoff",
	"ip-ratelimit-cookie",
	"ip-ratelimit-factor",
	"ip-ratelimit-size",
	"ip-ratelimit-slabs",
	"ip-transparent",
	"ipsecmod-allow",
	"ipsecmod-enabled",
	"ipsecmod-hook",
	"ipsecmod-ignore-bogus",
	"ipsecmod-max-ttl",
	"ipsecmod-strict",
	"ipsecmod-whitelist",
	"iter-scrub-cname",
	"iter-scrub-ns",
	"iter-scrub-promiscuous",
	"jostle-timeout",
	"keep-missing",
	"key-cache-size",
	"key-cache-slabs",
	"local-zone-override",
	"local-zone-tag",
	"log-destaddr",
	"log-identity",
	"log-local-actions",
	"log-queries",
	"log-replies",
	"log-servfail",
	"log-tag-queryreply",
	"log-thread-id",
	"log-time-ascii",
	"low-rtt",
	"low-rtt-pct",
	"low-rtt-permil",
	"max-client-subnet-ipv4",
	"max-client-subnet-ipv6",
	"max-ecs-tree-size-ipv4",
	"max-ecs-tree-size-ipv6",
	"max-global-quota",
	"max-query-restarts",
	"max-reuse-tcp-queries",
	"max-sent-count",
	"max-udp-size",
	"min-client-subnet-ipv4",
	"min-client-subnet-ipv6",
	"minimal-responses",
	"module-config",
	"msg-buffer-size",
	"msg-cache-size",
	"msg-cache-slabs",
	"nat64-prefix",
	"neg-cache-size",
	"nsid",
	"num-queries-per-thread",
	"num-threads",
	"outbound-msg-retry",
	"outgoing-interface",
	"outgoing-num-tcp",
	"outgoing-port-avoid",
	"outgoing-port-permit",
	"outgoing-range",
	"outgoing-tcp-mss",
	"pad-queries",
	"pad-queries-block-size",
	"pad-responses",
	"pad-responses-block-size",
	"permit-small-holddown",
	"pidfile",
	"prefer-ip4",
	"prefer-ip6",
	"prefetch",
	"prefetch-key",
	"proxy-protocol-port",
	"python-script",
	"qname-minimisation",
	"qname-minimisation-strict",
	"quic-port",
	"quic-size",
	"ratelimit",
	"ratelimit-backoff",
	"ratelimit-below-domain",
	"ratelimit-factor",
	"ratelimit-for-domain",
	"ratelimit-size",
	"ratelimit-slabs",
	"response-ip",
	"response-ip-data",
	"response-ip-tag",
	"root-hints",
	"root-key-sentinel",
	"rrset-cache-size",
	"rrset-cache-slabs",
	"rrset-roundrobin",
	"send-client-subnet",
	"serve-expired",
	"serve-expired-client-timeout",
	"serve-expired-reply-ttl",
	"serve-expired-ttl",
	"serve-expired-ttl-reset",
	"serve-original-ttl",
	"shm-enable",
	"shm-key",
	"so-rcvbuf",
	"so-reuseport",
	"so-sndbuf",
	"sock-queue-timeout",
	"ssl-cert-bundle",
	"ssl-port",
	"ssl-service-key",
	"ssl-service-pem",
	"ssl-upstream",
	"statistics-cumulative",
	"statistics-inhibit-zero",
	"statistics-interval",
	"stream-wait-size",
	"target-fetch-policy",
	"tcp-auth-query-timeout",
	"tcp-mss",
	"tcp-reuse-timeout",
	"tcp-upstream",
	"tls-additional-port",
	"tls-additional-ports",
	"tls-ciphers",
	"tls-ciphersuites",
	"tls-port",
	"tls-protocols",
	"tls-service-key",
	"tls-service-pem",
	"tls-session-ticket-keys",
	"tls-system-cert",
	"tls-upstream",
	"tls-use-sni",
	"tls-win-cert",
	"trust-anchor",
	"trust-anchor-signaling",
	"trusted-keys-file",
	"udp-connect",
	"udp-upstream-without-downstream",
	"unknown-server-time-limit",
	"unwanted-reply-threshold",
	"use-caps-for-id",
	"use-syslog",
	"use-systemd",
	"val-bogus-ttl",
	"val-clean-additional",
	"val-log-level",
	"val-max-restart",
	"val-nsec3-keysize-iterations",
	"val-override-date",
	"val-permissive-mode",
	"val-sig-skew-max",
	"val-sig-skew-min",
	"version",
	"wait-limit",
	"wait-limit-netblock",
	"zonemd-permissive-mode",
};

static const char *const unbound_forward[] = {
	"forward-first",
	"forward-host",
	"forward-no-cache",
	"forward-tcp-upstream",
};

/* Runbound (Rust) directives: TLS serving, ACME, XDP, web UI, HSM and the
 * other features runbound-c leaves out (doc/runbound.conf.md says why). */
static const char *const runbound_extra[] = {
	"abuse-tarpit-delay-ms",
	"abuse-tarpit-max-conns",
	"allow-update",
	"api-key",
	"api-socket",
	"audit-checkpoint-every",
	"audit-log-path",
	"bot-ban-duration-secs",
	"bot-honeypot-enabled",
	"branding",
	"cache-flush-cooldown",
	"cache-min-entries",
	"cache-size",
	"cpu-affinity",
	"ddr",
	"dns-cookies",
	"dnssec-log-bogus",
	"dot-client-auth-ca",
	"drain-timeout",
	"firewall-backend",
	"firewall-manage",
	"firewall-tag",
	"health-latency-threshold",
	"health-min-qps",
	"health-servfail-threshold",
	"local-zone-dnssec",
	"log-format",
	"node-id",
	"prefetch-threshold",
	"proxy-protocol",
	"rate-limit-burst",
	"rate-limit-prefix-v4",
	"rate-limit-prefix-v6",
	"resolution",
	"resolv-fallback",
	"rrl-slip",
	"serve-stale",
	"server-hostname",
	"stale-answer-ttl",
	"stale-max-age",
	"sync-allow-private-relay",
	"tls-cert-hostname",
	"tsig-key",
	"udp-busy-poll",
	"upstream-racing",
	"webhook",
	"webhook-events",
	"webhook-format",
	"webhook-token",
	"block-https-record",
	"xdp",
};

/* Families of Runbound directives, matched by prefix. */
static const char *const runbound_prefix[] = {
	"acme-",
	"block-page",
	"hsm-",
	"ui-",
	"xdp-",
};

static const struct {
	const char *name;
	enum rb_conf_clause clause;
} clauses[] = {
	{ "server", RB_CONF_SERVER },
	{ "forward-zone", RB_CONF_FORWARD },
	{ "auth-zone", RB_CONF_UNBOUND },
	{ "cachedb", RB_CONF_UNBOUND },
	{ "dnscrypt", RB_CONF_UNBOUND },
	{ "dnstap", RB_CONF_UNBOUND },
	{ "dynlib", RB_CONF_UNBOUND },
	{ "ipset", RB_CONF_UNBOUND },
	{ "python", RB_CONF_UNBOUND },
	{ "remote-control", RB_CONF_UNBOUND },
	{ "rpz", RB_CONF_UNBOUND },
	{ "stub-zone", RB_CONF_UNBOUND },
	{ "view", RB_CONF_UNBOUND },
	{ "alert", RB_CONF_RUNBOUND },
	{ "anycast", RB_CONF_RUNBOUND },
	{ "api-key-extra", RB_CONF_RUNBOUND },
	{ "axfr", RB_CONF_RUNBOUND },
	{ "icmp", RB_CONF_RUNBOUND },
	{ "io-uring", RB_CONF_RUNBOUND },
	{ "split-horizon", RB_CONF_RUNBOUND },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
member(const char *key, const char *const *tab, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(key, tab[i]) == 0)
			return 1;
	}
	return 0;
}

int
rb_conf_names_server(const char *key)
{
	return member(key, unbound_server, NELEM(unbound_server));
}

int
rb_conf_names_forward(const char *key)
{
	return member(key, unbound_forward, NELEM(unbound_forward));
}

int
rb_conf_names_runbound(const char *key)
{
	if (member(key, runbound_extra, NELEM(runbound_extra)))
		return 1;
	for (size_t i = 0; i < NELEM(runbound_prefix); i++) {
		size_t n = strlen(runbound_prefix[i]);
		if (strncmp(key, runbound_prefix[i], n) == 0)
			return 1;
	}
	return 0;
}

enum rb_conf_clause
rb_conf_names_clause(const char *key)
{
	for (size_t i = 0; i < NELEM(clauses); i++) {
		if (strcmp(key, clauses[i].name) == 0)
			return clauses[i].clause;
	}
	return RB_CONF_NONE;
}
