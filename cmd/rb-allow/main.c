/* rb-allow: the allowlist, which overrides every block from the shell
 * (doc/rb-allow.md). */

#include "cli.h"
#include "log.h"

int
main(int argc, char **argv)
{
	rb_log_init("rb-allow", 0);
	return rb_cli_main(argc, argv, RB_LIST_ALLOWLIST);
}
