#ifndef RB_ZONE_ZONEVER_H
#define RB_ZONE_ZONEVER_H

/*
 * zonever: the kept versions of data/zones.cdb (doc/rb-zone.md,
 * "History"): ROOT/store/zones.json lists the last builds, oldest first,
 * each with the sha256 id of its file ROOT/store/zones.d/<id>.cdb and the
 * serial of every zone it held.  IXFR looks up the version a secondary
 * still has here.
 */

#include <stddef.h>
#include <stdint.h>

/* The file of the newest kept version in which zone apex (presentation
 * form with the final dot, any case) had serial, into path (len bytes);
 * with skip > 0, of the skip-th such version before the newest (a zone
 * edited without a new serial is at one serial in several versions).
 * Returns 1 when found and the file exists, 0 when no kept version has it
 * (or the history is absent), -1 with errno set when zones.json cannot
 * be read or does not parse (EPROTO). */
int rb_zonever_find(const char *root, const char *apex, uint32_t serial,
    size_t skip, char *path, size_t len);

#endif
