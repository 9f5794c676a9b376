/* command: see command.h. */

#include <unistd.h>

#include "conf/conf.h"
#include "prog/command.h"
#include "sys/privs.h"

int
rb_command_as_owner(const char *root, struct rb_err *e)
{
	struct rb_conf *c;
	int r = 0;

	if (geteuid() != 0)
		return 0;
	if ((c = rb_conf_load_root(root, e)) == NULL)
		return -1;
	if (c->username != NULL && c->username[0] != '\0')
		r = rb_privs_drop(c->username, e);
	rb_conf_free(c);
	return r;
}
