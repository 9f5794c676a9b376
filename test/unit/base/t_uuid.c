/* Unit tests for lib/base/uuid: version 4 ids and the canonical text. */

#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"

#include "../../tap.h"

#define N 2000 /* more than one pool of 256 ids */

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
main(void)
{
	static char ids[N][37];
	int v4 = 1, dup = 0;

	for (int i = 0; i < N; i++) {
		if (rb_uuid_v4(ids[i]) < 0)
			bail("rb_uuid_v4");
		/* xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lower case */
		v4 &= rb_uuid_valid(ids[i]) && strlen(ids[i]) == 36 &&
		    ids[i][14] == '4' && strchr("89ab", ids[i][19]) != NULL &&
		    strspn(ids[i], "0123456789abcdef-") == 36;
	}
	ok(v4, "%d ids: canonical lower-case text, version 4, RFC 4122 variant",
	    N);
	qsort(ids, N, sizeof ids[0], cmp);
	for (int i = 1; i < N; i++)
		dup += strcmp(ids[i - 1], ids[i]) == 0;
	is_int(dup, 0, "no two alike");
	ok(rb_uuid_valid("01234567-89AB-cdef-0123-456789abcdef"),
	    "upper-case digits are valid");
	ok(!rb_uuid_valid("01234567-89ab-cdef-0123-456789abcde") &&
	        !rb_uuid_valid("01234567-89ab-cdef-0123-456789abcdef0") &&
	        !rb_uuid_valid("0123456789ab-cdef-0123-456789abcdef-") &&
	        !rb_uuid_valid("01234567-89ab-cdef-0123-456789abcdeg") &&
	        !rb_uuid_valid("{1234567-89ab-cdef-0123-456789abcdef") &&
	        !rb_uuid_valid(""),
	    "short, long, misplaced dashes, non-hex: invalid");
	done_testing();
	return exit_status();
}
