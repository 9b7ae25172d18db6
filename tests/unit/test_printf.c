/* tests/unit/test_printf.c — kvsnprintf() (kernel/printf.c) against the host's
 * vsnprintf for the conversions C11 7.21.6.1 defines, plus the few places where
 * memvisor deliberately differs (%p, NULL %s, unknown conversions).
 *
 * Each table is crossed with a list of values; every mismatch is printed as
 * format, expected (the host's) and seen (ours) before the test fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "kernel/printf.h"

#define OUT_MAX 512

/* Shows `len` bytes with non-printing ones escaped, so that an embedded NUL
 * (from "%c" of 0) is visible in a message. */
static const char *show(const char *s, int len, char *buf, size_t size)
{
	size_t at = 0;
	for (int i = 0; i < len && at + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			buf[at++] = (char)c;
		else
			at += (size_t)snprintf(buf + at, size - at, "\\x%02x", c);
	}
	buf[at] = 0;
	return buf;
}

/* Formats once with each formatter. Returns 1 (after printing both) when
 * the text or the returned length differ. */
static int vcompare(const char *fmt, va_list ap)
{
	char want[OUT_MAX], seen[OUT_MAX], a[4 * OUT_MAX], b[4 * OUT_MAX];
	va_list ap2;
	va_copy(ap2, ap);
	int want_len = vsnprintf(want, sizeof(want), fmt, ap);
	int seen_len = kvsnprintf(seen, sizeof(seen), fmt, ap2);
	va_end(ap2);
	assert_true(want_len >= 0 && want_len < OUT_MAX); /* the table must fit */
	if (want_len == seen_len && !memcmp(want, seen, (size_t)want_len + 1))
		return 0;
	int shown = seen_len >= 0 && seen_len < OUT_MAX ? seen_len : (int)strlen(seen);
	print_error("format \"%s\": expected \"%s\" (returns %d), seen \"%s\" (returns %d)\n", fmt,
		    show(want, want_len, a, sizeof(a)), want_len, show(seen, shown, b, sizeof(b)), seen_len);
	return 1;
}

static int compare(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int bad = vcompare(fmt, ap);
	va_end(ap);
	return bad;
}

/* Checks our own output where the host's differs by design. */
static int expect(const char *want, const char *fmt, ...)
{
	char seen[OUT_MAX];
	va_list ap;
	va_start(ap, fmt);
	int seen_len = kvsnprintf(seen, sizeof(seen), fmt, ap);
	va_end(ap);
	if (!strcmp(want, seen) && seen_len == (int)strlen(want))
		return 0;
	print_error("format \"%s\": expected \"%s\" (returns %d), seen \"%s\" (returns %d)\n", fmt, want,
		    (int)strlen(want), seen, seen_len);
	return 1;
}

#define EACH(i, table) for (size_t i = 0; i < sizeof(table) / sizeof((table)[0]); i++)

#define ASSERT_NO_MISMATCH(bad)                                      \
	do {                                                         \
		if (bad)                                             \
			fail_msg("%d format(s) differ, listed above", bad); \
	} while (0)

/* ---- int-sized conversions ---------------------------------------------- */

static const int int_values[] = {
	0, 1, -1, 7, -7, 42, -42, 255, -255, 1000, 12345, -12345, 0x7f, 0x80,
	0xffff, 65536, INT_MAX, INT_MAX - 1, INT_MIN, INT_MIN + 1,
};

static const char *const signed_formats[] = {
	"%d", "%i", "%1d", "%6d", "%-6d|", "%06d", "%-06d|", "%+d", "% d", "%+ d", "% +6d",
	"%+06d", "% 06d", "%.0d", "%.1d", "%.5d", "%8.5d", "%-8.5d|", "%08.5d", "%+.3d",
	"%12d", "%012d", "%.12d", "%-+12.8d|", "%+.0d", "% .0d", "%3.0d", "%-3.0d|",
	"%+i", "%05i", "% -7i|", "<%d>", "%d%d",
};

static void test_signed_int_conversions_match_libc(void **state)
{
	(void)state;
	int bad = 0;
	EACH(f, signed_formats)
		EACH(v, int_values)
			bad += compare(signed_formats[f], int_values[v], int_values[v]);
	ASSERT_NO_MISMATCH(bad);
}

static const unsigned unsigned_values[] = {
	0, 1, 7, 8, 9, 10, 15, 16, 64, 255, 256, 511, 0x1000, 12345, 0x80000000u,
	0xdeadbeefu, UINT_MAX - 1, UINT_MAX,
};

/* '+' and ' ' apply to signed conversions only (C11 7.21.6.1p6): with %u,
 * %x and %o they must change nothing. */
static const char *const unsigned_formats[] = {
	"%u", "%x", "%X", "%o", "%8u", "%-8x|", "%08X", "%.4o", "%#x", "%#X", "%#o",
	"%#8x", "%#-8x|", "%#08x", "%#.6x", "%#10.6x", "%#.0x", "%#.0o", "%#.3o", "%#08o",
	"%#2o", "%#.1o", "%.0u", "%.0x", "%.0o", "%5.0o", "%-#10o|", "%#010X", "%012o",
	"%+u", "% u", "%+x", "% X", "%+o", "% #o", "%+#x",
};

static void test_unsigned_conversions_match_libc(void **state)
{
	(void)state;
	int bad = 0;
	EACH(f, unsigned_formats)
		EACH(v, unsigned_values)
			bad += compare(unsigned_formats[f], unsigned_values[v]);
	ASSERT_NO_MISMATCH(bad);
}

/* hh and h: the int argument is converted to (un)signed char / short. */
static const int short_values[] = {
	0, 1, -1, 127, 128, 255, 256, -128, -129, 32767, 32768, 65535, 65536, -32768,
	-32769, 0x12345678, INT_MIN, INT_MAX,
};

static const char *const short_formats[] = {
	"%hhd", "%hhi", "%hhu", "%hhx", "%hhX", "%hho", "%+hhd", "%#hhx", "%5hhd",
	"%hd", "%hi", "%hu", "%hx", "%hX", "%ho", "%05hd", "%-8hx|", "%#ho", "%.6hu",
};

static void test_hh_and_h_length_modifiers_match_libc(void **state)
{
	(void)state;
	int bad = 0;
	EACH(f, short_formats)
		EACH(v, short_values)
			bad += compare(short_formats[f], short_values[v]);
	ASSERT_NO_MISMATCH(bad);
}

/* ---- 64-bit conversions ------------------------------------------------ */

static const long long ll_values[] = {
	0, 1, -1, 42, -42, INT_MAX, (long long)INT_MAX + 1, INT_MIN, (long long)INT_MIN - 1,
	0x123456789abcdefll, -0x123456789abcdefll, 1000000000000000ll,
	INT64_MAX, INT64_MAX - 1, INT64_MIN, INT64_MIN + 1,
};

static const char *const ll_formats[] = {
	"%lld", "%lli", "%+lld", "% lld", "%025lld", "%-25lld|", "%.25lld", "%+.0lld", "%20lld",
};

/* l, z, j and t all name 64-bit types on LP64; the argument is a long. */
static const char *const l_formats[] = {
	"%ld", "%li", "%+ld", "%-22ld|", "%022ld", "%.20ld", "%zd", "%jd", "%td", "%+zd",
};

static void test_signed_64_bit_conversions_match_libc(void **state)
{
	(void)state;
	int bad = 0;
	EACH(v, ll_values) {
		EACH(f, ll_formats)
			bad += compare(ll_formats[f], ll_values[v]);
		EACH(f, l_formats)
			bad += compare(l_formats[f], (long)ll_values[v]);
	}
	ASSERT_NO_MISMATCH(bad);
}

static const unsigned long long ull_values[] = {
	0, 1, 255, UINT_MAX, (unsigned long long)UINT_MAX + 1, 0x8000000000000000ull,
	0xfedcba9876543210ull, UINT64_MAX - 1, UINT64_MAX,
};

static const char *const ull_formats[] = {
	"%llu", "%llx", "%llX", "%llo", "%#llx", "%#llo", "%#llX", "%020llx", "%-24llu|", "%.18llx",
};

static const char *const ul_formats[] = {
	"%lu", "%lx", "%lX", "%lo", "%#lx", "%zu", "%zx", "%ju", "%jx", "%#018zx", "%tu", "%tx",
};

static void test_unsigned_64_bit_conversions_match_libc(void **state)
{
	(void)state;
	int bad = 0;
	EACH(v, ull_values) {
		EACH(f, ull_formats)
			bad += compare(ull_formats[f], ull_values[v]);
		EACH(f, ul_formats)
			bad += compare(ul_formats[f], (unsigned long)ull_values[v]);
	}
	ASSERT_NO_MISMATCH(bad);
}

static void test_int64_min_prints_every_digit(void **state)
{
	(void)state;
	int bad = expect("-9223372036854775808", "%lld", (long long)INT64_MIN);
	bad += expect("-9223372036854775808", "%ld", (long)INT64_MIN);
	bad += expect("[-9223372036854775808  ]", "[%-22lld]", (long long)INT64_MIN);
	bad += expect("-09223372036854775808", "%021lld", (long long)INT64_MIN);
	bad += expect("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	ASSERT_NO_MISMATCH(bad);
}

/* C11 7.21.6.1p8: "The result of converting a zero value with a precision of
 * zero is no characters"; only '#' with %o still prints one 0. */
static void test_zero_with_precision_zero_prints_no_digits(void **state)
{
	(void)state;
	int bad = expect("[]", "[%.0d]", 0);
	bad += expect("[]", "[%.0u]", 0u);
	bad += expect("[]", "[%.0x]", 0u);
	bad += expect("[]", "[%#.0x]", 0u);
	bad += expect("[   ]", "[%3.0d]", 0);
	bad += expect("[+]", "[%+.0d]", 0);
	bad += expect("[0]", "[%#.0o]", 0u);
	bad += expect("[1]", "[%.0d]", 1);
	bad += compare("[%.0d] [%.0lld] [%5.0x]", 0, 0ll, 0u);
	ASSERT_NO_MISMATCH(bad);
}

/* ---- '*' width and precision ------------------------------------------- */

static void test_star_width_and_precision_match_libc(void **state)
{
	(void)state;
	int bad = compare("[%*d]", 6, 42);
	bad += compare("[%-*d]", 6, 42);
	bad += compare("[%*d]", -6, 42); /* a negative width means '-' */
	bad += compare("[%*d]", 0, 42);
	bad += compare("[%.*d]", 5, 42);
	bad += compare("[%.*d]", -1, 42); /* a negative precision means none */
	bad += compare("[%.*d]", 0, 0);
	bad += compare("[%*.*d]", 8, 4, -42);
	bad += compare("[%0*d]", 7, -42);
	bad += compare("[%0*.*d]", 7, -1, 42); /* no precision: '0' pads again */
	bad += compare("[%0*.*d]", 7, 3, 42);
	bad += compare("[%*s]", 8, "ab");
	bad += compare("[%-*s]", 8, "ab");
	bad += compare("[%*s]", -8, "ab");
	bad += compare("[%.*s]", 2, "abcdef");
	bad += compare("[%.*s]", -1, "abc");
	bad += compare("[%*.*s]", 6, 2, "abcdef");
	bad += compare("[%*c]", 4, 'x');
	bad += compare("[%*x]", -8, 255u);
	bad += compare("[%#*.*x]", 10, 4, 255u);
	bad += compare("[%*lld|%-*llu]", 22, (long long)INT64_MIN, 21, (unsigned long long)UINT64_MAX);
	ASSERT_NO_MISMATCH(bad);
}

/* ---- %c and %s --------------------------------------------------------- */

static const int char_values[] = { 'a', 'Z', '%', ' ', '\n', '0', 0x7f, 0xff, 'A' + 256, 0 };

static const char *const char_formats[] = { "%c", "[%c]", "[%3c]", "[%-3c]", "%c%c" };

static void test_char_conversion_matches_libc(void **state)
{
	(void)state;
	int bad = 0;
	EACH(f, char_formats)
		EACH(v, char_values)
			bad += compare(char_formats[f], char_values[v], 'b');
	ASSERT_NO_MISMATCH(bad);
}

static const char long_text[] =
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789abcdefghijklmnopqrstuvwxyz";

static const char *const string_values[] = {
	"", "a", "hello", "hello world", "with %d inside", "tab\there", long_text,
};

static const char *const string_formats[] = {
	"%s", "[%s]", "[%10s]", "[%-10s]", "[%.0s]", "[%.3s]", "[%10.3s]", "[%-10.3s]",
	"[%.20s]", "[%2s]", "[%200s]", "%s%s",
};

static void test_string_conversion_matches_libc(void **state)
{
	(void)state;
	int bad = 0;
	EACH(f, string_formats)
		EACH(v, string_values)
			bad += compare(string_formats[f], string_values[v], "+tail");
	ASSERT_NO_MISMATCH(bad);
}

/* Ours, not the host's: a NULL string prints "(null)" and never faults. */
static void test_null_string_prints_null_marker(void **state)
{
	(void)state;
	const char *nothing = NULL;
	int bad = expect("(null)", "%s", nothing);
	bad += expect("[  (null)]", "[%8s]", nothing);
	bad += expect("[(null)  ]", "[%-8s]", nothing);
	bad += expect("name=(null) next=7", "name=%s next=%d", nothing, 7);
	ASSERT_NO_MISMATCH(bad);
}

static void test_percent_and_plain_text_match_libc(void **state)
{
	(void)state;
	int bad = compare("plain text, no conversions");
	bad += compare("");
	bad += compare("%%");
	bad += compare("100%% done");
	bad += compare("%d%%", 50);
	bad += compare("%%d %%s %d", 3);
	ASSERT_NO_MISMATCH(bad);
}

/* Every argument is consumed at the right width, so later ones line up. */
static void test_mixed_conversions_consume_arguments_in_order(void **state)
{
	(void)state;
	int bad = compare("%s=%d (%#x) %c %lld %hhu %lu %s %o", "rax", -5, 48879u, 'q',
			  (long long)INT64_MIN, 300, 123456789012ul, "end", 8u);
	bad += compare("%hd %lld %hhd %ld %d", 70000, 1ll << 40, 200, -(1l << 35), -1);
	bad += compare("%5.2s|%-4c|%+.3d|%#o|%X", "xyz", 'k', 7, 9u, 0xabcu);
	ASSERT_NO_MISMATCH(bad);
}

/* ---- %p: ours is always "0x" and 16 digits ---------------------------- */

static void test_pointer_is_0x_and_16_hex_digits(void **state)
{
	(void)state;
	int object = 0;
	char want[32];
	snprintf(want, sizeof(want), "0x%016lx", (unsigned long)(uintptr_t)&object);

	int bad = expect("0x0000000000000000", "%p", (void *)0);
	bad += expect("0x00000000deadbeef", "%p", (void *)(uintptr_t)0xdeadbeef);
	bad += expect("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	bad += expect("0xffff800000001000", "%p", (void *)(uintptr_t)0xffff800000001000ull);
	bad += expect(want, "%p", (void *)&object);
	bad += expect("[  0x0000000000000010]", "[%20p]", (void *)16);
	bad += expect("[0x0000000000000010  ]", "[%-20p]", (void *)16);
	bad += expect("[0x0000000000000010]", "[%4p]", (void *)16);
	bad += expect("[0x0000000000000010]", "[%#p]", (void *)16);
	bad += expect("at 0x0000000000001000 and 0x0000000000002000", "at %p and %p", (void *)0x1000,
		      (void *)0x2000);
	ASSERT_NO_MISMATCH(bad);
}

/* Ours: an unknown conversion is shown as written, and a format that ends
 * in '%' stops there without reading past its end. */
static void test_unknown_conversion_is_shown_and_trailing_percent_is_dropped(void **state)
{
	(void)state;
	const char *unknown = "a%qb", *trailing = "abc%", *trailing_spec = "abc%-08l";
	int bad = expect("a%qb", unknown);
	bad += expect("abc", trailing);
	bad += expect("abc", trailing_spec);
	ASSERT_NO_MISMATCH(bad);
}

/* ---- truncation and the returned length ------------------------------- */

#define CANARY '#'

/* For every buffer size from 0 to past the full length: the same return
 * value and bytes as the host's, and nothing written past `size`. */
static int vcompare_truncation(const char *fmt, va_list ap)
{
	char want[OUT_MAX], seen[OUT_MAX], a[4 * OUT_MAX], b[4 * OUT_MAX];
	va_list probe;
	va_copy(probe, ap);
	int full = vsnprintf(NULL, 0, fmt, probe);
	va_end(probe);
	assert_true(full >= 0 && full + 8 < OUT_MAX);
	int bad = 0;
	for (size_t size = 0; size <= (size_t)full + 2; size++) {
		va_list x, y;
		memset(want, CANARY, sizeof(want));
		memset(seen, CANARY, sizeof(seen));
		va_copy(x, ap);
		va_copy(y, ap);
		int want_len = vsnprintf(want, size, fmt, x);
		int seen_len = kvsnprintf(seen, size, fmt, y);
		va_end(y);
		va_end(x);
		if (want_len == seen_len && !memcmp(want, seen, (size_t)full + 8))
			continue;
		print_error("format \"%s\", size %zu: expected \"%s\" (returns %d), seen \"%s\" (returns %d)\n",
			    fmt, size, show(want, full + 8, a, sizeof(a)), want_len,
			    show(seen, full + 8, b, sizeof(b)), seen_len);
		bad++;
	}
	return bad;
}

static int compare_truncation(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int bad = vcompare_truncation(fmt, ap);
	va_end(ap);
	return bad;
}

static void test_truncation_matches_libc_and_returns_full_length(void **state)
{
	(void)state;
	int bad = compare_truncation("hello world");
	bad += compare_truncation("%d", 123456);
	bad += compare_truncation("%s and %s", "ab", "cd");
	bad += compare_truncation("[%08x]", 0xbeefu);
	bad += compare_truncation("%-6s|%6d|", "ab", -12);
	bad += compare_truncation("%lld", (long long)INT64_MIN);
	bad += compare_truncation("%%%c%%", 'z');
	ASSERT_NO_MISMATCH(bad);
}

static void test_size_zero_writes_nothing(void **state)
{
	(void)state;
	char buf[8];
	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(ksnprintf(buf, 0, "%s %d", "abc", 12345), 9);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], CANARY);
	/* With size 0 the buffer is never touched, so NULL is allowed. */
	assert_int_equal(ksnprintf(NULL, 0, "%lld", (long long)INT64_MIN), 20);
}

static void test_size_one_writes_only_the_terminator(void **state)
{
	(void)state;
	char buf[4] = { CANARY, CANARY, CANARY, CANARY };
	assert_int_equal(ksnprintf(buf, 1, "xyz%d", 7), 4);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], CANARY);
}

/* kvprintf_to(): what the console (kernel/console.c) prints with. */
struct collected {
	char text[4096];
	size_t len, pieces, largest;
};

static void collect(void *ctx, const char *s, size_t len)
{
	struct collected *c = ctx;
	assert_true(c->len + len <= sizeof(c->text));
	memcpy(c->text + c->len, s, len);
	c->len += len;
	c->pieces++;
	c->largest = len > c->largest ? len : c->largest;
}

static int sink_printf(struct collected *c, char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf_to(collect, c, buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* A line three times the buffer, then its newline: all of it arrives, in
 * order, in pieces no larger than the buffer (before, the console cut it
 * at 1023 characters and the newline was lost). */
static void test_a_line_longer_than_the_buffer_arrives_whole(void **state)
{
	(void)state;
	static struct collected c;
	char buf[64], expected[512], word[200];
	memset(word, 'w', sizeof(word) - 1);
	word[sizeof(word) - 1] = 0;
	int want = snprintf(expected, sizeof(expected), "start %s %d %s end\n", word, -42, word);
	int n = sink_printf(&c, buf, sizeof(buf), "start %s %d %s end\n", word, -42, word);
	assert_int_equal(n, want);
	assert_int_equal(c.len, (size_t)want);
	if (memcmp(c.text, expected, c.len))
		fail_msg("expected \"%s\", seen \"%.*s\"", expected, (int)c.len, c.text);
	assert_true(c.largest <= sizeof(buf));
	assert_int_equal(c.pieces, ((size_t)want + sizeof(buf) - 1) / sizeof(buf));
}

static void test_a_short_line_is_one_piece(void **state)
{
	(void)state;
	static struct collected c;
	char buf[64];
	assert_int_equal(sink_printf(&c, buf, sizeof(buf), "vm%u ok\n", 3u), 7);
	assert_int_equal(c.pieces, 1);
	assert_memory_equal(c.text, "vm3 ok\n", 7);
}

int main(void)
{
	/* Line-buffered, so cmocka's stdout and stderr stay in order in a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_int_conversions_match_libc),
		cmocka_unit_test(test_unsigned_conversions_match_libc),
		cmocka_unit_test(test_hh_and_h_length_modifiers_match_libc),
		cmocka_unit_test(test_signed_64_bit_conversions_match_libc),
		cmocka_unit_test(test_unsigned_64_bit_conversions_match_libc),
		cmocka_unit_test(test_int64_min_prints_every_digit),
		cmocka_unit_test(test_zero_with_precision_zero_prints_no_digits),
		cmocka_unit_test(test_star_width_and_precision_match_libc),
		cmocka_unit_test(test_char_conversion_matches_libc),
		cmocka_unit_test(test_string_conversion_matches_libc),
		cmocka_unit_test(test_null_string_prints_null_marker),
		cmocka_unit_test(test_percent_and_plain_text_match_libc),
		cmocka_unit_test(test_mixed_conversions_consume_arguments_in_order),
		cmocka_unit_test(test_pointer_is_0x_and_16_hex_digits),
		cmocka_unit_test(test_unknown_conversion_is_shown_and_trailing_percent_is_dropped),
		cmocka_unit_test(test_truncation_matches_libc_and_returns_full_length),
		cmocka_unit_test(test_size_zero_writes_nothing),
		cmocka_unit_test(test_size_one_writes_only_the_terminator),
		cmocka_unit_test(test_a_line_longer_than_the_buffer_arrives_whole),
		cmocka_unit_test(test_a_short_line_is_one_piece),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
