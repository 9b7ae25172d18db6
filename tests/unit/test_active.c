/* tests/unit/test_active.c — the arithmetic of active-memory sampling
 * (vmm/policy/active_estimate.c): a period's estimate from the touched
 * fraction, the fast and slow moving averages and which one is shown;
 * hosted with ASan/UBSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/policy/active.h"
#include "kernel/random.h"

static void test_estimate_is_the_touched_fraction_of_resident(void **state)
{
	(void)state;
	assert_int_equal(active_period_estimate(25, 100, 2048), 512);
	assert_int_equal(active_period_estimate(75, 100, 2048), 1536);
	assert_int_equal(active_period_estimate(100, 100, 2048), 2048);
	assert_int_equal(active_period_estimate(0, 100, 2048), 0);
	assert_int_equal(active_period_estimate(1, 3, 100), 33);  /* 33.3: rounded down */
	assert_int_equal(active_period_estimate(2, 3, 100), 67);  /* 66.7: rounded up */
	assert_int_equal(active_period_estimate(0, 0, 2048), 0);  /* nothing sampled: nothing known */
	assert_int_equal(active_period_estimate(7, 5, 100), 100); /* never above resident */
}

static struct vm_active fresh(void)
{
	struct vm_active a;
	memset(&a, 0, sizeof(a));
	return a;
}

static void test_first_period_sets_both_averages(void **state)
{
	(void)state;
	struct vm_active a = fresh();
	active_average(&a, 700);
	assert_int_equal(active_pages(&a), 700);
	assert_int_equal(a.fast, a.slow);
	assert_int_equal(a.last, 700);
	for (int i = 0; i < 20; i++) /* a steady estimate stays where it is */
		active_average(&a, 700);
	assert_int_equal(active_pages(&a), 700);
	assert_int_equal(a.periods, 21);
}

/* Going quiet: the fast average closes a quarter of the distance each
 * period, the slow one an eighth, and the larger (the slow) is shown — a
 * VM that just stopped using memory is not counted idle at once. */
static void test_a_drop_is_followed_slowly(void **state)
{
	(void)state;
	struct vm_active a = fresh();
	active_average(&a, 2048);
	active_average(&a, 512);
	assert_int_equal(a.fast >> ACTIVE_FIX_SHIFT, 1664);
	assert_int_equal(a.slow >> ACTIVE_FIX_SHIFT, 1856);
	assert_int_equal(active_pages(&a), 1856);
	for (int i = 0; i < 60; i++)
		active_average(&a, 512);
	/* 1536 x (7/8)^61 is under one page */
	assert_in_range(active_pages(&a), 512, 513);
}

/* Getting busy: the fast average (and so the estimate) follows first. */
static void test_a_rise_is_followed_fast(void **state)
{
	(void)state;
	struct vm_active a = fresh();
	active_average(&a, 512);
	active_average(&a, 2048);
	assert_int_equal(a.fast >> ACTIVE_FIX_SHIFT, 896);
	assert_int_equal(a.slow >> ACTIVE_FIX_SHIFT, 704);
	assert_int_equal(active_pages(&a), 896);
}

/* Sampling n of 2048 pages of which exactly K are touched, many periods
 * over (with replacement: close enough to the real draw without):
 * the period estimates' mean is K — the estimator has no bias — and the
 * shown one (the larger average, a little above K on average for that)
 * is within 10% of K in most periods: with 100 samples in at least
 * `within100` of them, with 400 in nearly all. The spread is the
 * binomial's, sqrt(f (1 - f) / n) of the touched fraction f per period,
 * narrowed by the averages: a small working set is the hard case. */
static void test_random_samples_estimate_k(void **state)
{
	(void)state;
	static const struct {
		uint64_t k, n, within_pct;
	} cases[] = { { 512, 100, 80 }, { 1536, 100, 99 }, { 512, 400, 99 }, { 1536, 400, 100 } };
	const uint64_t resident = 2048, periods = 1000, warmup = 40;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint64_t k = cases[c].k, n = cases[c].n;
		uint64_t rng = xorshift64_seed(splitmix64_mix(k * 1000 + n)), sum = 0, within = 0;
		struct vm_active a = fresh();
		for (uint64_t p = 0; p < periods; p++) {
			uint64_t touched = 0;
			for (uint64_t i = 0; i < n; i++) {
				rng = xorshift64(rng);
				touched += rng % resident < k;
			}
			uint64_t e = active_period_estimate(touched, n, resident);
			sum += e;
			active_average(&a, e);
			uint64_t shown = active_pages(&a), off = shown > k ? shown - k : k - shown;
			within += p >= warmup && off * 10 <= k;
		}
		uint64_t mean = sum / periods, pct = within * 100 / (periods - warmup);
		if (mean * 100 < k * 98 || mean * 100 > k * 102)
			fail_msg("K=%llu n=%llu: expected the mean period estimate within 2%% of K, saw %llu",
				 (unsigned long long)k, (unsigned long long)n, (unsigned long long)mean);
		if (pct < cases[c].within_pct)
			fail_msg("K=%llu n=%llu: expected the shown estimate within 10%% of K in %llu%% of periods, saw %llu%%",
				 (unsigned long long)k, (unsigned long long)n, (unsigned long long)cases[c].within_pct,
				 (unsigned long long)pct);
	}
}

/* The averages keep a fraction: a VM whose estimate is 1 page, after 0,
 * is counted (the fast average goes a quarter of the way each period: 0.25,
 * 0.44, 0.58 pages, rounded to 1 from the third). In whole pages each step
 * of 1/4 page would round to nothing and it would stay 0 for ever. */
static void test_small_estimates_are_not_rounded_away(void **state)
{
	(void)state;
	struct vm_active a = fresh();
	active_average(&a, 0);
	active_average(&a, 1);
	assert_int_equal(a.fast, 1u << (ACTIVE_FIX_SHIFT - ACTIVE_FAST_SHIFT)); /* 1/4 page */
	assert_int_equal(a.slow, 1u << (ACTIVE_FIX_SHIFT - ACTIVE_SLOW_SHIFT)); /* 1/8 page */
	active_average(&a, 1);
	active_average(&a, 1);
	if (active_pages(&a) != 1)
		fail_msg("expected 1 page after three periods of 1 (fast average 0.58), saw %llu",
			 (unsigned long long)active_pages(&a));
}

/* The rates, each period from the same start: the fast average closes a
 * quarter of the distance, the slow one an eighth, both ways and with no
 * wrap-around below the average. */
static void test_each_average_moves_at_its_own_rate(void **state)
{
	(void)state;
	static const struct {
		uint64_t from, to, fast, slow;
	} cases[] = { { 1000, 1800, 1200, 1100 }, { 1800, 1000, 1600, 1700 }, { 0, 4096, 1024, 512 },
		      { 4096, 0, 3072, 3584 }, { 640, 640, 640, 640 } };
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct vm_active a = fresh();
		active_average(&a, cases[c].from);
		active_average(&a, cases[c].to);
		uint64_t fast = a.fast >> ACTIVE_FIX_SHIFT, slow = a.slow >> ACTIVE_FIX_SHIFT;
		if (fast != cases[c].fast || slow != cases[c].slow)
			fail_msg("%llu then %llu: expected fast %llu and slow %llu, saw %llu and %llu",
				 (unsigned long long)cases[c].from, (unsigned long long)cases[c].to,
				 (unsigned long long)cases[c].fast, (unsigned long long)cases[c].slow,
				 (unsigned long long)fast, (unsigned long long)slow);
		assert_int_equal(a.last, cases[c].to);
		assert_int_equal(a.periods, 2);
	}
}

/* Before any period is measured the estimate is 0 and periods 0 (the
 * policy counts such a VM all active: vmm/policy/entitle_vms.c); the
 * first period, however large, is taken whole, with no history to blend. */
static void test_the_first_period_is_taken_whole(void **state)
{
	(void)state;
	struct vm_active a = fresh();
	assert_int_equal(active_pages(&a), 0);
	active_average(&a, 123456);
	assert_int_equal(a.periods, 1);
	if (active_pages(&a) != 123456 || a.fast != a.slow)
		fail_msg("expected 123456 pages in both averages after the first period, saw fast %llu slow %llu",
			 (unsigned long long)(a.fast >> ACTIVE_FIX_SHIFT), (unsigned long long)(a.slow >> ACTIVE_FIX_SHIFT));
	/* a later first period is not special: 0 is a measured estimate */
	active_average(&a, 0);
	assert_int_equal(active_pages(&a), 123456 - 123456 / 8);
}

/* Exactly K of 2048 pages touched, from one period to the next a fresh
 * sample of 400 with no noise (touched = K x 400 / 2048): the estimate
 * rounds to K within a page, and, from any start, the shown estimate is
 * within 10% of K once the slow average has had time (40 periods from a
 * start at all pages: (7/8)^40 x 1792 = 9 pages, under 10% of 256). */
static void test_a_steady_working_set_of_k_pages_is_found(void **state)
{
	(void)state;
	static const uint64_t ks[] = { 256, 512, 1024, 1536, 2048 };
	for (size_t c = 0; c < sizeof(ks) / sizeof(ks[0]); c++) {
		uint64_t k = ks[c], touched = (k * 400 + 1024) / 2048;
		uint64_t e = active_period_estimate(touched, 400, 2048);
		assert_in_range(e, k - 3, k + 3);
		struct vm_active a = fresh();
		active_average(&a, 2048); /* writing every page first */
		for (int p = 0; p < 40; p++)
			active_average(&a, e);
		uint64_t shown = active_pages(&a), off = shown > k ? shown - k : k - shown;
		if (off * 10 > k)
			fail_msg("K=%llu: expected the shown estimate within 10%% after 40 periods, saw %llu",
				 (unsigned long long)k, (unsigned long long)shown);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimate_is_the_touched_fraction_of_resident),
		cmocka_unit_test(test_first_period_sets_both_averages),
		cmocka_unit_test(test_a_drop_is_followed_slowly),
		cmocka_unit_test(test_a_rise_is_followed_fast),
		cmocka_unit_test(test_random_samples_estimate_k),
		cmocka_unit_test(test_small_estimates_are_not_rounded_away),
		cmocka_unit_test(test_each_average_moves_at_its_own_rate),
		cmocka_unit_test(test_the_first_period_is_taken_whole),
		cmocka_unit_test(test_a_steady_working_set_of_k_pages_is_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
