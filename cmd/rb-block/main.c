/* rb-block: the blacklist from the shell (doc/rb-block.md). */

#include "base/log.h"
#include "prog/listcmd.h"

int
main(int argc, char **argv)
{
	rb_log_init("rb-block", 0);
	return rb_listcmd_main(argc, argv, RB_LIST_BLACKLIST);
}
