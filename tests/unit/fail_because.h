/* tests/unit/fail_because.h — fail_because(fmt, ...): fails the test with
 * a message that also reaches the grade's summary line. cmocka records an
 * assertion's text in its XML results (which tools/labs reads), and not
 * fail_msg()'s, so this puts what was expected and what was seen into the
 * failure itself. expect_eq(what, want, seen) fails with both numbers
 * when they differ. */
#ifndef MEMVISOR_TESTS_UNIT_FAIL_BECAUSE_H
#define MEMVISOR_TESTS_UNIT_FAIL_BECAUSE_H

#include <stdio.h>

#define fail_because(...)                                          \
	do {                                                       \
		char because_[768];                                \
		snprintf(because_, sizeof(because_), __VA_ARGS__); \
		_assert_true(0, because_, __FILE__, __LINE__);     \
	} while (0)

#define expect_eq(what, want, seen)                                                   \
	do {                                                                          \
		unsigned long long want_ = (want), seen_ = (seen);                    \
		if (want_ != seen_)                                                   \
			fail_because("%s: expected %llu, seen %llu", (what), want_, seen_); \
	} while (0)

#endif
