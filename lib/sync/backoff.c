/*
 * backoff: a slave's delays between tries (lib/sync/backoff.h).
 */

#include "sync/backoff.h"

#define CAP_FAILED 10
#define CAP_REFUSED 300

long
rb_sync_backoff_next(long cur, int refused)
{
	long cap = refused ? CAP_REFUSED : CAP_FAILED;
	long next = cur < RB_SYNC_BACKOFF_MIN ? RB_SYNC_BACKOFF_MIN : 2 * cur;

	return next > cap ? cap : next;
}
