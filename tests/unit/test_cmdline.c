/* tests/unit/test_cmdline.c — cmdline_parse() and cmdline_parse_size()
 * (kernel/cmdline.c) against a test option table with one option of each
 * type. Every error case checks the code, the option named and the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "kernel/cmdline.h"
#include "kernel/errno.h"

struct test_options {
	bool verbose;
	bool quiet;
	uint64_t mem;   /* size, 4 KiB .. 4 GiB, default 16M    */
	uint64_t big;   /* size, any 64-bit value, default 0     */
	uint64_t count; /* uint, 1 .. 1000, default 3            */
	uint64_t raw;   /* uint, any 64-bit value, default 0x10  */
	char name[OPT_STRING_MAX];  /* default "none"            */
	char empty[OPT_STRING_MAX]; /* no default: ""            */
};

#define OPT(field) offsetof(struct test_options, field)
#define GIB (1ull << 30)

static const struct opt_def defs[] = {
	{ "verbose", OPT_FLAG, OPT(verbose), NULL, 0, 0, "a flag" },
	{ "quiet", OPT_FLAG, OPT(quiet), NULL, 0, 0, "another flag" },
	{ "mem", OPT_SIZE, OPT(mem), "16M", 4096, 4 * GIB, "a bounded size" },
	{ "big", OPT_SIZE, OPT(big), "0", 0, UINT64_MAX, "an unbounded size" },
	{ "count", OPT_UINT, OPT(count), "3", 1, 1000, "a bounded number" },
	{ "raw", OPT_UINT, OPT(raw), "0x10", 0, UINT64_MAX, "an unbounded number" },
	{ "name", OPT_STRING, OPT(name), "none", 0, 0, "a string" },
	{ "empty", OPT_STRING, OPT(empty), NULL, 0, 0, "a string without default" },
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* Parses `line` into *o (first filled with junk so that defaults must be
 * written, not inherited) and returns the result. */
static int parse(const char *line, struct test_options *o, struct cmdline_error *err)
{
	memset(o, 0xa5, sizeof(*o));
	memset(err, 0, sizeof(*err));
	return cmdline_parse(line, defs, NDEFS, o, err);
}

static void expect_ok(const char *line, struct test_options *o)
{
	struct cmdline_error err;
	int rc = parse(line, o, &err);
	if (rc)
		fail_msg("line \"%s\": expected success, seen %d (option '%s': %s)", line, rc, err.option,
			 err.message);
}

/* Expects failure `code` naming `option`, with `fragment` in the message. */
static void expect_error(const char *line, int code, const char *option, const char *fragment)
{
	struct test_options o;
	struct cmdline_error err;
	int rc = parse(line, &o, &err);
	if (rc != -code || strcmp(err.option, option) || !strstr(err.message, fragment))
		fail_msg("line \"%s\": expected %d, option '%s', message containing \"%s\"; "
			 "seen %d, option '%s', message \"%s\"",
			 line, -code, option, fragment, rc, err.option, err.message);
	assert_true(strlen(err.message) < sizeof(err.message));
}

#define EXPECT_U64(what, want, seen)                                                       \
	do {                                                                               \
		uint64_t want_ = (want), seen_ = (seen);                                   \
		if (want_ != seen_)                                                        \
			fail_msg("%s: expected %llu (%#llx), seen %llu (%#llx)", what,     \
				 (unsigned long long)want_, (unsigned long long)want_,     \
				 (unsigned long long)seen_, (unsigned long long)seen_);    \
	} while (0)

static void assert_defaults(const struct test_options *o)
{
	assert_false(o->verbose);
	assert_false(o->quiet);
	EXPECT_U64("mem", 16ull << 20, o->mem);
	EXPECT_U64("big", 0, o->big);
	EXPECT_U64("count", 3, o->count);
	EXPECT_U64("raw", 0x10, o->raw);
	assert_string_equal(o->name, "none");
	assert_string_equal(o->empty, "");
}

/* ---- defaults and layout ----------------------------------------------- */

static void test_empty_line_applies_every_default(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("", &o);
	assert_defaults(&o);
}

static void test_blank_line_and_surrounding_spaces_are_ignored(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("   \t \r\n ", &o);
	assert_defaults(&o);
	expect_ok("  \t count=9 \t verbose\n", &o);
	EXPECT_U64("count", 9, o.count);
	assert_true(o.verbose);
}

static void test_options_not_given_keep_their_defaults(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("count=5", &o);
	EXPECT_U64("count", 5, o.count);
	o.count = 3;
	assert_defaults(&o);
}

static void test_flag_is_set_only_when_named(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("verbose", &o);
	assert_true(o.verbose);
	assert_false(o.quiet);
	expect_ok("quiet verbose", &o);
	assert_true(o.verbose);
	assert_true(o.quiet);
}

static void test_several_options_of_every_type_in_one_line(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("mem=64K count=7 name=guest1 verbose raw=0xff big=2G empty=x", &o);
	EXPECT_U64("mem", 64 * 1024, o.mem);
	EXPECT_U64("count", 7, o.count);
	EXPECT_U64("raw", 255, o.raw);
	EXPECT_U64("big", 2 * GIB, o.big);
	assert_string_equal(o.name, "guest1");
	assert_string_equal(o.empty, "x");
	assert_true(o.verbose);
	assert_false(o.quiet);
}

/* ---- sizes --------------------------------------------------------------- */

struct size_case {
	const char *text;
	int rc;
	uint64_t bytes;
};

static const struct size_case size_cases[] = {
	{ "4096", 0, 4096 },
	{ "64K", 0, 64ull << 10 },
	{ "16M", 0, 16ull << 20 },
	{ "2G", 0, 2ull << 30 },
	{ "64k", 0, 64ull << 10 },
	{ "16m", 0, 16ull << 20 },
	{ "2g", 0, 2ull << 30 },
	{ "0", 0, 0 },
	{ "0K", 0, 0 },
	{ "1k", 0, 1024 },
	{ "007", 0, 7 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "17179869183G", 0, (UINT64_MAX >> 30) << 30 }, /* the largest whole number of GiB */
	{ "18446744073709551616", -E_RANGE, 0 },
	{ "17179869184G", -E_RANGE, 0 },
	{ "17592186044416M", -E_RANGE, 0 },
	{ "99999999999999999999G", -E_RANGE, 0 },
	{ "", -E_INVAL, 0 },
	{ "K", -E_INVAL, 0 },
	{ "12Q", -E_INVAL, 0 },
	{ "1.5G", -E_INVAL, 0 },
	{ "-1", -E_INVAL, 0 },
	{ "+1", -E_INVAL, 0 },
	{ " 1", -E_INVAL, 0 },
	{ "1 ", -E_INVAL, 0 },
	{ "0x10", -E_INVAL, 0 },
	{ "16MB", -E_INVAL, 0 },
	{ "16KK", -E_INVAL, 0 },
	{ "M16", -E_INVAL, 0 },
	{ "1T", -E_INVAL, 0 },
};

static void test_parse_size_accepts_suffixes_and_rejects_junk(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
		const struct size_case *c = &size_cases[i];
		uint64_t bytes = 0x5a5a5a5a;
		int rc = cmdline_parse_size(c->text, &bytes);
		if (rc == c->rc && (rc || bytes == c->bytes))
			continue;
		print_error("size \"%s\": expected %d, %llu bytes; seen %d, %llu bytes\n", c->text, c->rc,
			    (unsigned long long)c->bytes, rc, (unsigned long long)bytes);
		bad++;
	}
	if (bad)
		fail_msg("%d size(s) parsed wrongly, listed above", bad);
}

static void test_size_option_takes_every_suffix(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("mem=4096", &o);
	EXPECT_U64("mem=4096", 4096, o.mem);
	expect_ok("mem=64K", &o);
	EXPECT_U64("mem=64K", 64ull << 10, o.mem);
	expect_ok("mem=16M", &o);
	EXPECT_U64("mem=16M", 16ull << 20, o.mem);
	expect_ok("mem=2G", &o);
	EXPECT_U64("mem=2G", 2ull << 30, o.mem);
	expect_ok("mem=16m", &o);
	EXPECT_U64("mem=16m", 16ull << 20, o.mem);
	expect_ok("mem=4g", &o);
	EXPECT_U64("mem=4g (the maximum)", 4 * GIB, o.mem);
	expect_ok("mem=4k", &o);
	EXPECT_U64("mem=4k (the minimum)", 4096, o.mem);
}

static void test_size_that_is_not_a_number_is_rejected(void **state)
{
	(void)state;
	expect_error("mem=12Q", E_INVAL, "mem", "'12Q' is not a size");
	expect_error("mem=", E_INVAL, "mem", "is not a size");
	expect_error("mem=G", E_INVAL, "mem", "'G' is not a size");
	expect_error("mem=0x1000", E_INVAL, "mem", "is not a size");
}

static void test_size_that_overflows_64_bits_is_out_of_range(void **state)
{
	(void)state;
	expect_error("mem=99999999999999999999G", E_RANGE, "mem", "out of range");
	expect_error("big=17179869184G", E_RANGE, "big", "out of range");
	expect_error("big=18446744073709551616", E_RANGE, "big", "out of range");
}

static void test_size_outside_min_max_is_out_of_range(void **state)
{
	(void)state;
	expect_error("mem=4095", E_RANGE, "mem", "'4095' is out of range (4096 to 4294967296)");
	expect_error("mem=0", E_RANGE, "mem", "out of range");
	expect_error("mem=4194305K", E_RANGE, "mem", "out of range"); /* 4 GiB + 1 KiB */
	expect_error("mem=5G", E_RANGE, "mem", "out of range");
}

/* ---- unsigned numbers ------------------------------------------------- */

static void test_uint_accepts_decimal_and_hex(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("count=0x10", &o);
	EXPECT_U64("count=0x10", 16, o.count);
	expect_ok("count=0X1f", &o);
	EXPECT_U64("count=0X1f", 31, o.count);
	expect_ok("count=0x3E8", &o);
	EXPECT_U64("count=0x3E8", 1000, o.count);
	expect_ok("count=1", &o);
	EXPECT_U64("count=1 (the minimum)", 1, o.count);
	expect_ok("count=1000", &o);
	EXPECT_U64("count=1000 (the maximum)", 1000, o.count);
	expect_ok("raw=0", &o);
	EXPECT_U64("raw=0", 0, o.raw);
	expect_ok("raw=18446744073709551615", &o);
	EXPECT_U64("raw=UINT64_MAX", UINT64_MAX, o.raw);
	expect_ok("raw=0xffffffffffffffff", &o);
	EXPECT_U64("raw=0xffffffffffffffff", UINT64_MAX, o.raw);
	expect_ok("raw=0x0000000000000000001", &o);
	EXPECT_U64("raw with leading zeros", 1, o.raw);
}

static void test_uint_that_is_not_a_number_is_rejected(void **state)
{
	(void)state;
	expect_error("count=12abc", E_INVAL, "count", "'12abc' is not a number");
	expect_error("count=", E_INVAL, "count", "is not a number");
	expect_error("raw=0x", E_INVAL, "raw", "'0x' is not a number");
	expect_error("raw=0xg", E_INVAL, "raw", "is not a number");
	expect_error("raw=-1", E_INVAL, "raw", "is not a number");
	expect_error("raw=16K", E_INVAL, "raw", "is not a number");
}

static void test_uint_outside_min_max_or_64_bits_is_out_of_range(void **state)
{
	(void)state;
	expect_error("count=0", E_RANGE, "count", "'0' is out of range (1 to 1000)");
	expect_error("count=1001", E_RANGE, "count", "'1001' is out of range (1 to 1000)");
	expect_error("count=0x3e9", E_RANGE, "count", "out of range");
	expect_error("raw=18446744073709551616", E_RANGE, "raw", "out of range");
	expect_error("raw=0x10000000000000000", E_RANGE, "raw", "out of range");
}

/* ---- strings and quoting ----------------------------------------------- */

static void test_bare_string_ends_at_whitespace(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("name=a;b,c verbose", &o);
	assert_string_equal(o.name, "a;b,c");
	assert_true(o.verbose);
	expect_ok("name=", &o);
	assert_string_equal(o.name, "");
	expect_error("name=abc def", E_NOT_FOUND, "def", "unknown option");
}

static void test_quoted_value_keeps_spaces_and_semicolons(void **state)
{
	(void)state;
	struct test_options o;
	expect_ok("name=\"a b; c=d\" count=7", &o);
	assert_string_equal(o.name, "a b; c=d");
	EXPECT_U64("count after a quoted value", 7, o.count);
	expect_ok("name=\"\"", &o);
	assert_string_equal(o.name, "");
	expect_ok("name=\"  \tx  \"", &o);
	assert_string_equal(o.name, "  \tx  ");
	expect_ok("count=\"12\"", &o);
	EXPECT_U64("a quoted number", 12, o.count);
	expect_ok("mem=\"64K\"\tverbose", &o);
	EXPECT_U64("a quoted size", 64 * 1024, o.mem);
	assert_true(o.verbose);
}

static void test_missing_closing_quote_is_an_error(void **state)
{
	(void)state;
	expect_error("name=\"abc", E_INVAL, "name", "missing closing '\"'");
	expect_error("name=\"", E_INVAL, "name", "missing closing");
	expect_error("verbose name=\"a b c", E_INVAL, "name", "missing closing");
}

static void test_text_after_closing_quote_is_an_error(void **state)
{
	(void)state;
	expect_error("name=\"abc\"def", E_INVAL, "name", "text after closing '\"'");
	expect_error("name=\"a\"\"b\"", E_INVAL, "name", "text after closing");
}

static void test_string_longer_than_its_room_is_rejected(void **state)
{
	(void)state;
	char line[2 * OPT_STRING_MAX + 16], value[OPT_STRING_MAX + 1], message[64];
	struct test_options o;

	memset(value, 'v', OPT_STRING_MAX - 1);
	value[OPT_STRING_MAX - 1] = 0;
	snprintf(line, sizeof(line), "name=%s", value);
	expect_ok(line, &o);
	assert_string_equal(o.name, value);
	snprintf(line, sizeof(line), "name=\"%s\"", value);
	expect_ok(line, &o);
	assert_string_equal(o.name, value);

	memset(value, 'v', OPT_STRING_MAX);
	value[OPT_STRING_MAX] = 0;
	snprintf(message, sizeof(message), "longer than %d characters", OPT_STRING_MAX - 1);
	snprintf(line, sizeof(line), "name=%s", value);
	expect_error(line, E_RANGE, "name", message);
	snprintf(line, sizeof(line), "name=\"%s\"", value);
	expect_error(line, E_RANGE, "name", message);
}

/* ---- grammar errors ---------------------------------------------------- */

static void test_unknown_option_is_named_in_the_error(void **state)
{
	(void)state;
	expect_error("bogus=1", E_NOT_FOUND, "bogus", "unknown option");
	expect_error("bogus", E_NOT_FOUND, "bogus", "unknown option");
	expect_error("count=1 memory=1", E_NOT_FOUND, "memory", "unknown option");
	expect_error("me=1", E_NOT_FOUND, "me", "unknown option");
	expect_error("Count=1", E_NOT_FOUND, "Count", "unknown option");
	expect_error("\"name\"=x", E_NOT_FOUND, "\"name\"", "unknown option");
}

/* err.option holds 47 characters; a longer name is cut, never overflowed. */
static void test_long_unknown_name_is_cut_to_fit(void **state)
{
	(void)state;
	char name[100];
	memset(name, 'n', 99);
	name[99] = 0;
	expect_error(name, E_NOT_FOUND, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "unknown option");
}

static void test_flag_given_a_value_is_an_error(void **state)
{
	(void)state;
	expect_error("verbose=1", E_INVAL, "verbose", "takes no value");
	expect_error("quiet=", E_INVAL, "quiet", "takes no value");
}

static void test_value_missing_for_non_flag_is_an_error(void **state)
{
	(void)state;
	expect_error("mem", E_INVAL, "mem", "needs a value (mem=...)");
	expect_error("count verbose", E_INVAL, "count", "needs a value (count=...)");
	expect_error("verbose name", E_INVAL, "name", "needs a value");
}

static void test_option_given_twice_is_an_error(void **state)
{
	(void)state;
	expect_error("count=1 count=2", E_EXISTS, "count", "given more than once");
	expect_error("count=1 count=1", E_EXISTS, "count", "given more than once");
	expect_error("verbose quiet verbose", E_EXISTS, "verbose", "given more than once");
	expect_error("name=\"a\" mem=8K name=b", E_EXISTS, "name", "given more than once");
}

static void test_equals_without_a_name_is_an_error(void **state)
{
	(void)state;
	expect_error("=5", E_INVAL, "", "'=' without an option name");
	expect_error("count=1  =5", E_INVAL, "", "'=' without an option name");
	expect_error(" = ", E_INVAL, "", "'=' without an option name");
}

/* ---- the table itself --------------------------------------------------- */

static void test_bad_default_is_reported_as_that_options_error(void **state)
{
	(void)state;
	static const struct opt_def bad_defs[] = {
		{ "ok", OPT_UINT, OPT(count), "5", 0, 10, "fine" },
		{ "low", OPT_SIZE, OPT(mem), "1K", 4096, 8192, "default below its minimum" },
	};
	struct test_options o;
	struct cmdline_error err;
	memset(&err, 0, sizeof(err));
	int rc = cmdline_parse("", bad_defs, 2, &o, &err);
	assert_int_equal(rc, -E_RANGE);
	assert_string_equal(err.option, "low");
	assert_non_null(strstr(err.message, "'1K' is out of range"));
}

static void test_table_larger_than_64_options_is_refused(void **state)
{
	(void)state;
	static struct opt_def many[65];
	for (size_t i = 0; i < 65; i++)
		many[i] = (struct opt_def){ "f", OPT_FLAG, OPT(verbose), NULL, 0, 0, "" };
	struct test_options o;
	struct cmdline_error err;
	assert_int_equal(cmdline_parse("", many, 65, &o, &err), -E_RANGE);
	assert_non_null(strstr(err.message, "too many options"));
}

/* The message quotes at most 63 characters of a value, and still has room
 * for the whole range. */
static void test_long_bad_value_gives_a_bounded_message(void **state)
{
	(void)state;
	char line[400];
	int n = snprintf(line, sizeof(line), "mem=");
	memset(line + n, '0', 300);
	line[n + 300] = 'Q';
	line[n + 301] = 0;
	expect_error(line, E_INVAL, "mem", "is not a size");
	memset(line + n, '9', 300);
	line[n + 300] = 0;
	expect_error(line, E_RANGE, "mem", "' is out of range (4096 to 4294967296)");
}

int main(void)
{
	/* Line-buffered, so cmocka's stdout and stderr stay in order in a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_line_applies_every_default),
		cmocka_unit_test(test_blank_line_and_surrounding_spaces_are_ignored),
		cmocka_unit_test(test_options_not_given_keep_their_defaults),
		cmocka_unit_test(test_flag_is_set_only_when_named),
		cmocka_unit_test(test_several_options_of_every_type_in_one_line),
		cmocka_unit_test(test_parse_size_accepts_suffixes_and_rejects_junk),
		cmocka_unit_test(test_size_option_takes_every_suffix),
		cmocka_unit_test(test_size_that_is_not_a_number_is_rejected),
		cmocka_unit_test(test_size_that_overflows_64_bits_is_out_of_range),
		cmocka_unit_test(test_size_outside_min_max_is_out_of_range),
		cmocka_unit_test(test_uint_accepts_decimal_and_hex),
		cmocka_unit_test(test_uint_that_is_not_a_number_is_rejected),
		cmocka_unit_test(test_uint_outside_min_max_or_64_bits_is_out_of_range),
		cmocka_unit_test(test_bare_string_ends_at_whitespace),
		cmocka_unit_test(test_quoted_value_keeps_spaces_and_semicolons),
		cmocka_unit_test(test_missing_closing_quote_is_an_error),
		cmocka_unit_test(test_text_after_closing_quote_is_an_error),
		cmocka_unit_test(test_string_longer_than_its_room_is_rejected),
		cmocka_unit_test(test_unknown_option_is_named_in_the_error),
		cmocka_unit_test(test_long_unknown_name_is_cut_to_fit),
		cmocka_unit_test(test_flag_given_a_value_is_an_error),
		cmocka_unit_test(test_value_missing_for_non_flag_is_an_error),
		cmocka_unit_test(test_option_given_twice_is_an_error),
		cmocka_unit_test(test_equals_without_a_name_is_an_error),
		cmocka_unit_test(test_bad_default_is_reported_as_that_options_error),
		cmocka_unit_test(test_table_larger_than_64_options_is_refused),
		cmocka_unit_test(test_long_bad_value_gives_a_bounded_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
