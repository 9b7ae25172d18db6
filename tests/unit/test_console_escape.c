/* tests/unit/test_console_escape.c — a guest's console text as memvisor
 * prints it (vmm/console_escape.c): printable ASCII as is, every other byte
 * as \xHH, a backslash doubled; never more than the buffer holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/console_escape.h"

static void expect_escaped(const char *in, size_t len, const char *expected)
{
	char out[256];
	size_t n = console_escape(out, sizeof(out), in, len);
	if (strcmp(out, expected) || n != strlen(expected))
		fail_msg("escaped %zu bytes: expected \"%s\" (%zu), seen \"%s\" (%zu)", len, expected,
			 strlen(expected), out, n);
}

static void test_printable_ascii_passes_unchanged(void **state)
{
	(void)state;
	char all[0x7f - 0x20 + 1];
	size_t n = 0;
	for (int c = 0x20; c <= 0x7e; c++)
		if (c != '\\')
			all[n++] = (char)c;
	all[n] = 0;
	expect_escaped(all, n, all);
}

static void test_terminal_escapes_are_shown_not_sent(void **state)
{
	(void)state;
	/* Erase the line, carriage return, then a line that looks like memvisor's. */
	static const char forged[] = "\x1b[2K\rmemvisor: x";
	expect_escaped(forged, sizeof(forged) - 1, "\\x1b[2K\\x0dmemvisor: x");
}

static void test_every_non_printable_byte_is_hex(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		if (c >= 0x20 && c <= 0x7e)
			continue;
		char in = (char)c, expected[8];
		snprintf(expected, sizeof(expected), "\\x%02x", c);
		expect_escaped(&in, 1, expected);
	}
}

static void test_nul_bytes_do_not_end_the_text(void **state)
{
	(void)state;
	expect_escaped("a\0b", 3, "a\\x00b");
}

static void test_a_backslash_is_doubled(void **state)
{
	(void)state;
	/* Typed text "\x1b" must not read as an escaped byte. */
	expect_escaped("\\x1b", 4, "\\\\x1b");
}

static void test_a_small_buffer_cuts_at_a_whole_escape(void **state)
{
	(void)state;
	char out[6];
	size_t n = console_escape(out, sizeof(out), "ab\x01z", 4);
	/* "ab" fits, "\x01" (4 more) would not leave room for the NUL. */
	assert_string_equal(out, "ab");
	assert_int_equal(n, 2);
}

static void test_the_worst_case_fits_the_documented_size(void **state)
{
	(void)state;
	char in[64], out[64 * CONSOLE_ESCAPE_MAX_PER_BYTE + 1];
	memset(in, 0x1b, sizeof(in));
	assert_int_equal(console_escape(out, sizeof(out), in, sizeof(in)), 64 * CONSOLE_ESCAPE_MAX_PER_BYTE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printable_ascii_passes_unchanged),
		cmocka_unit_test(test_terminal_escapes_are_shown_not_sent),
		cmocka_unit_test(test_every_non_printable_byte_is_hex),
		cmocka_unit_test(test_nul_bytes_do_not_end_the_text),
		cmocka_unit_test(test_a_backslash_is_doubled),
		cmocka_unit_test(test_a_small_buffer_cuts_at_a_whole_escape),
		cmocka_unit_test(test_the_worst_case_fits_the_documented_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
