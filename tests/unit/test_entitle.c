/* tests/unit/test_entitle.c — entitlements by shares with the idle memory
 * tax (vmm/policy/entitle.c), hosted with ASan/UBSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/policy/entitle.h"

#define BIG 1000000 /* a limit that does not bind */

static uint64_t sum(const struct entitle_vm *v, unsigned n)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < n; i++)
		s += v[i].entitled;
	return s;
}

static void assert_close(uint64_t seen, uint64_t expected, uint64_t slack, const char *what)
{
	uint64_t off = seen > expected ? seen - expected : expected - seen;
	if (off > slack)
		fail_msg("%s: expected %llu (+-%llu), saw %llu", what, (unsigned long long)expected,
			 (unsigned long long)slack, (unsigned long long)seen);
}

static void test_adjusted_pages_charge_idle_ones_k_times(void **state)
{
	(void)state;
	assert_int_equal(entitle_adjusted_x100(1000, 1000, 75), 100000); /* all active: 1 each */
	assert_int_equal(entitle_adjusted_x100(1000, 0, 75), 400000);    /* all idle: k = 4 */
	assert_int_equal(entitle_adjusted_x100(1000, 250, 75), 325000);  /* 250 + 4 x 750 */
	assert_int_equal(entitle_adjusted_x100(1000, 0, 0), 100000);     /* no tax: shares alone */
	assert_int_equal(entitle_adjusted_x100(100, 500, 75), 10000);    /* active past what it holds: all active */
}

/* Two busy VMs with shares 2:1 split the budget 2:1. */
static void test_busy_vms_split_by_shares(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 2000, 0, BIG, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	entitle_compute(v, 2, 3000, 75);
	assert_close(v[0].entitled, 2000, 1, "2000 shares");
	assert_close(v[1].entitled, 1000, 1, "1000 shares");
	assert_true(sum(v, 2) <= 3000);
}

/* Equal shares, one VM all idle: at 75% an idle page costs 4, so the busy
 * one is entitled to four times as much (E_idle x 4 = E_busy). At 0% the
 * tax is off: half each. */
static void test_idle_memory_is_taxed(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 1000, 0, BIG, BIG, 0 }, { 1000, 0, BIG, 0, 0 } };
	entitle_compute(v, 2, 5000, 75);
	assert_close(v[0].entitled, 4000, 1, "busy VM at tax 75%");
	assert_close(v[1].entitled, 1000, 1, "idle VM at tax 75%");
	entitle_compute(v, 2, 5000, 0);
	assert_close(v[0].entitled, 2500, 1, "busy VM at tax 0%");
	assert_close(v[1].entitled, 2500, 1, "idle VM at tax 0%");
	entitle_compute(v, 2, 5000, 50); /* k = 2 */
	assert_close(v[1].entitled * 2, v[0].entitled, 2, "busy = 2 x idle at tax 50%");
}

/* A VM partly active: its active pages cost 1, the rest k. Equal shares,
 * 600 of the second VM's pages active: both have the same adjusted pages,
 * E0 = 600 + 4 (E1 - 600); with E0 + E1 = 3000: E1 = 960, E0 = 2040. */
static void test_partly_active(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 500, 0, BIG, BIG, 0 }, { 500, 0, BIG, 600, 0 } };
	entitle_compute(v, 2, 3000, 75);
	assert_close(v[1].entitled, 960, 1, "partly active VM");
	assert_close(v[0].entitled, 2040, 1, "busy VM");
}

static void test_reservation_is_a_floor_and_limit_a_ceiling(void **state)
{
	(void)state;
	/* tiny shares but a reservation; huge shares but a limit: the third
	 * takes what the limit leaves */
	struct entitle_vm v[] = { { 1, 700, BIG, BIG, 0 }, { 100000, 0, 500, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	entitle_compute(v, 3, 4000, 75);
	assert_true(v[0].entitled >= 700);
	assert_close(v[0].entitled, 700, 1, "reserved VM with almost no shares");
	assert_int_equal(v[1].entitled, 500);
	assert_close(v[2].entitled, 2800, 2, "the one left");
}

/* Limits that add up to less than the budget: each VM gets its limit, and
 * the rest stays unentitled. */
static void test_everyone_at_the_limit(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 10, 0, 300, 0, 0 }, { 10, 100, 400, 400, 0 } };
	entitle_compute(v, 2, 10000, 75);
	assert_int_equal(v[0].entitled, 300);
	assert_int_equal(v[1].entitled, 400);
}

/* The whole budget is given out, to less than a page per VM. */
static void test_budget_is_given_out(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 333, 0, BIG, 17, 0 }, { 777, 50, BIG, 5000, 0 }, { 1, 0, BIG, 0, 0 },
				  { 1000000000, 0, 9000, 9000, 0 } };
	entitle_compute(v, 4, 12345, 75);
	assert_true(sum(v, 4) <= 12345);
	assert_true(sum(v, 4) + 4 >= 12345);
	assert_true(v[1].entitled >= 50);
	assert_true(v[3].entitled <= 9000);
}

/* Shares near the most guests= takes (ALLOC_SHARES_MAX, 10^9) against
 * pages in the tens of millions: shares x (pages per share) passes 2^64
 * on the way, and a product kept in 64 bits wraps; and the ratio must be
 * fine enough that one step of it moves each VM by less than a page.
 * 3:1 stays 3:1, to a page or two. */
static void test_large_shares_do_not_overflow(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 900000000, 0, 1ull << 40, 1ull << 40, 0 },
				  { 300000000, 0, 1ull << 40, 1ull << 40, 0 } };
	entitle_compute(v, 2, 40000000, 75);
	assert_close(v[0].entitled, 30000000, 2, "9e8 shares of 1.2e9");
	assert_close(v[1].entitled, 10000000, 2, "3e8 shares of 1.2e9");
	struct entitle_vm w[] = { { 1000000000, 0, BIG, 0, 0 }, { 1, 0, BIG, BIG, 0 } };
	entitle_compute(w, 2, 1000000, 75);
	assert_close(w[0].entitled, 1000000, 1, "1e9 shares, idle, against 1 share");
}

/* What a limit leaves is shared by the others as their shares say:
 * three equal VMs, one limited to 100 of 3000: 1450 each for the others. */
static void test_what_a_limit_leaves_goes_to_the_others(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 1000, 0, BIG, BIG, 0 }, { 1000, 0, 100, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	entitle_compute(v, 3, 3000, 75);
	assert_int_equal(v[1].entitled, 100);
	assert_close(v[0].entitled, 1450, 1, "first unlimited VM");
	assert_close(v[2].entitled, 1450, 1, "second unlimited VM");
	assert_true(sum(v, 3) <= 3000 && sum(v, 3) + 3 >= 3000);
}

/* What a reservation takes is not shared again: equal shares, one
 * reserving 2000 of 3000: it gets its reservation, the other the rest
 * (its share alone would be 1500). */
static void test_a_reservation_above_the_share_is_honoured(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 1000, 2000, BIG, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	entitle_compute(v, 2, 3000, 75);
	assert_int_equal(v[0].entitled, 2000);
	assert_close(v[1].entitled, 1000, 1, "the unreserved VM");
}

/* Shares 2:1 with the tax: the idle pages of the larger VM cost 4, so a
 * VM with twice the shares, all idle, is entitled to half of an all-busy
 * one's: E0 x 4 / 2000 = E1 / 1000, E0 + E1 = 3000: 1000 and 2000. */
static void test_shares_and_tax_together(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 2000, 0, BIG, 0, 0 }, { 1000, 0, BIG, BIG, 0 } };
	entitle_compute(v, 2, 3000, 75);
	assert_close(v[0].entitled, 1000, 1, "2000 shares, all idle");
	assert_close(v[1].entitled, 2000, 1, "1000 shares, all busy");
}

/* Edge cases: no VM; one VM alone gets the budget up to its limit; zero
 * shares get the reservation only; a limit under the reservation gives
 * the reservation; a tax past ENTITLE_TAX_MAX counts as 99% (an idle page
 * costs 100), not as a division by zero. */
static void test_edge_cases(void **state)
{
	(void)state;
	entitle_compute(NULL, 0, 1000, 75);
	struct entitle_vm one[] = { { 1000, 0, BIG, 0, 0 } };
	entitle_compute(one, 1, 5000, 75);
	assert_close(one[0].entitled, 5000, 1, "alone, idle");
	struct entitle_vm capped[] = { { 1000, 0, 700, BIG, 0 } };
	entitle_compute(capped, 1, 5000, 75);
	assert_int_equal(capped[0].entitled, 700);
	struct entitle_vm none[] = { { 0, 300, BIG, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	entitle_compute(none, 2, 5000, 75);
	assert_int_equal(none[0].entitled, 300);
	assert_close(none[1].entitled, 4700, 1, "the VM with all the shares");
	struct entitle_vm under[] = { { 1000, 500, 200, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	entitle_compute(under, 2, 2000, 75);
	assert_int_equal(under[0].entitled, 500);
	struct entitle_vm taxed[] = { { 1000, 0, BIG, BIG, 0 }, { 1000, 0, BIG, 0, 0 } };
	entitle_compute(taxed, 2, 10100, 100);
	assert_close(taxed[0].entitled, 10000, 2, "busy VM at a tax past the most");
	assert_close(taxed[1].entitled, 100, 2, "idle VM at a tax past the most");
	struct entitle_vm zero[] = { { 1000, 0, BIG, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	entitle_compute(zero, 2, 0, 75);
	assert_int_equal(sum(zero, 2), 0);
}

static uint64_t sum_of(const uint64_t *x, unsigned n)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < n; i++)
		s += x[i];
	return s;
}

/* Two busy VMs with shares 2:1 holding 1500 pages each, 600 missing: of
 * the 2400 left the first is entitled to 1600, more than it holds, so it
 * keeps its 1500 and the second gives all 600. */
static void test_reclaim_takes_from_the_one_above_its_entitlement(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 2000, 0, BIG, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	uint64_t held[] = { 1500, 1500 }, take[2];
	entitle_reclaim_split(v, held, 2, 600, 75, take);
	assert_close(take[0], 0, 1, "2000 shares, below its entitlement");
	assert_close(take[1], 600, 1, "1000 shares, above it");
}

/* Both above their entitlements: after the round they hold 2:1 of what is
 * left, 3000 of 3600 → 2000 and 1000. */
static void test_reclaim_settles_at_the_shares_split(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 2000, 0, BIG, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	uint64_t held[] = { 2400, 1200 }, take[2];
	entitle_reclaim_split(v, held, 2, 600, 75, take);
	assert_close(take[0], 400, 1, "2000 shares");
	assert_close(take[1], 200, 1, "1000 shares");
	assert_true(sum_of(take, 2) >= 600 && sum_of(take, 2) <= 602);
}

/* Same shares, same pages held, one idle: at 75% the idle one gives all
 * that is missing while it holds more than a quarter of the busy one's. */
static void test_reclaim_takes_idle_memory_first(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 1000, 0, BIG, 2000, 0 }, { 1000, 0, BIG, 50, 0 } };
	uint64_t held[] = { 2000, 2000 }, take[2];
	entitle_reclaim_split(v, held, 2, 800, 75, take);
	assert_close(take[0], 0, 1, "busy VM");
	assert_close(take[1], 800, 1, "idle VM");
	/* with no tax they would give alike */
	struct entitle_vm w[] = { { 1000, 0, BIG, 2000, 0 }, { 1000, 0, BIG, 50, 0 } };
	entitle_reclaim_split(w, held, 2, 800, 0, take);
	assert_close(take[0], 400, 1, "busy VM, no tax");
	assert_close(take[1], 400, 1, "idle VM, no tax");
}

/* Never below a reservation: what it would have given comes from the
 * other; when the reservations leave too little, less than `missing`. */
static void test_reclaim_respects_reservations(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 1000, 900, BIG, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	uint64_t held[] = { 1000, 1000 }, take[2];
	entitle_reclaim_split(v, held, 2, 500, 75, take);
	assert_close(take[0], 100, 1, "reserved 900 of 1000");
	assert_close(take[1], 400, 1, "unreserved");
	struct entitle_vm w[] = { { 1000, 900, BIG, BIG, 0 }, { 1000, 800, BIG, BIG, 0 } };
	entitle_reclaim_split(w, held, 2, 500, 75, take);
	assert_int_equal(take[0], 100);
	assert_int_equal(take[1], 200);
	/* a reservation above what it holds: it keeps all it holds */
	struct entitle_vm x[] = { { 1, 5000, BIG, BIG, 0 }, { 1000, 0, BIG, BIG, 0 } };
	uint64_t few[] = { 300, 1000 };
	entitle_reclaim_split(x, few, 2, 200, 75, take);
	assert_int_equal(take[0], 0);
	assert_close(take[1], 200, 1, "the other");
}

/* Nothing missing: nothing taken; a VM holding nothing gives nothing. */
static void test_reclaim_nothing_missing(void **state)
{
	(void)state;
	struct entitle_vm v[] = { { 7, 0, BIG, 3, 0 }, { 1000, 0, BIG, BIG, 0 }, { 5, 0, BIG, 0, 0 } };
	uint64_t held[] = { 400, 900, 0 }, take[3];
	entitle_reclaim_split(v, held, 3, 0, 75, take);
	assert_true(sum_of(take, 3) <= 3);
	entitle_reclaim_split(v, held, 3, 100000, 75, take);
	assert_int_equal(take[0], 400);
	assert_int_equal(take[1], 900);
	assert_int_equal(take[2], 0);
}

static void test_take_order_largest_first(void **state)
{
	(void)state;
	uint64_t take[] = { 5, 90, 0, 90, 40 };
	unsigned order[5], expected[] = { 1, 3, 4, 0, 2 };
	entitle_take_order(take, 5, order);
	for (unsigned i = 0; i < 5; i++)
		if (order[i] != expected[i])
			fail_msg("order[%u]: expected %u, saw %u", i, expected[i], order[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adjusted_pages_charge_idle_ones_k_times),
		cmocka_unit_test(test_busy_vms_split_by_shares),
		cmocka_unit_test(test_idle_memory_is_taxed),
		cmocka_unit_test(test_partly_active),
		cmocka_unit_test(test_reservation_is_a_floor_and_limit_a_ceiling),
		cmocka_unit_test(test_everyone_at_the_limit),
		cmocka_unit_test(test_budget_is_given_out),
		cmocka_unit_test(test_large_shares_do_not_overflow),
		cmocka_unit_test(test_what_a_limit_leaves_goes_to_the_others),
		cmocka_unit_test(test_a_reservation_above_the_share_is_honoured),
		cmocka_unit_test(test_shares_and_tax_together),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_reclaim_takes_from_the_one_above_its_entitlement),
		cmocka_unit_test(test_reclaim_settles_at_the_shares_split),
		cmocka_unit_test(test_reclaim_takes_idle_memory_first),
		cmocka_unit_test(test_reclaim_respects_reservations),
		cmocka_unit_test(test_reclaim_nothing_missing),
		cmocka_unit_test(test_take_order_largest_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
