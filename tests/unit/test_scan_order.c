/* tests/unit/test_scan_order.c — the scanner's pass order
 * (vmm/share/scan_order.c) and its token buckets (kernel/rate_limit.c), hosted
 * with ASan/UBSan: every gfn exactly once per pass, a different order each
 * pass, and rates that add up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/rate_limit.h"
#include "vmm/share/scan_order.h"

#define MAX_PAGES 5000

static unsigned seen[MAX_PAGES];
static uint64_t first_pass[MAX_PAGES];

/* One pass over npages: returns how many came, checks each came once. */
static uint64_t one_pass(struct scan_order *o, uint64_t npages, uint64_t *order)
{
	uint64_t n = 0, gfn;
	memset(seen, 0, sizeof(seen));
	while (scan_order_next(o, &gfn)) {
		if (gfn >= npages)
			fail_msg("gfn %llu is beyond the %llu pages", (unsigned long long)gfn, (unsigned long long)npages);
		if (seen[gfn]++)
			fail_msg("gfn %llu came twice in one pass", (unsigned long long)gfn);
		if (order)
			order[n] = gfn;
		n++;
	}
	return n;
}

static void test_each_pass_visits_every_gfn_once(void **state)
{
	(void)state;
	static const uint64_t sizes[] = { 1, 2, 3, 512, 513, 1000, 4096, MAX_PAGES };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct scan_order o;
		scan_order_init(&o, sizes[i], 12345 + i);
		for (int pass = 0; pass < 3; pass++) {
			assert_int_equal(one_pass(&o, sizes[i], NULL), sizes[i]);
			scan_order_new_pass(&o);
		}
	}
}

static void test_order_is_scrambled_and_changes(void **state)
{
	(void)state;
	enum { N = 4096 };
	static uint64_t second[N];
	struct scan_order o;
	scan_order_init(&o, N, 99);
	one_pass(&o, N, first_pass);
	scan_order_new_pass(&o);
	one_pass(&o, N, second);
	unsigned ascending = 0, same = 0;
	for (int i = 1; i < N; i++)
		ascending += first_pass[i] == first_pass[i - 1] + 1;
	for (int i = 0; i < N; i++)
		same += first_pass[i] == second[i];
	if (ascending > N / 16)
		fail_msg("%u of %d steps went to the next gfn: hardly random", ascending, N);
	if (same > N / 16)
		fail_msg("%u of %d positions were the same in two passes", same, N);
}

static void test_rate_limit_adds_up(void **state)
{
	(void)state;
	struct rate_limit r;
	rate_limit_init(&r, 250, 1000, 0); /* 250 a second: a quarter per ms */
	uint64_t got = 0;
	for (uint64_t ms = 1; ms <= 4000; ms++) {
		rate_limit_refill(&r, ms);
		uint64_t n = rate_limit_available(&r);
		rate_limit_take(&r, n);
		got += n;
	}
	assert_int_equal(got, 1000);
}

static void test_rate_limit_saves_up_to_its_burst(void **state)
{
	(void)state;
	struct rate_limit r;
	rate_limit_init(&r, 1000, 50, 100);
	assert_int_equal(rate_limit_available(&r), 0);
	rate_limit_refill(&r, 10100); /* ten seconds idle: only 50 ms are kept */
	assert_int_equal(rate_limit_available(&r), 50);
	rate_limit_take(&r, 20);
	assert_int_equal(rate_limit_available(&r), 30);
	rate_limit_refill(&r, 10000); /* time going backwards adds nothing */
	assert_int_equal(rate_limit_available(&r), 30);
	rate_limit_init(&r, 1, 10, 0); /* a tiny rate may still save one whole unit */
	rate_limit_refill(&r, 5000);
	assert_int_equal(rate_limit_available(&r), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_pass_visits_every_gfn_once),
		cmocka_unit_test(test_order_is_scrambled_and_changes),
		cmocka_unit_test(test_rate_limit_adds_up),
		cmocka_unit_test(test_rate_limit_saves_up_to_its_burst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
