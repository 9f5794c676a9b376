#ifndef RB_ZONE_TINYDNS_H
#define RB_ZONE_TINYDNS_H

/*
 * tinydns: zone sources in djb's tinydns-data line syntax (. & = + @ ' ^
 * C Z : % - #), for people moving from djbdns.  A file of data lines is
 * staged into the same zone set as RFC 1035 master files (lib/zone/zone.h), so
 * rb_zone_set_serial and rb_zone_build treat both alike.  doc/rb-zone.md,
 * "tinydns-data files", says what each line makes and what is refused.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "zone/zone.h"

/* 1 when text (len bytes, borrowed, any bytes) is tinydns-data rather
 * than a master file: its first line that is not blank is a '#' comment,
 * or starts with one of . & = + @ ' ^ C Z : % - and the text after that
 * character, up to the first white space, holds a ':'.  Else 0. */
int rb_tinydns_sniff(const char *text, size_t len);

/* Stage every record of the data lines in text (len bytes, borrowed),
 * named fname in messages, into zs.  serial is the SOA serial of '.'
 * lines and of 'Z' lines without one (tinydns-data uses the file's
 * mtime).  Returns 0, or -1 with d filled as "fname:line: message" and
 * errno EINVAL (zs unchanged) or ENOMEM (zs fit only for rb_zone_fini). */
int rb_tinydns_load(struct rb_zoneset *zs, const char *text, size_t len,
    const char *fname, uint32_t serial, struct rb_diag *d);

#endif
