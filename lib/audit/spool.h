#ifndef RB_AUDIT_SPOOL_H
#define RB_AUDIT_SPOOL_H

/*
 * audit/spool/: events for the audit log that are not store changes (an
 * auth_failure, say), queued by the daemons that see them for rb-auditd.
 * One file per event, written whole by atomic rename, named so that names
 * sort by time: "<ns>-<pid>-<n>.json" (doc/rb-apid.md).
 */

#include <jansson.h>

#include "audit/line.h"
#include "base/err.h"

#define RB_AUDIT_SPOOL_MAX 65536 /* largest spool file read */

/* Queue one event: ROOT/audit/spool/<name>.json holding
 * {"ts":<unix s>,"event":event,"fields":fields} and a newline.  fields is
 * borrowed (NULL for {}).  The directory is created (0750) if needed. */
int rb_audit_spool_event(const char *root, const char *event,
    const json_t *fields, struct rb_err *e);

/* Is name a spool file to take: no leading dot, [A-Za-z0-9._-], ends in
 * ".json", at most 200 bytes? */
int rb_audit_spool_name_ok(const char *name);

/* Parse a spool file's text {"ts":T,"event":E,"fields":{...}} (fields
 * optional).  *fields is a new reference.  -1 with *why (static) when it
 * is anything else. */
int rb_audit_spool_parse(const char *text, size_t len, int64_t *ts,
    char event[RB_AUDIT_EVENT_MAX + 1], json_t **fields, const char **why);

/* The spool names in dir, sorted (oldest first); free with
 * free (rb_audit_files_free does).  A missing dir is an empty list. */
int rb_audit_spool_list(const char *dir, char ***names, size_t *n);

#endif
