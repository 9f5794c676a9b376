#ifndef RB_WIRE_RR_H
#define RB_WIRE_RR_H

/*
 * One resource record in the forms the toolkit needs: lower-case wire owner
 * name, type, TTL and wire rdata for the cdb files, and Runbound's one-line
 * text ("nas.home. 300 A 192.168.1.10").  Parsing is ldns's; this file is
 * the only one that sees ldns types for records.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "wire/dname.h"

struct rb_rr {
	uint8_t owner[RB_DNAME_MAX]; /* lower-case wire form */
	int owner_len;
	uint16_t type;
	uint32_t ttl;
	uint8_t *rdata; /* owned; uncompressed wire rdata */
	size_t rdlen;
	char *text;   /* owned; "owner ttl TYPE rdata" (NULL from
	                 rb_entry_dns_rr's A/AAAA path) */
	char *rdtext; /* owned; the rdata alone, canonical: presentation
	                 form, single spaces, names lower-cased (NULL as
	                 text is) */
};

/* Parse owner name (host-name syntax, checked as Runbound does), a type
 * mnemonic from the supported set (A AAAA CNAME TXT MX SRV CAA PTR NAPTR
 * SSHFP TLSA NS) and rdata in presentation form.  Fills rr (release with
 * rb_rr_fini); on failure returns -1 with e set (INVALID_NAME,
 * INVALID_TYPE, INVALID_VALUE) and rr left empty. */
int rb_rr_parse(const char *name, const char *type, const char *rdata,
    uint32_t ttl, struct rb_rr *rr, struct rb_err *e);

/* Parse a whole record line as unbound's local-data takes it ("name [ttl]
 * [IN] TYPE rdata"), any type ldns knows, default TTL 3600. */
int rb_rr_parse_line(const char *line, struct rb_rr *rr, struct rb_err *e);

/* Make the PTR record of local-data-ptr: "address name". */
int rb_rr_parse_ptr(const char *line, struct rb_rr *rr, struct rb_err *e);

/* Release what rr owns; rr may be zeroed or already released. */
void rb_rr_fini(struct rb_rr *rr);

/* Type number of a supported API type mnemonic (case-insensitive), or 0. */
uint16_t rb_rr_api_type(const char *mnemonic);

#endif
