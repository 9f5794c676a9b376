/* rb-allow: the allowlist, which overrides every block from the shell
 * (doc/rb-allow.md). */

#include "base/log.h"
#include "prog/listcmd.h"

int
main(int argc, char **argv)
{
	rb_log_init("rb-allow", 0);
	return rb_listcmd_main(argc, argv, RB_LIST_ALLOWLIST);
}
