#ifndef RB_CONF_DEFZONES_H
#define RB_CONF_DEFZONES_H

/*
 * defzones: unbound 1.17's default local zones (services/localzone.c,
 * local_zone_enter_defaults; util/as112.c): localhost. (redirect, with
 * A 127.0.0.1 and AAAA ::1), the two loopback reverse zones (static, with
 * their PTR localhost.), home.arpa., onion., test., invalid. and, unless
 * unblock-lan-zones: yes, the AS112 reverse zones (RFC 1918, RFC 6598,
 * RFC 6303), each static with an SOA "localhost. nobody.invalid. 1 3600
 * 1200 604800 10800" and NS localhost. at its apex, TTL 10800.  A
 * local-zone the config names itself (of any type, nodefault included)
 * replaces the default of that name.  rb-dnsd lets names of forward zones
 * at or inside them and of authoritative zones through them
 * (lib/answer/answer.c).
 */

#include <stddef.h>

#include "conf/conf.h"

/* The names of every default zone, AS112 ones included (for libunbound's
 * config, which turns them all off with nodefault). */
extern const char *const rb_conf_defzones_names[];
extern const size_t rb_conf_defzones_count;

/* Append the default zones c does not replace to c->zones, and their
 * records to c->data, marked builtin.  0, or -1 out of memory. */
int rb_conf_defzones_add(struct rb_conf *c);

/* The config's own local-zones, and its own local-data and
 * local-data-ptr lines: what c holds without the defaults. */
size_t rb_conf_defzones_own_zones(const struct rb_conf *c);
size_t rb_conf_defzones_own_data(const struct rb_conf *c);

#endif
