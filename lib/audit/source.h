#ifndef RB_AUDIT_SOURCE_H
#define RB_AUDIT_SOURCE_H

/*
 * Where audit events come from (doc/audit.md): the journal (every store
 * change and the journalled admin events) and audit/spool/ (events that
 * change nothing: auth_failure, other daemons' startup and shutdown, ...),
 * and what the audit log keeps of each.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "audit/line.h"

/* The fields the audit log records for a journal event: Runbound's where
 * Runbound documents the event (dns_add {name,type,value}, ...), ours for
 * ours, and the scalar members of anything else.  New reference; NULL on
 * ENOMEM. */
json_t *rb_audit_source_fields(const char *event, const json_t *fields);

/* Events only rb-auditd writes; a spool file may not claim them. */
int rb_audit_source_reserved(const char *event);

/* Read root/journal/epoch into out (len bytes); -1 with errno (ENOENT
 * when the journal has none yet). */
int rb_audit_source_epoch(const char *root, char *out, size_t len);

#endif
