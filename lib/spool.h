#ifndef RB_SPOOL_H
#define RB_SPOOL_H

/*
 * audit/spool/: events for the audit log that are not store changes (an
 * auth_failure, say), queued by the daemons that see them for rb-auditd.
 * One file per event, written whole by atomic rename, named so that names
 * sort by time: "<ns>-<pid>-<n>.json" (doc/rb-apid.md).
 */

#include <jansson.h>

#include "err.h"

/* Queue one event: ROOT/audit/spool/<name>.json holding
 * {"ts":<unix s>,"event":event,"fields":fields} and a newline.  fields is
 * borrowed (NULL for {}).  The directory is created (0750) if needed. */
int rb_spool_event(const char *root, const char *event, const json_t *fields,
    struct rb_err *e);

#endif
