/* tests/unit/test_share_table.c — page sharing's hash table
 * (vmm/share/table.c), hosted with ASan/UBSan: lookups by (hash, salt),
 * hints turning into frames, removal without tombstones, the load limit
 * and purging hints — checked against a plain array as the model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vmm/share/table.h"

#define SLOTS 64
#define KEYS 200

static struct share_entry slots[SLOTS];

static void setup(struct share_table *t)
{
	share_table_init(t, slots, SLOTS);
}

static void test_slots_for_leaves_room(void **state)
{
	(void)state;
	assert_int_equal(share_table_slots_for(0), SHARE_TABLE_MIN_SLOTS);
	assert_int_equal(share_table_slots_for(100), 256);
	assert_int_equal(share_table_slots_for(128), 256);
	assert_int_equal(share_table_slots_for(129), 512);
}

static void test_salt_is_part_of_the_key(void **state)
{
	(void)state;
	struct share_table t;
	setup(&t);
	assert_non_null(share_table_add_hint(&t, 0x1234, 1, 7, (gfn_t){ 5 }));
	assert_null(share_table_find(&t, 0x1234, 2));
	struct share_entry *e = share_table_find(&t, 0x1234, 1);
	assert_non_null(e);
	assert_int_equal(e->kind, SHARE_HINT);
	assert_int_equal(e->vm_id, 7);
	assert_int_equal(e->gfn, 5);
	assert_non_null(share_table_add_frame(&t, 0x1234, 2, (mfn_t){ 9 }, false));
	assert_int_equal(share_table_find(&t, 0x1234, 2)->mfn, 9);
	assert_int_equal(t.hints, 1);
	assert_int_equal(t.frames, 1);
}

static void test_hint_becomes_frame(void **state)
{
	(void)state;
	struct share_table t;
	setup(&t);
	struct share_entry *e = share_table_add_hint(&t, 42, 0, 1, (gfn_t){ 3 });
	share_table_hint_to_frame(&t, e, (mfn_t){ 77 }, true);
	e = share_table_find(&t, 42, 0);
	assert_int_equal(e->kind, SHARE_FRAME);
	assert_int_equal(e->mfn, 77);
	assert_true(e->zero);
	assert_int_equal(t.hints, 0);
	assert_int_equal(t.frames, 1);
}

/* Keys that all land in one slot form one run; removing from its middle
 * must keep every other key findable. */
static void test_remove_from_a_run(void **state)
{
	(void)state;
	struct share_table t;
	setup(&t);
	for (uint64_t k = 0; k < 10; k++)
		assert_non_null(share_table_add_hint(&t, (k << 6) | 60, 0, 1, (gfn_t){ k })); /* home 60: wraps */
	share_table_remove(&t, share_table_find(&t, (3 << 6) | 60, 0));
	assert_null(share_table_find(&t, (3 << 6) | 60, 0));
	for (uint64_t k = 0; k < 10; k++)
		if (k != 3)
			assert_non_null(share_table_find(&t, (k << 6) | 60, 0));
	assert_int_equal(t.hints, 9);
}

static void test_load_limit_and_purge(void **state)
{
	(void)state;
	struct share_table t;
	setup(&t);
	uint32_t limit = SLOTS * SHARE_TABLE_LOAD_PCT / 100;
	for (uint32_t i = 0; i < limit; i++) {
		if (i % 4 == 0)
			assert_non_null(share_table_add_frame(&t, i * 0x9e37ull, 0, (mfn_t){ i }, false));
		else
			assert_non_null(share_table_add_hint(&t, i * 0x9e37ull, 0, 1, (gfn_t){ i }));
	}
	assert_null(share_table_add_hint(&t, 0xabcdef, 0, 1, (gfn_t){ 0 }));
	assert_int_equal(share_table_purge_hints(&t), limit - (limit + 3) / 4);
	assert_int_equal(t.hints, 0);
	for (uint32_t i = 0; i < limit; i++) {
		struct share_entry *e = share_table_find(&t, i * 0x9e37ull, 0);
		if (i % 4 == 0)
			assert_true(e && e->kind == SHARE_FRAME && e->mfn == i);
		else
			assert_null(e);
	}
	assert_non_null(share_table_add_hint(&t, 0xabcdef, 0, 1, (gfn_t){ 0 }));
}

/* Random adds and removes of keys with few distinct low bits (long runs),
 * against an array model. */
static void test_random_operations_match_a_model(void **state)
{
	(void)state;
	struct share_table t;
	setup(&t);
	bool present[KEYS] = { false };
	unsigned count = 0;
	srand(7);
	for (int op = 0; op < 20000; op++) {
		unsigned k = (unsigned)rand() % KEYS;
		uint64_t hash = ((uint64_t)k << 8) | (k % 3), salt = k % 2;
		struct share_entry *e = share_table_find(&t, hash, salt);
		if ((e != NULL) != present[k])
			fail_msg("op %d: key %u expected %s, seen %s", op, k, present[k] ? "present" : "absent",
				 e ? "present" : "absent");
		if (e) {
			share_table_remove(&t, e);
			present[k] = false;
			count--;
		} else if (share_table_add_hint(&t, hash, salt, k, (gfn_t){ k })) {
			present[k] = true;
			count++;
		} else {
			assert_true((count + 1) * 100 > SLOTS * SHARE_TABLE_LOAD_PCT);
		}
		assert_int_equal(t.hints, count);
	}
	for (unsigned k = 0; k < KEYS; k++) {
		struct share_entry *e = share_table_find(&t, ((uint64_t)k << 8) | (k % 3), k % 2);
		assert_true((e != NULL) == present[k]);
		if (e)
			assert_int_equal(e->gfn, k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_for_leaves_room),
		cmocka_unit_test(test_salt_is_part_of_the_key),
		cmocka_unit_test(test_hint_becomes_frame),
		cmocka_unit_test(test_remove_from_a_run),
		cmocka_unit_test(test_load_limit_and_purge),
		cmocka_unit_test(test_random_operations_match_a_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
