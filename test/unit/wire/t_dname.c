/* Unit tests for lib/wire/dname: text to wire, bounds, parents, back to text.
 */

#include <stdint.h>
#include <string.h>

#include "wire/dname.h"

#include "../../tap.h"

static void
test_from_text(void)
{
	uint8_t w[RB_DNAME_MAX];
	const char *why = NULL;
	char t[1024];

	is_int(rb_dname_from_text("NAS.Home.", w, &why), 10,
	    "nas.home wire length");
	ok(memcmp(w, "\3nas\4home\0", 10) == 0, "lower-cased wire form");
	is_int(rb_dname_from_text("nas.home", w, &why), 10,
	    "final dot optional");
	is_int(rb_dname_from_text(".", w, &why), 1, "root");
	is_int(rb_dname_from_text("bad..name", w, &why), -1,
	    "empty label refused");
	is_str(why, "empty label in name", "reason for empty label");
	is_int(rb_dname_from_text("a b.home", w, &why), -1, "space refused");
	is_int(rb_dname_from_text("", w, &why), -1, "empty refused");
	memset(t, 'a', 64);
	strcpy(t + 64, ".home");
	is_int(rb_dname_from_text(t, w, &why), -1, "64-byte label refused");
	for (int i = 0; i < 255; i++)
		t[i] = i % 2 ? '.' : 'a';
	t[255] = '\0';
	is_int(rb_dname_from_text(t, w, &why), -1, "255 characters refused");
	t[253] = '\0';
	is_int(rb_dname_from_text(t, w, &why), 255, "253 characters accepted");
	is_int(rb_dname_from_text("_srv._tcp.x-y.home", w, &why), 20,
	    "underscore and hyphen accepted");
}

static void
test_wire(void)
{
	uint8_t w[RB_DNAME_MAX];
	const char *why;
	char t[300];
	int n = rb_dname_from_text("a.b.c", w, &why);

	is_int(rb_dname_wire_len(w, (size_t)n), n, "wire_len of a.b.c");
	is_int(rb_dname_wire_len(w, (size_t)n - 1), -1, "truncated refused");
	is_int(rb_dname_wire_len((const uint8_t *)"\xc0\x0c", 2), -1,
	    "pointer refused");
	is_int(rb_dname_parent(w), 2, "parent of a.b.c");
	is_int(rb_dname_parent(w + 6), 0, "root has no parent");
	is_int(rb_dname_to_text(w, t, sizeof t), 6, "to_text length");
	is_str(t, "a.b.c.", "to_text");
	is_int(rb_dname_to_text((const uint8_t *)"\3a.b\0", t, sizeof t), 7,
	    "dot in label escaped");
	is_str(t, "a\\046b.", "escaped form");
	is_int(rb_dname_to_text(w, t, 3), -1, "short buffer refused");
}

int
main(void)
{
	test_from_text();
	test_wire();
	done_testing();
	return exit_status();
}
