/* Unit tests for lib/sync/backoff: the slave's delays between tries. */

#include "sync/backoff.h"

#include "../../tap.h"

int
main(void)
{
	long d = RB_SYNC_BACKOFF_MIN, seen[8];

	for (int i = 0; i < 8; i++)
		d = seen[i] = rb_sync_backoff_next(d, 0);
	is_int(seen[0], 10, "a failure again: 5 s, then 10 s");
	is_int(seen[7], 10,
	    "and never more while the master is away: a "
	    "slave is back within 10 s of its return");
	d = RB_SYNC_BACKOFF_MIN;
	for (int i = 0; i < 8; i++)
		d = seen[i] = rb_sync_backoff_next(d, 1);
	is_int(seen[0], 10, "refused: doubling");
	is_int(seen[3], 80, "still doubling");
	is_int(seen[7], 300, "up to 300 s");
	is_int(rb_sync_backoff_next(0, 0), RB_SYNC_BACKOFF_MIN,
	    "from nothing: the first delay");
	is_int(rb_sync_backoff_next(300, 0), 10,
	    "refused, then failed: back to the short cap");
	done_testing();
	return exit_status();
}
