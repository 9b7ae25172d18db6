/* kernel/ktest.h — in-kernel tests, reported in KTAP (the format of Linux's
 * KUnit: Documentation/dev-tools/ktap.rst).
 *
 *   KTEST(frames, alloc_returns_distinct_frames) {
 *           KT_EXPECT_EQ(t, a, b);
 *   }
 *
 * Each KTEST lands in the .ktest section (linker.ld); tests of one suite
 * run together, in the order they appear in the source. A failed check
 * prints "# file:line: what was expected, what was seen" and the test goes
 * on, so one run shows every failure.
 */
#ifndef MEMVISOR_KTEST_H
#define MEMVISOR_KTEST_H

#include "kernel/types.h"

struct ktest_ctx {
	unsigned failures;
	const char *skip_reason; /* set by ktest_skip() */
};

struct ktest {
	const char *suite;
	const char *name;
	void (*run)(struct ktest_ctx *t);
};

#define KTEST(suite, name)                                                                  \
	static void ktest_fn_##suite##_##name(struct ktest_ctx *t);                         \
	static const struct ktest ktest_##suite##_##name                                    \
		__attribute__((used, section(".ktest"), aligned(8))) = {                    \
			#suite, #name, ktest_fn_##suite##_##name };                         \
	static void ktest_fn_##suite##_##name(struct ktest_ctx *t)

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define KT_EXPECT(t, cond)                                                                  \
	do {                                                                                \
		if (!(cond))                                                                \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #cond);            \
	} while (0)

#define KT_EXPECT_EQ(t, seen, expected)                                                     \
	do {                                                                                \
		unsigned long long kt_s = (unsigned long long)(seen);                       \
		unsigned long long kt_e = (unsigned long long)(expected);                   \
		if (kt_s != kt_e)                                                           \
			ktest_fail(t, __FILE__, __LINE__, "%s: expected %llu (%#llx), seen %llu (%#llx)", \
				   #seen, kt_e, kt_e, kt_s, kt_s);                          \
	} while (0)

#define KT_EXPECT_STR(t, seen, expected)                                                    \
	do {                                                                                \
		const char *kt_s = (seen), *kt_e = (expected);                              \
		if (strcmp(kt_s, kt_e))                                                     \
			ktest_fail(t, __FILE__, __LINE__, "%s: expected \"%s\", seen \"%s\"",  \
				   #seen, kt_e, kt_s);                                      \
	} while (0)

/* Marks the test skipped (KTAP "# SKIP reason"); the test then returns. */
static inline void ktest_skip(struct ktest_ctx *t, const char *reason)
{
	t->skip_reason = reason;
}

/* Checks that every name in `selection` ("all" or "a,b,c") is a suite.
 * Returns NULL, or the first unknown name (copied into `bad`). */
const char *ktest_find_unknown(const char *selection, char *bad, size_t bad_size);
/* Runs the selected suites, prints KTAP, returns the number of failures. */
unsigned ktest_run(const char *selection, unsigned *passed);
/* Lists the suites as "a, b, c" into buf. */
void ktest_list_suites(char *buf, size_t size);

#endif
