/* tests/unit/test_swap_slots.c — the swap slot bitmap (vmm/swap/slots.c),
 * hosted with ASan/UBSan: every slot handed out once, "full" at the end,
 * a freed slot reused, double frees and bad slots refused, a retired slot
 * never handed out again; runs of slots (clusters): a full run where there
 * is one, else the longest, never past the end, never over a retired slot,
 * found going round from the hand, counted in `used` (lab 7's exercise
 * 7.2 is swap_slots_alloc_run(): these tests grade it by what it does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/swap/slots.h"
#include "kernel/errno.h"

#define COUNT 130 /* two whole words and two bits of a third */

static uint64_t bitmap[SWAP_SLOTS_WORDS(COUNT)], retired[SWAP_SLOTS_WORDS(COUNT)];

static void test_every_slot_once_then_full(void **state)
{
	(void)state;
	struct swap_slots s;
	static bool seen[COUNT];
	swap_slots_init(&s, bitmap, retired, COUNT);
	for (int i = 0; i < COUNT; i++) {
		uint64_t slot = UINT64_MAX;
		assert_int_equal(swap_slots_alloc(&s, &slot), 0);
		assert_true(slot < COUNT);
		assert_false(seen[slot]);
		seen[slot] = true;
		assert_true(swap_slots_allocated(&s, slot));
	}
	assert_true(swap_slots_full(&s));
	uint64_t slot;
	assert_int_equal(swap_slots_alloc(&s, &slot), -E_FULL);
	assert_int_equal(s.used, COUNT);
}

static void test_freed_slot_is_reused(void **state)
{
	(void)state;
	struct swap_slots s;
	uint64_t slot;
	swap_slots_init(&s, bitmap, retired, COUNT);
	for (int i = 0; i < COUNT; i++)
		assert_int_equal(swap_slots_alloc(&s, &slot), 0);
	assert_int_equal(swap_slots_free(&s, 129), 0);
	assert_false(swap_slots_allocated(&s, 129));
	assert_false(swap_slots_full(&s));
	assert_int_equal(swap_slots_alloc(&s, &slot), 0);
	assert_int_equal(slot, 129);
	assert_true(swap_slots_full(&s));
}

static void test_consecutive_allocations_are_consecutive(void **state)
{
	(void)state;
	struct swap_slots s;
	uint64_t a, b;
	swap_slots_init(&s, bitmap, retired, COUNT);
	assert_int_equal(swap_slots_alloc(&s, &a), 0);
	assert_int_equal(swap_slots_alloc(&s, &b), 0);
	assert_int_equal(b, a + 1);
}

static void test_bad_frees_are_refused(void **state)
{
	(void)state;
	struct swap_slots s;
	uint64_t slot;
	swap_slots_init(&s, bitmap, retired, COUNT);
	assert_int_equal(swap_slots_free(&s, 3), -E_DOUBLE_FREE);
	assert_int_equal(swap_slots_free(&s, COUNT), -E_RANGE);
	assert_int_equal(swap_slots_alloc(&s, &slot), 0);
	assert_int_equal(swap_slots_free(&s, slot), 0);
	assert_int_equal(swap_slots_free(&s, slot), -E_DOUBLE_FREE);
	assert_int_equal(s.used, 0);
	assert_false(swap_slots_allocated(&s, COUNT + 5));
}

/* A slot whose write failed: retired, it is neither allocated nor free,
 * never handed out again, and it counts towards "full". */
static void test_retired_slot_is_never_allocated_again(void **state)
{
	(void)state;
	struct swap_slots s;
	uint64_t slot, bad;
	swap_slots_init(&s, bitmap, retired, COUNT);
	assert_int_equal(swap_slots_alloc(&s, &bad), 0);
	assert_int_equal(swap_slots_retire(&s, bad), 0);
	assert_true(swap_slots_retired(&s, bad));
	assert_false(swap_slots_allocated(&s, bad));
	assert_int_equal(s.used, 0);
	assert_int_equal(s.retired, 1);
	for (int i = 0; i < COUNT - 1; i++) {
		assert_int_equal(swap_slots_alloc(&s, &slot), 0);
		assert_true(slot != bad);
	}
	assert_true(swap_slots_full(&s));
	assert_int_equal(swap_slots_alloc(&s, &slot), -E_FULL);
	/* Freeing every other slot and going round again still skips it. */
	for (uint64_t i = 0; i < COUNT; i++)
		if (i != bad)
			assert_int_equal(swap_slots_free(&s, i), 0);
	for (int i = 0; i < 2 * COUNT; i++) {
		assert_int_equal(swap_slots_alloc(&s, &slot), 0);
		assert_true(slot != bad);
		assert_int_equal(swap_slots_free(&s, slot), 0);
	}
}

static void test_bad_retires_are_refused(void **state)
{
	(void)state;
	struct swap_slots s;
	uint64_t slot;
	swap_slots_init(&s, bitmap, retired, COUNT);
	assert_int_equal(swap_slots_retire(&s, 5), -E_INVAL); /* free, not allocated */
	assert_int_equal(swap_slots_retire(&s, COUNT), -E_RANGE);
	assert_int_equal(swap_slots_alloc(&s, &slot), 0);
	assert_int_equal(swap_slots_retire(&s, slot), 0);
	assert_int_equal(swap_slots_retire(&s, slot), -E_INVAL);
	assert_int_equal(swap_slots_free(&s, slot), -E_DOUBLE_FREE);
	assert_int_equal(s.retired, 1);
	assert_false(swap_slots_retired(&s, COUNT + 5));
}

/* Every slot but `keep`'s runs allocated: the allocator sees a
 * fragmented disk with free runs exactly there. */
static void fragment(struct swap_slots *s, const uint64_t (*keep)[2], int runs)
{
	uint64_t slot;
	swap_slots_init(s, bitmap, retired, COUNT);
	for (int i = 0; i < COUNT; i++)
		assert_int_equal(swap_slots_alloc(s, &slot), 0);
	for (int r = 0; r < runs; r++)
		for (uint64_t i = keep[r][0]; i < keep[r][0] + keep[r][1]; i++)
			assert_int_equal(swap_slots_free(s, i), 0);
}

static void test_runs_on_an_empty_disk_follow_each_other(void **state)
{
	(void)state;
	struct swap_slots s;
	uint64_t first = UINT64_MAX;
	swap_slots_init(&s, bitmap, retired, COUNT);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 16);
	assert_int_equal(first, 0);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 16);
	assert_int_equal(first, 16);
	assert_int_equal(s.used, 32);
	for (uint64_t i = 0; i < 32; i++)
		assert_true(swap_slots_allocated(&s, i));
	assert_false(swap_slots_allocated(&s, 32));
}

static void test_run_skips_a_short_gap_for_a_full_run(void **state)
{
	(void)state;
	static const uint64_t keep[][2] = { { 3, 2 }, { 40, 20 } };
	struct swap_slots s;
	uint64_t first = UINT64_MAX;
	fragment(&s, keep, 2);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 16);
	assert_int_equal(first, 40);
	assert_int_equal(s.used, COUNT - 6);
	assert_false(swap_slots_allocated(&s, 56));
	assert_true(swap_slots_allocated(&s, 55));
}

static void test_without_a_full_run_the_longest_then_full(void **state)
{
	(void)state;
	static const uint64_t keep[][2] = { { 3, 2 }, { 70, 3 }, { 100, 1 } };
	struct swap_slots s;
	uint64_t first = UINT64_MAX;
	fragment(&s, keep, 3);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 3);
	assert_int_equal(first, 70);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 2);
	assert_int_equal(first, 3);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 1);
	assert_int_equal(first, 100);
	assert_true(swap_slots_full(&s));
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 0);
}

static void test_run_stops_at_the_end_of_the_disk(void **state)
{
	(void)state;
	struct swap_slots s;
	uint64_t first = UINT64_MAX, total = 0;
	swap_slots_init(&s, bitmap, retired, COUNT);
	for (int i = 0; i < 8; i++)
		total += swap_slots_alloc_run(&s, 16, &first);
	assert_int_equal(total, 128);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 2); /* 128 and 129, not wrapping to 0 */
	assert_int_equal(first, 128);
	assert_int_equal(s.used, COUNT);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 0);
	assert_int_equal(swap_slots_alloc_run(&s, 0, &first), 0);
}

/* A retired slot splits the free space as an allocated one does: no run
 * ever holds it. */
static void test_run_never_holds_a_retired_slot(void **state)
{
	(void)state;
	struct swap_slots s;
	uint64_t first = UINT64_MAX, bad;
	swap_slots_init(&s, bitmap, retired, COUNT);
	assert_int_equal(swap_slots_alloc_run(&s, 8, &first), 8);
	assert_int_equal(swap_slots_free(&s, 0), 0);
	assert_int_equal(swap_slots_free(&s, 1), 0);
	assert_int_equal(swap_slots_free(&s, 2), 0);
	assert_int_equal(swap_slots_retire(&s, 3), 0);
	for (uint64_t i = 4; i < 8; i++)
		assert_int_equal(swap_slots_free(&s, i), 0);
	bad = 3;
	for (int round = 0; round < 3 * COUNT / 16; round++) {
		uint64_t len = swap_slots_alloc_run(&s, 16, &first);
		assert_true(len > 0);
		assert_false(first <= bad && bad < first + len);
		for (uint64_t i = first; i < first + len; i++)
			assert_int_equal(swap_slots_free(&s, i), 0);
	}
}

/* Lab 7's exercise 7.2 (docs/labs/7-host-swap.md): the search starts at
 * the hand, where the last run ended, and goes round: slots freed behind
 * the hand are found only after the slots ahead of it, and a short run at
 * the end of the device (2 slots) waits until no full run is left. */
static void test_runs_go_on_from_the_hand_and_round(void **state)
{
	(void)state;
	static const uint64_t expected[][2] = { { 32, 16 }, { 48, 16 }, { 64, 16 }, { 80, 16 },
						{ 96, 16 }, { 112, 16 }, { 0, 16 }, { 128, 2 } };
	struct swap_slots s;
	uint64_t first = UINT64_MAX;
	swap_slots_init(&s, bitmap, retired, COUNT);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 16);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 16);
	for (uint64_t i = 0; i < 16; i++)
		assert_int_equal(swap_slots_free(&s, i), 0);
	for (unsigned r = 0; r < sizeof(expected) / sizeof(expected[0]); r++) {
		uint64_t len = swap_slots_alloc_run(&s, 16, &first);
		if (first != expected[r][0] || len != expected[r][1])
			fail_msg("run %u: expected %llu slots at %llu (going round from the hand), saw %llu at %llu", r,
				 (unsigned long long)expected[r][1], (unsigned long long)expected[r][0],
				 (unsigned long long)len, (unsigned long long)first);
	}
	assert_true(swap_slots_full(&s));
}

/* No run of `max` anywhere: of the longest runs, the first from the hand. */
static void test_equal_runs_the_first_from_the_hand(void **state)
{
	(void)state;
	static const uint64_t keep[][2] = { { 10, 4 }, { 50, 4 }, { 90, 4 } };
	struct swap_slots s;
	uint64_t first = UINT64_MAX;
	fragment(&s, keep, 3);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 4);
	assert_int_equal(first, 10);
	for (uint64_t i = 10; i < 14; i++)
		assert_int_equal(swap_slots_free(&s, i), 0);
	uint64_t len = swap_slots_alloc_run(&s, 16, &first);
	if (first != 50 || len != 4)
		fail_msg("expected 4 slots at 50 (the first run of 4 after the hand at 14), saw %llu at %llu",
			 (unsigned long long)len, (unsigned long long)first);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 4);
	assert_int_equal(first, 90);
	assert_int_equal(swap_slots_alloc_run(&s, 16, &first), 4);
	assert_int_equal(first, 10);
	assert_true(swap_slots_full(&s));
}

/* What runs count: every slot of a run in `used`, a retired slot only in
 * `retired`; the runs together hand out every slot but the retired one,
 * each once, and then the device is full. */
static void test_runs_count_used_and_leave_retired_apart(void **state)
{
	(void)state;
	static bool seen[COUNT];
	struct swap_slots s;
	uint64_t first = UINT64_MAX, total = 0, len;
	swap_slots_init(&s, bitmap, retired, COUNT);
	assert_int_equal(swap_slots_alloc_run(&s, 8, &first), 8);
	assert_int_equal(swap_slots_retire(&s, 5), 0);
	for (uint64_t i = 0; i < 8; i++)
		if (i != 5)
			assert_int_equal(swap_slots_free(&s, i), 0);
	assert_int_equal(s.used, 0);
	memset(seen, 0, sizeof(seen));
	while ((len = swap_slots_alloc_run(&s, 16, &first)) != 0) {
		assert_true(first + len <= COUNT);
		for (uint64_t i = first; i < first + len; i++) {
			if (i == 5 || seen[i])
				fail_msg("slot %llu handed out %s", (unsigned long long)i,
					 i == 5 ? "although it is retired" : "twice");
			seen[i] = true;
			assert_true(swap_slots_allocated(&s, i));
		}
		total += len;
		if (s.used != total)
			fail_msg("expected used %llu (the slots handed out), saw %llu", (unsigned long long)total,
				 (unsigned long long)s.used);
	}
	assert_int_equal(total, COUNT - 1);
	assert_int_equal(s.retired, 1);
	assert_true(swap_slots_full(&s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_slot_once_then_full),
		cmocka_unit_test(test_freed_slot_is_reused),
		cmocka_unit_test(test_consecutive_allocations_are_consecutive),
		cmocka_unit_test(test_bad_frees_are_refused),
		cmocka_unit_test(test_retired_slot_is_never_allocated_again),
		cmocka_unit_test(test_bad_retires_are_refused),
		cmocka_unit_test(test_runs_on_an_empty_disk_follow_each_other),
		cmocka_unit_test(test_run_skips_a_short_gap_for_a_full_run),
		cmocka_unit_test(test_without_a_full_run_the_longest_then_full),
		cmocka_unit_test(test_run_stops_at_the_end_of_the_disk),
		cmocka_unit_test(test_run_never_holds_a_retired_slot),
		cmocka_unit_test(test_runs_go_on_from_the_hand_and_round),
		cmocka_unit_test(test_equal_runs_the_first_from_the_hand),
		cmocka_unit_test(test_runs_count_used_and_leave_retired_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
