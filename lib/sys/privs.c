/*
 * privs: the one privilege drop.  setgroups, setgid, setuid, in that
 * order (each needs the privilege the next removes), then a check that
 * the real and effective ids are the ones asked for and that root cannot
 * be taken back, then PR_SET_NO_NEW_PRIVS so no exec can regain any.
 */

#include <sys/prctl.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/privs.h"

static int
become(uid_t uid, gid_t gid, const char *who, struct rb_err *e)
{
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "unable to become %s: %s", who, strerror(errno));
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid || (uid != 0 && setuid(0) == 0))
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "unable to become %s: the switch did not hold", who);
	return 0;
}

/* A decimal id: digits only, no sign, no overflow. */
static int
parse_id(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end != '\0' || errno == ERANGE ? -1 : 0;
}

/* $UID and $GID as s6-envuidgid exports them. */
static int
env_ids(uid_t *uid, gid_t *gid, struct rb_err *e)
{
	const char *u = getenv("UID"), *g = getenv("GID");
	unsigned long long uv, gv;

	if (u == NULL || g == NULL)
		return 0;
	/* (uid_t)-1 means "unchanged" to setresuid: not an id. */
	if (parse_id(u, &uv) < 0 || parse_id(g, &gv) < 0 || uv >= (uid_t)-1 ||
	    gv >= (gid_t)-1)
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_CONFIG",
		    "UID and GID must be numbers below %lu",
		    (unsigned long)(uid_t)-1);
	*uid = (uid_t)uv;
	*gid = (gid_t)gv;
	return 1;
}

int
rb_privs_drop(const char *username, struct rb_err *e)
{
	uid_t uid = 0;
	gid_t gid = 0;
	int r;

	if (geteuid() == 0 && username != NULL && username[0] != '\0') {
		struct passwd *pw = getpwnam(username);
		if (pw == NULL)
			return rb_err_set(e, RB_ERR_INVALID, "INVALID_CONFIG",
			    "username: unknown user '%s'", username);
		if (become(pw->pw_uid, pw->pw_gid, username, e) < 0)
			return -1;
	} else if (geteuid() == 0) {
		if ((r = env_ids(&uid, &gid, e)) < 0)
			return -1;
		if (r > 0 && become(uid, gid, "$UID:$GID", e) < 0)
			return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "unable to set PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	return 0;
}
