/*
 * fwdconf: unbound.conf text for libunbound and for the DoT forwarder.
 * The DESIGN.md pitfalls decide most lines: options go through a file
 * because ub_ctx_set_option("local-zone:") does nothing; unbound's
 * built-in zones (conf/defzones) are turned off with nodefault: rb-dnsd's
 * own local-zone step answers them, as the config has them (a name that
 * reaches libunbound is one rb-dnsd's steps let through); loopback forwarders
 * need do-not-query-localhost: no. Forwarding is strict (forward-first: no): a
 * zone's answers come from its forwarders or not at all.  Values from
 * runbound.conf are quoted; the parser already refused names and addresses that
 * would need more.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer/fwdconf.h"
#include "conf/conf.h"
#include "conf/defzones.h"

/* Runbound's DoT names for the big public resolvers. */
static const struct {
	const char *addr, *name;
} sni_map[] = {
	{ "1.1.1.1", "cloudflare-dns.com" },
	{ "1.0.0.1", "cloudflare-dns.com" },
	{ "9.9.9.9", "dns.quad9.net" },
	{ "149.112.112.112", "dns.quad9.net" },
	{ "8.8.8.8", "dns.google" },
	{ "8.8.4.4", "dns.google" },
	{ "208.67.222.222", "dns.opendns.com" },
	{ "208.67.220.220", "dns.opendns.com" },
};

const char *
rb_fwdconf_sni(const char *addr)
{
	for (size_t i = 0; i < sizeof sni_map / sizeof sni_map[0]; i++) {
		if (strcmp(sni_map[i].addr, addr) == 0)
			return sni_map[i].name;
	}
	return NULL;
}

int
rb_fwdconf_dot_port(const struct rb_conf *c)
{
	return c->port + 1000 <= 65535 ? c->port + 1000 : c->port - 1000;
}

int
rb_fwdconf_has_tls(const struct rb_conf *c)
{
	for (size_t i = 0; i < c->nfwd; i++) {
		if (c->fwd[i].tls_upstream)
			return 1;
	}
	return 0;
}

/* Lines both configs share: no daemon habits, no built-in zones. */
static void
common(FILE *f, const struct rb_conf *c)
{
	fprintf(f,
	    "server:\n"
	    "\tusername: \"\"\n"
	    "\tchroot: \"\"\n"
	    "\tdirectory: \"/\"\n"
	    "\tpidfile: \"\"\n"
	    "\tuse-syslog: no\n"
	    "\tlogfile: \"\"\n"
	    "\tverbosity: 0\n"
	    "\tdo-not-query-localhost: no\n"
	    "\tedns-buffer-size: 1232\n"
	    "\tcache-max-ttl: %ld\n"
	    "\tcache-min-ttl: %ld\n",
	    c->cache_max_ttl, c->cache_min_ttl);
	for (size_t i = 0; i < rb_conf_defzones_count; i++)
		fprintf(f, "\tlocal-zone: \"%s\" nodefault\n",
		    rb_conf_defzones_names[i]);
}

static void
trust_anchors(FILE *f, const struct rb_conf *c, const char *root)
{
	fprintf(f,
	    "\tmodule-config: \"validator iterator\"\n"
	    "\tval-permissive-mode: no\n"
	    "\tval-log-level: 0\n");
	if (c->ntrust_anchor_files == 0)
		fprintf(f, "\ttrust-anchor-file: \"%s\"\n",
		    RB_FWDCONF_ROOT_KEY);
	for (size_t i = 0; i < c->ntrust_anchor_files; i++) {
		const char *p = c->trust_anchor_files[i];
		fprintf(f, "\ttrust-anchor-file: \"%s%s%s\"\n",
		    p[0] == '/' ? "" : root, p[0] == '/' ? "" : "/", p);
	}
}

/* Close the stream; the text, or NULL with errno. */
static char *
finish(FILE *f, char **buf)
{
	int bad = ferror(f);

	/* open_memstream sets *buf only at fclose. */
	if (fclose(f) != 0 || bad) {
		free(*buf);
		errno = errno ? errno : EIO;
		return NULL;
	}
	return *buf;
}

char *
rb_fwdconf_unbound(const struct rb_conf *c, const char *root, int dot_port)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	common(f, c);
	if (c->dnssec_validation)
		trust_anchors(f, c, root);
	else
		fprintf(f, "\tmodule-config: \"iterator\"\n");
	for (size_t i = 0; i < c->nfwd; i++) {
		const struct rb_conf_fwd_zone *z = &c->fwd[i];
		fprintf(f,
		    "forward-zone:\n\tname: \"%s\"\n"
		    "\tforward-first: no\n",
		    z->name);
		if (z->tls_upstream) {
			fprintf(f, "\tforward-addr: 127.0.0.1@%d\n", dot_port);
			continue;
		}
		for (size_t j = 0; j < z->naddrs; j++)
			fprintf(f, "\tforward-addr: %s@%d\n", z->addrs[j].addr,
			    z->addrs[j].port);
	}
	return finish(f, &buf);
}

char *
rb_fwdconf_dot(const struct rb_conf *c, int dot_port)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	common(f, c);
	fprintf(f,
	    "\tinterface: 127.0.0.1\n"
	    "\tport: %d\n"
	    "\tdo-daemonize: no\n"
	    "\taccess-control: 127.0.0.0/8 allow\n"
	    "\tmodule-config: \"iterator\"\n"
	    "\ttls-cert-bundle: \"%s\"\n"
	    "remote-control:\n\tcontrol-enable: no\n",
	    dot_port,
	    c->tls_cert_bundle ? c->tls_cert_bundle : RB_FWDCONF_CA_BUNDLE);
	for (size_t i = 0; i < c->nfwd; i++) {
		const struct rb_conf_fwd_zone *z = &c->fwd[i];
		if (!z->tls_upstream)
			continue;
		fprintf(f,
		    "forward-zone:\n\tname: \"%s\"\n"
		    "\tforward-first: no\n\tforward-tls-upstream: yes\n",
		    z->name);
		for (size_t j = 0; j < z->naddrs; j++) {
			const struct rb_conf_fwd_addr *a = &z->addrs[j];
			const char *sni = a->tls_name ? a->tls_name :
			    z->tls_hostname           ? z->tls_hostname :
			                                rb_fwdconf_sni(a->addr);
			fprintf(f, "\tforward-addr: %s@%d%s%s\n", a->addr,
			    a->port, sni ? "#" : "", sni ? sni : "");
		}
	}
	return finish(f, &buf);
}
