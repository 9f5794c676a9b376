/*
 * privs: rb-feedd needs no privileges.  Started as root (s6 runs services
 * as root), it becomes runbound.conf's username: (else the UID and GID
 * that s6-envuidgid exported) before it touches the state root, so every
 * file it writes belongs to the account that owns the root, then forbids
 * regaining privileges.  As rb-dnsd does (cmd/rb-dnsd/setup.c).
 */

#include <sys/prctl.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privs.h"

static void
become(uid_t uid, gid_t gid, const char *who)
{
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		rb_die(111, "unable to become %s: %s", who, strerror(errno));
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid || (uid != 0 && setuid(0) == 0))
		rb_die(111, "unable to become %s: the switch did not hold",
		    who);
	rb_debug("running as uid=%u gid=%u", (unsigned)uid, (unsigned)gid);
}

void
feedd_drop_privileges(const struct rb_conf *c)
{
	const char *env_uid = getenv("UID"), *env_gid = getenv("GID");

	if (geteuid() == 0 && c->username != NULL && c->username[0] != '\0') {
		struct passwd *pw = getpwnam(c->username);
		if (pw == NULL)
			rb_die(100, "username: unknown user '%s'", c->username);
		become(pw->pw_uid, pw->pw_gid, c->username);
	} else if (geteuid() == 0 && env_uid != NULL && env_gid != NULL) {
		char *e1, *e2;
		unsigned long u = strtoul(env_uid, &e1, 10);
		unsigned long g = strtoul(env_gid, &e2, 10);
		if (*env_uid == '\0' || *e1 != '\0' || *env_gid == '\0' ||
		    *e2 != '\0')
			rb_die(100, "UID and GID must be numbers");
		become((uid_t)u, (gid_t)g, "$UID:$GID");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		rb_die(111, "unable to set PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
}
