/* Unit tests for lib/sys/privs: rb_privs_drop as root (a username, $UID and
 * $GID, the errors, staying root) and not root (only NO_NEW_PRIVS).  Each
 * case runs in a child, which cannot get its privileges back; the child
 * reports what it saw through a pipe and the parent checks it. */

#include <sys/prctl.h>
#include <sys/wait.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/privs.h"

#include "../../tap.h"

/* What a child saw after rb_privs_drop. */
struct seen {
	int done; /* the child got as far as reporting */
	int r;
	int kind;
	char code[32];
	char details[sizeof((struct rb_err *)0)->details];
	long uid, euid, gid, egid;
	int ngroups;
	long group0;
	int setuid0; /* setuid(0) succeeded afterwards */
	int nnp;     /* PR_GET_NO_NEW_PRIVS */
};

struct how {
	const char *user;      /* rb_privs_drop's username */
	const char *uid, *gid; /* $UID and $GID, NULL: unset */
	int pre_drop;          /* become nobody first, by hand */
};

static uid_t nobody_uid;
static gid_t nobody_gid;

static void
child(const struct how *h, int fd)
{
	struct seen s = { 0 };
	struct rb_err e = { 0 };
	gid_t groups[8];

	(void)unsetenv("UID");
	(void)unsetenv("GID");
	if ((h->uid && setenv("UID", h->uid, 1) < 0) ||
	    (h->gid && setenv("GID", h->gid, 1) < 0))
		_exit(2);
	if (h->pre_drop && geteuid() == 0 &&
	    (setgroups(1, &nobody_gid) < 0 || setgid(nobody_gid) < 0 ||
	        setuid(nobody_uid) < 0))
		_exit(3);
	s.r = rb_privs_drop(h->user, &e);
	s.kind = (int)e.kind;
	snprintf(s.code, sizeof s.code, "%s", e.code ? e.code : "");
	snprintf(s.details, sizeof s.details, "%s", e.details);
	s.uid = (long)getuid();
	s.euid = (long)geteuid();
	s.gid = (long)getgid();
	s.egid = (long)getegid();
	s.ngroups = getgroups(8, groups);
	s.group0 = s.ngroups > 0 ? (long)groups[0] : -1;
	s.nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	s.setuid0 = s.euid != 0 && setuid(0) == 0;
	s.done = 1;
	if (write(fd, &s, sizeof s) != (ssize_t)sizeof s)
		_exit(4);
	_exit(0);
}

/* Run one case in a child; what it saw.  When the child died before it
 * reported, done is 0 and every other field a value no check accepts. */
static struct seen
run(const struct how *h)
{
	const struct seen none = { .done = 0,
		.r = -99,
		.kind = -1,
		.uid = -1,
		.euid = -1,
		.gid = -1,
		.egid = -1,
		.ngroups = -1,
		.group0 = -1,
		.setuid0 = -1,
		.nnp = -1 };
	struct seen s = none;
	int p[2], st = 0;
	pid_t pid;

	fflush(stdout);
	if (pipe(p) < 0)
		bail("pipe");
	if ((pid = fork()) < 0)
		bail("fork");
	if (pid == 0) {
		close(p[0]);
		child(h, p[1]);
	}
	close(p[1]);
	if (read(p[0], &s, sizeof s) != (ssize_t)sizeof s)
		s = none;
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		bail("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		diag("child for user '%s' exited with status %d",
		    h->user ? h->user : "(null)", st);
	return s;
}

static struct seen
invalid(const struct how *h, const char *what)
{
	struct seen s = run(h);

	ok(s.done && s.r == -1 && s.kind == RB_ERR_INVALID &&
	        strcmp(s.code, "INVALID_CONFIG") == 0,
	    "%s: -1, RB_ERR_INVALID, INVALID_CONFIG", what);
	ok(s.done && s.uid == 0 && s.euid == 0 && s.gid == 0, "%s: still root",
	    what);
	return s;
}

static void
as_root(void)
{
	struct seen s;

	s = invalid(&(struct how){ "rb-no-such-user", NULL, NULL, 0 },
	    "unknown user");
	ok(strstr(s.details, "rb-no-such-user") != NULL,
	    "the message names the user");

	s = run(&(struct how){ "nobody", NULL, NULL, 0 });
	is_int(s.r, 0, "nobody: 0");
	ok(s.uid == (long)nobody_uid && s.euid == (long)nobody_uid,
	    "nobody: real and effective uid are nobody's");
	ok(s.gid == (long)nobody_gid && s.egid == (long)nobody_gid,
	    "nobody: real and effective gid are nobody's");
	ok(s.ngroups == 1 && s.group0 == (long)nobody_gid,
	    "nobody: the supplementary groups are nobody's gid alone");
	ok(s.setuid0 == 0, "nobody: setuid(0) fails afterwards");
	is_int(s.nnp, 1, "nobody: NO_NEW_PRIVS set");

	s = run(&(struct how){ "nobody", "1234", "1234", 0 });
	ok(s.r == 0 && s.uid == (long)nobody_uid && s.gid == (long)nobody_gid,
	    "a username wins over $UID/$GID");

	invalid(&(struct how){ "", "abc", "1", 0 }, "$UID not a number");
	invalid(&(struct how){ NULL, "1", "x1", 0 }, "$GID not a number");
	invalid(&(struct how){ "", "12x", "12", 0 }, "$UID with trailing junk");
	invalid(&(struct how){ "", "", "", 0 }, "empty $UID and $GID");
	invalid(&(struct how){ "", "4294967296", "4294967296", 0 },
	    "$UID beyond uid_t (would wrap to root)");
	invalid(&(struct how){ "", "4294967295", "1", 0 },
	    "$UID (uid_t)-1, which means unchanged");
	invalid(&(struct how){ "", "-65534", "1", 0 }, "negative $UID");
	invalid(&(struct how){ "", "1", "99999999999999999999999", 0 },
	    "$GID past unsigned long long");

	s = run(&(struct how){ "", "65534", "65534", 0 });
	ok(s.r == 0 && s.uid == 65534 && s.euid == 65534 && s.gid == 65534 &&
	        s.egid == 65534,
	    "no username: becomes $UID:$GID");
	ok(s.setuid0 == 0 && s.nnp == 1,
	    "$UID:$GID: root cannot be taken back, NO_NEW_PRIVS set");

	s = run(&(struct how){ "", NULL, NULL, 0 });
	ok(s.r == 0 && s.uid == 0 && s.euid == 0 && s.gid == 0,
	    "empty username, no $UID/$GID: stays root");
	is_int(s.nnp, 1, "and NO_NEW_PRIVS is set");
	s = run(&(struct how){ NULL, "65534", NULL, 0 });
	ok(s.r == 0 && s.uid == 0 && s.euid == 0,
	    "$UID without $GID: stays root");
}

/* Not root: nothing changes but NO_NEW_PRIVS, whatever the arguments. */
static void
not_root(int pre_drop)
{
	long uid = pre_drop ? (long)nobody_uid : (long)getuid();
	struct seen s;

	s = run(&(struct how){ "rb-no-such-user", "abc", "x", pre_drop });
	is_int(s.r, 0, "not root: 0, even for an unknown user");
	ok(s.done && s.uid == uid && s.euid == uid, "not root: uid unchanged");
	is_int(s.nnp, 1, "not root: NO_NEW_PRIVS set");
	s = run(&(struct how){ "nobody", NULL, NULL, pre_drop });
	ok(s.r == 0 && s.uid == uid && s.nnp == 1,
	    "not root, username nobody: only NO_NEW_PRIVS");
}

int
main(void)
{
	struct passwd *pw = getpwnam("nobody");

	if (pw == NULL)
		bail("no user nobody");
	nobody_uid = pw->pw_uid;
	nobody_gid = pw->pw_gid;
	if (geteuid() == 0) {
		as_root();
		not_root(1);
	} else {
		diag("not root: the cases that switch users are skipped");
		not_root(0);
	}
	done_testing();
	return exit_status();
}
