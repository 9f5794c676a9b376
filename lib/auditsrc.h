#ifndef RB_AUDITSRC_H
#define RB_AUDITSRC_H

/*
 * Where audit events come from (doc/audit.md): the journal (every store
 * change and the journalled admin events) and audit/spool/ (events that
 * change nothing: auth_failure, other daemons' startup and shutdown, ...),
 * and what the audit log keeps of each.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auditlog.h"

#define RB_AUDIT_SPOOL_MAX 65536 /* largest spool file read */

/* The fields the audit log records for a journal event: Runbound's where
 * Runbound documents the event (dns_add {name,type,value}, ...), ours for
 * ours, and the scalar members of anything else.  New reference; NULL on
 * ENOMEM. */
json_t *rb_audit_journal_fields(const char *event, const json_t *fields);

/* Events only rb-auditd writes; a spool file may not claim them. */
int rb_audit_event_reserved(const char *event);

/* Is name a spool file to take: no leading dot, [A-Za-z0-9._-], ends in
 * ".json", at most 200 bytes? */
int rb_audit_spool_name_ok(const char *name);

/* Parse a spool file's text {"ts":T,"event":E,"fields":{...}} (fields
 * optional).  *fields is a new reference.  -1 with *why (static) when it
 * is anything else. */
int rb_audit_spool_parse(const char *text, size_t len, int64_t *ts,
    char event[RB_AUDIT_EVENT_MAX + 1], json_t **fields, const char **why);

/* The spool names in dir, sorted (oldest first); free with
 * rb_audit_files_free.  A missing dir is an empty list. */
int rb_audit_spool_list(const char *dir, char ***names, size_t *n);

/* Read root/journal/epoch into out (len bytes); -1 with errno (ENOENT
 * when the journal has none yet). */
int rb_audit_journal_epoch(const char *root, char *out, size_t len);

#endif
