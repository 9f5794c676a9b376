/* Unit tests for lib/base/hex: digits and decoding. */

#include <string.h>

#include "base/hex.h"

#include "../../tap.h"

int
main(void)
{
	uint8_t out[4];

	is_int(rb_hex_digit('0'), 0, "0");
	is_int(rb_hex_digit('9'), 9, "9");
	is_int(rb_hex_digit('a'), 10, "a");
	is_int(rb_hex_digit('F'), 15, "F");
	is_int(rb_hex_digit('g'), -1, "g is not a digit");
	is_int(rb_hex_digit(0), -1, "NUL is not a digit");
	is_int(rb_hex_decode("00ff7A", 6, out, sizeof out), 3, "three bytes");
	ok(out[0] == 0 && out[1] == 0xff && out[2] == 0x7a, "their values");
	is_int(rb_hex_decode("", 0, out, sizeof out), 0, "nothing decodes");
	is_int(rb_hex_decode("abc", 3, out, sizeof out), -1, "odd length");
	is_int(rb_hex_decode("zz", 2, out, sizeof out), -1, "not hex");
	is_int(rb_hex_decode("0011223344", 10, out, sizeof out), -1,
	    "more bytes than fit");
	done_testing();
	return exit_status();
}
