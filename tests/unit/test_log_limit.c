/* tests/unit/test_log_limit.c — a VM's budget of guest-caused log lines
 * (vmm/log_limit.c on kernel/rate_limit.c), hosted with ASan/UBSan: a burst
 * prints at once, then a steady rate; every line over budget is counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/log_limit.h"

/* Lines allowed out of `tries` made at the same millisecond. */
static unsigned allow_many(struct log_limit *l, unsigned tries, uint64_t now_ms)
{
	unsigned allowed = 0;
	for (unsigned i = 0; i < tries; i++)
		allowed += log_limit_allow(l, now_ms);
	return allowed;
}

static void test_the_first_burst_prints_at_once(void **state)
{
	(void)state;
	struct log_limit l;
	memset(&l, 0, sizeof(l));
	unsigned allowed = allow_many(&l, 1000, 5);
	if (allowed != LOG_LIMIT_BURST)
		fail_msg("expected %u lines allowed at once, seen %u", LOG_LIMIT_BURST, allowed);
	assert_int_equal(log_limit_take_suppressed(&l), 1000 - LOG_LIMIT_BURST);
	assert_int_equal(log_limit_take_suppressed(&l), 0); /* said once */
}

static void test_then_the_rate_per_second(void **state)
{
	(void)state;
	struct log_limit l;
	memset(&l, 0, sizeof(l));
	allow_many(&l, LOG_LIMIT_BURST, 0);
	(void)log_limit_take_suppressed(&l);
	unsigned allowed = 0;
	for (uint64_t ms = 1; ms <= 10000; ms++) /* a guest trying every millisecond for 10 s */
		allowed += allow_many(&l, 3, ms);
	if (allowed != 10 * LOG_LIMIT_PER_SEC)
		fail_msg("expected %u lines in 10 s, seen %u", 10 * LOG_LIMIT_PER_SEC, allowed);
	assert_int_equal(log_limit_take_suppressed(&l), 30000 - allowed);
}

static void test_a_quiet_guest_earns_its_burst_back(void **state)
{
	(void)state;
	struct log_limit l;
	memset(&l, 0, sizeof(l));
	allow_many(&l, 200, 0);
	uint64_t refill_ms = 1000ull * LOG_LIMIT_BURST / LOG_LIMIT_PER_SEC;
	/* Long quiet: the burst comes back whole, no more. */
	assert_int_equal(allow_many(&l, 200, 10 * refill_ms), LOG_LIMIT_BURST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_first_burst_prints_at_once),
		cmocka_unit_test(test_then_the_rate_per_second),
		cmocka_unit_test(test_a_quiet_guest_earns_its_burst_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
