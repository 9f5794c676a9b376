/* Unit tests for lib/base/err: one exit code per kind of failure
 * (doc/exit-codes.md), the same in every command. */

#include "base/err.h"

#include "../../tap.h"

static int
code(enum rb_err_kind kind, const char *name)
{
	struct rb_err e = { 0 };

	(void)rb_err_set(&e, kind, name, "test");
	return rb_err_exit_code(&e);
}

int
main(void)
{
	is_int(code(RB_ERR_INVALID, "INVALID_NAME"), 100, "bad input: 100");
	is_int(code(RB_ERR_REJECTED, "LIMIT_EXCEEDED"), 100, "a limit: 100");
	is_int(code(RB_ERR_NOT_FOUND, "NOT_FOUND"), 100, "not found: 100");
	is_int(code(RB_ERR_CONFLICT, "ALREADY_EXISTS"), 100, "exists: 100");
	is_int(code(RB_ERR_TOO_LARGE, "TOO_LARGE"), 100, "too large: 100");
	is_int(code(RB_ERR_READ_ONLY, "READ_ONLY"), 100, "a slave: 100");
	is_int(code(RB_ERR_REMOTE, "FETCH_FAILED"), 111, "a peer: 111");
	is_int(code(RB_ERR_SYSTEM, "INTERNAL_ERROR"), 111, "the system: 111");
	is_int(code(RB_ERR_SYSTEM, "INVALID_CONFIG"), 100,
	    "an invalid config, a 500 for the API, is 100 for a command");
	done_testing();
	return exit_status();
}
