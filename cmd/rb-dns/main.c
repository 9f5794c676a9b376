/* rb-dns: local DNS records from the shell (doc/rb-dns.md). */

#include "base/log.h"
#include "prog/listcmd.h"

int
main(int argc, char **argv)
{
	rb_log_init("rb-dns", 0);
	return rb_listcmd_main(argc, argv, RB_LIST_DNS);
}
