/* command: see command.h. */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "prog/command.h"
#include "sys/privs.h"
#include "sys/root.h"

int
rb_command_root(const char *opt, char *out, size_t len, struct rb_err *e)
{
	if (rb_root_resolve(opt, out, len) < 0) {
		if (errno == ENAMETOOLONG)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_ROOT",
			    "state root longer than %d bytes", RB_ROOT_MAX);
		return rb_err_sys(e, "resolve the state root");
	}
	if (rb_root_check(out) == 0)
		return 0;
	if (errno == ENOENT)
		return rb_err_set(e, RB_ERR_NOT_FOUND, "NO_ROOT",
		    "no state root at %s (rb-conf makes one)", out);
	if (errno == ENOTDIR)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ROOT",
		    "state root %s is not a directory", out);
	return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
	    "unable to reach the state root %s: %s", out, strerror(errno));
}

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
