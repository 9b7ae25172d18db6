/* tests/unit/test_pmap.c — PMAP entries and their allowed transitions
 * (vmm/mm/pmap.c), hosted with ASan/UBSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/mm/pmap.h"
#include "kernel/errno.h"

#define PAGES 64

static pmap_entry_t storage[PAGES];

static void setup(struct pmap *pm)
{
	pmap_init(pm, storage, PAGES);
}

static void test_all_entries_start_untouched(void **state)
{
	(void)state;
	struct pmap pm;
	setup(&pm);
	assert_int_equal(pm.count[PMAP_UNTOUCHED], PAGES);
	for (uint64_t g = 0; g < PAGES; g++) {
		pmap_entry_t e;
		assert_int_equal(pmap_get(&pm, (gfn_t){ g }, &e), 0);
		assert_int_equal(pmap_entry_state(e), PMAP_UNTOUCHED);
		assert_false(pmap_entry_has_frame(e));
	}
}

static void test_first_touch_records_the_frame(void **state)
{
	(void)state;
	struct pmap pm;
	setup(&pm);
	mfn_t f = mfn(0xfffffffffull); /* the widest mfn a 52-bit mpa allows */
	assert_int_equal(pmap_set_private(&pm, (gfn_t){ 5 }, f), 0);
	pmap_entry_t e;
	pmap_get(&pm, (gfn_t){ 5 }, &e);
	assert_int_equal(pmap_entry_state(e), PMAP_PRIVATE);
	assert_int_equal(pmap_entry_mfn(e).raw, f.raw);
	assert_true(pmap_entry_has_frame(e));
	assert_int_equal(pm.count[PMAP_PRIVATE], 1);
	assert_int_equal(pm.count[PMAP_UNTOUCHED], PAGES - 1);
}

static void test_gfn_outside_the_vm_is_a_range_error(void **state)
{
	(void)state;
	struct pmap pm;
	setup(&pm);
	pmap_entry_t e = { 0x1234 };
	assert_int_equal(pmap_get(&pm, (gfn_t){ PAGES }, &e), -E_RANGE);
	assert_int_equal(e.raw, 0x1234); /* untouched on error */
	assert_int_equal(pmap_set_private(&pm, (gfn_t){ PAGES }, mfn(1)), -E_RANGE);
	assert_int_equal(pmap_set_ballooned(&pm, (gfn_t){ UINT64_MAX }), -E_RANGE);
}

/* Every (from, to) pair: the allowed ones succeed and count right, the
 * rest fail with -E_INVAL and change nothing. */
static void test_transition_table(void **state)
{
	(void)state;
	static const int allowed[PMAP_STATE_COUNT][PMAP_STATE_COUNT] = {
		/* to:        untouched private shared ballooned compressed swapped */
		[PMAP_UNTOUCHED] = { 0, 1, 0, 0, 0, 0 },
		[PMAP_PRIVATE] = { 0, 0, 1, 1, 1, 1 },
		[PMAP_SHARED] = { 0, 1, 0, 1, 0, 0 },
		[PMAP_BALLOONED] = { 0, 1, 0, 0, 0, 0 },
		[PMAP_COMPRESSED] = { 0, 1, 0, 1, 0, 1 }, /* to swapped: writeback */
		[PMAP_SWAPPED] = { 1, 1, 0, 1, 0, 0 }, /* to untouched: only as the VM is released */
	};
	static const enum pmap_state path_to[PMAP_STATE_COUNT][2] = {
		[PMAP_UNTOUCHED] = { PMAP_UNTOUCHED, PMAP_UNTOUCHED },
		[PMAP_PRIVATE] = { PMAP_PRIVATE, PMAP_PRIVATE },
		[PMAP_SHARED] = { PMAP_PRIVATE, PMAP_SHARED },
		[PMAP_BALLOONED] = { PMAP_PRIVATE, PMAP_BALLOONED },
		[PMAP_COMPRESSED] = { PMAP_PRIVATE, PMAP_COMPRESSED },
		[PMAP_SWAPPED] = { PMAP_PRIVATE, PMAP_SWAPPED },
	};
	for (int from = 0; from < PMAP_STATE_COUNT; from++) {
		for (int to = 0; to < PMAP_STATE_COUNT; to++) {
			struct pmap pm;
			setup(&pm);
			gfn_t g = { 7 };
			for (int step = 0; step < 2 && from != PMAP_UNTOUCHED; step++) {
				enum pmap_state s = path_to[from][step];
				if (step == 1 && s == path_to[from][0])
					break;
				int rc = s == PMAP_PRIVATE ? pmap_set_private(&pm, g, mfn(9))
				       : s == PMAP_SHARED ? pmap_set_shared(&pm, g, mfn(9))
				       : s == PMAP_BALLOONED ? pmap_set_ballooned(&pm, g)
				       : s == PMAP_SWAPPED ? pmap_set_swapped(&pm, g, 55)
							      : pmap_set_compressed(&pm, g, 77);
				assert_int_equal(rc, 0);
			}
			pmap_entry_t before;
			pmap_get(&pm, g, &before);
			assert_int_equal(pmap_entry_state(before), from);
			int rc = to == PMAP_PRIVATE ? pmap_set_private(&pm, g, mfn(11))
			       : to == PMAP_SHARED ? pmap_set_shared(&pm, g, mfn(11))
			       : to == PMAP_BALLOONED ? pmap_set_ballooned(&pm, g)
			       : to == PMAP_COMPRESSED ? pmap_set_compressed(&pm, g, 99)
			       : to == PMAP_SWAPPED ? pmap_set_swapped(&pm, g, 98)
						       : pmap_release_swapped(&pm, g);
			pmap_entry_t after;
			pmap_get(&pm, g, &after);
			if (allowed[from][to]) {
				if (rc)
					fail_msg("%s -> %s: expected success, seen %d", pmap_state_name(from),
						 pmap_state_name(to), rc);
				assert_int_equal(pmap_entry_state(after), to);
				assert_int_equal(pm.count[to], to == PMAP_UNTOUCHED ? PAGES : 1);
			} else {
				if (rc != -E_INVAL)
					fail_msg("%s -> %s: expected -E_INVAL, seen %d", pmap_state_name(from),
						 pmap_state_name(to), rc);
				assert_int_equal(after.raw, before.raw);
			}
			uint64_t total = 0;
			for (int s = 0; s < PMAP_STATE_COUNT; s++)
				total += pm.count[s];
			assert_int_equal(total, PAGES);
		}
	}
}

static void test_compressed_entry_keeps_its_handle(void **state)
{
	(void)state;
	struct pmap pm;
	setup(&pm);
	uint64_t handle = (1ull << 60) - 1; /* the widest handle an entry holds */
	assert_int_equal(pmap_set_private(&pm, (gfn_t){ 3 }, mfn(4)), 0);
	assert_int_equal(pmap_set_compressed(&pm, (gfn_t){ 3 }, handle), 0);
	pmap_entry_t e;
	pmap_get(&pm, (gfn_t){ 3 }, &e);
	assert_int_equal(pmap_entry_state(e), PMAP_COMPRESSED);
	assert_int_equal(pmap_entry_handle(e), handle);
	assert_false(pmap_entry_has_frame(e));
	/* Compaction moves the object: a new handle, the same state and counts. */
	uint64_t private_before = pm.count[PMAP_PRIVATE], compressed_before = pm.count[PMAP_COMPRESSED];
	assert_int_equal(pmap_move_compressed(&pm, (gfn_t){ 3 }, 12345), 0);
	pmap_get(&pm, (gfn_t){ 3 }, &e);
	assert_int_equal(pmap_entry_state(e), PMAP_COMPRESSED);
	assert_int_equal(pmap_entry_handle(e), 12345);
	assert_int_equal(pm.count[PMAP_COMPRESSED], compressed_before);
	assert_int_equal(pm.count[PMAP_PRIVATE], private_before);
	/* Only a compressed gfn has a handle to move. */
	assert_int_equal(pmap_set_private(&pm, (gfn_t){ 5 }, mfn(6)), 0);
	assert_int_equal(pmap_move_compressed(&pm, (gfn_t){ 5 }, 1), -E_INVAL);
	assert_int_equal(pmap_move_compressed(&pm, (gfn_t){ 7 }, 1), -E_INVAL); /* untouched */
	assert_int_equal(pmap_move_compressed(&pm, (gfn_t){ pm.npages }, 1), -E_RANGE);
}

static void test_swapped_entry_keeps_its_slot(void **state)
{
	(void)state;
	struct pmap pm;
	setup(&pm);
	gfn_t g = { 3 };
	uint64_t slot = (1ull << 40) + 5; /* far past any disk here: every bit kept */
	assert_int_equal(pmap_set_private(&pm, g, mfn(9)), 0);
	assert_int_equal(pmap_set_swapped(&pm, g, slot), 0);
	pmap_entry_t e;
	pmap_get(&pm, g, &e);
	assert_int_equal(pmap_entry_state(e), PMAP_SWAPPED);
	assert_int_equal(pmap_entry_slot(e), slot);
	assert_false(pmap_entry_has_frame(e));
	assert_int_equal(pmap_release_swapped(&pm, g), 0);
	assert_int_equal(pm.count[PMAP_UNTOUCHED], PAGES);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(pmap_state_name(PMAP_UNTOUCHED), "untouched");
	assert_string_equal(pmap_state_name(PMAP_COMPRESSED), "compressed");
	assert_string_equal(pmap_state_name(PMAP_SWAPPED), "swapped");
	assert_string_equal(pmap_state_name(PMAP_STATE_COUNT), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_entries_start_untouched),
		cmocka_unit_test(test_first_touch_records_the_frame),
		cmocka_unit_test(test_gfn_outside_the_vm_is_a_range_error),
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_compressed_entry_keeps_its_handle),
		cmocka_unit_test(test_swapped_entry_keeps_its_slot),
		cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
