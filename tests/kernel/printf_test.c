/* tests/kernel/printf_test.c — the formatter as built for the kernel
 * (freestanding, no SSE); tests/unit checks it against the host's libc. */
#include "kernel/ktest.h"
#include "kernel/printf.h"
#include "kernel/string.h"

static const char *fmt(char *buf, size_t size, const char *f, ...) PRINTF_FORMAT(3, 4);
static const char *fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	kvsnprintf(buf, size, f, ap);
	va_end(ap);
	return buf;
}

KTEST(printf, integers_with_width_and_flags)
{
	char b[64];
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "[%5d|%-5d|%05d]", 42, 42, -42), "[   42|42   |-0042]");
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "%lld", (long long)-9223372036854775807ll - 1), "-9223372036854775808");
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "%llu", 18446744073709551615ull), "18446744073709551615");
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "%+d % d", 7, 7), "+7  7");
}

KTEST(printf, hex_octal_and_pointers)
{
	char b[64];
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "%x %X %#x %#o", 0xbeefu, 0xbeefu, 255u, 8u), "beef BEEF 0xff 010");
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "%08lx", 0x1234ul), "00001234");
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "%p", (void *)0x1000), "0x0000000000001000");
}

KTEST(printf, strings_chars_and_precision)
{
	char b[64];
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "[%s|%8s|%-8s|%.3s]", "abc", "abc", "abc", "abcdef"),
		      "[abc|     abc|abc     |abc]");
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "%c%c%%", 'o', 'k'), "ok%");
	KT_EXPECT_STR(t, fmt(b, sizeof(b), "%*d|%.*s", 4, 1, 2, "xyz"), "   1|xy");
}

KTEST(printf, truncates_and_returns_full_length)
{
	char b[8];
	int n = ksnprintf(b, sizeof(b), "%s", "0123456789");
	KT_EXPECT_EQ(t, n, 10);
	KT_EXPECT_STR(t, b, "0123456");
}
