/* rb-dns: local DNS records from the shell (doc/rb-dns.md). */

#include "cli.h"
#include "log.h"

int
main(int argc, char **argv)
{
	rb_log_init("rb-dns", 0);
	return rb_cli_main(argc, argv, RB_LIST_DNS);
}
