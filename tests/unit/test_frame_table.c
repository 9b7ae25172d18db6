/* tests/unit/test_frame_table.c — reference counts and reverse maps
 * (vmm/mm/frame_table.c), hosted with ASan/UBSan, against a model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vmm/mm/frame_table.h"
#include "kernel/errno.h"

#define FRAMES 32
#define RMAP 48

static struct frame_info frames[FRAMES];
static struct rmap_entry rmap[RMAP];

static void setup(struct frame_table *ft)
{
	frame_table_init(ft, frames, FRAMES, rmap, RMAP);
}

struct collected {
	uint32_t vm[RMAP];
	uint64_t gfn[RMAP];
	unsigned n, stop_after;
};

static bool collect(uint32_t vm_id, gfn_t gfn, void *ctx)
{
	struct collected *c = ctx;
	c->vm[c->n] = vm_id;
	c->gfn[c->n] = gfn.raw;
	return ++c->n != c->stop_after;
}

static void test_add_and_remove_users(void **state)
{
	(void)state;
	struct frame_table ft;
	setup(&ft);
	mfn_t f = mfn(3);
	assert_int_equal(frame_table_refcount(&ft, f), 0);
	assert_int_equal(frame_table_add_user(&ft, f, 1, (gfn_t){ 10 }), 0);
	assert_int_equal(frame_table_add_user(&ft, f, 2, (gfn_t){ 10 }), 0);
	assert_int_equal(frame_table_add_user(&ft, f, 1, (gfn_t){ 11 }), 0);
	assert_int_equal(frame_table_refcount(&ft, f), 3);
	assert_int_equal(frame_table_add_user(&ft, f, 2, (gfn_t){ 10 }), -E_EXISTS);
	assert_int_equal(frame_table_refcount(&ft, f), 3);

	struct collected c = { .stop_after = 0 };
	frame_table_for_each_user(&ft, f, collect, &c);
	assert_int_equal(c.n, 3);
	assert_true(frame_table_has_user(&ft, f, 1, (gfn_t){ 11 }));
	assert_false(frame_table_has_user(&ft, f, 2, (gfn_t){ 11 }));
	assert_false(frame_table_has_user(&ft, mfn(4), 1, (gfn_t){ 10 }));
	assert_false(frame_table_has_user(&ft, mfn(FRAMES), 1, (gfn_t){ 10 }));

	assert_int_equal(frame_table_remove_user(&ft, f, 2, (gfn_t){ 10 }), 2);
	assert_int_equal(frame_table_remove_user(&ft, f, 2, (gfn_t){ 10 }), -E_NOT_FOUND);
	assert_int_equal(frame_table_remove_user(&ft, f, 1, (gfn_t){ 10 }), 1);
	assert_int_equal(frame_table_remove_user(&ft, f, 1, (gfn_t){ 11 }), 0);
	assert_int_equal(ft.rmap_used, 0);
}

static void test_out_of_range_frames(void **state)
{
	(void)state;
	struct frame_table ft;
	setup(&ft);
	assert_int_equal(frame_table_add_user(&ft, mfn(FRAMES), 1, (gfn_t){ 0 }), -E_RANGE);
	assert_int_equal(frame_table_remove_user(&ft, mfn(FRAMES), 1, (gfn_t){ 0 }), -E_RANGE);
	assert_int_equal(frame_table_refcount(&ft, mfn(FRAMES)), 0);
}

static void test_reverse_map_pool_runs_out_cleanly(void **state)
{
	(void)state;
	struct frame_table ft;
	setup(&ft);
	for (uint32_t i = 0; i < RMAP; i++)
		assert_int_equal(frame_table_add_user(&ft, mfn(i % FRAMES), 1, (gfn_t){ i }), 0);
	assert_int_equal(frame_table_add_user(&ft, mfn(0), 9, (gfn_t){ 0 }), -E_NO_MEMORY);
	assert_int_equal(frame_table_refcount(&ft, mfn(0)), 2);
	assert_int_equal(frame_table_remove_user(&ft, mfn(5), 1, (gfn_t){ 5 }), 1); /* gfn 37 remains */
	assert_int_equal(frame_table_add_user(&ft, mfn(0), 9, (gfn_t){ 0 }), 0); /* the freed slot is reused */
}

static void test_for_each_stops_when_asked(void **state)
{
	(void)state;
	struct frame_table ft;
	setup(&ft);
	for (uint64_t g = 0; g < 5; g++)
		frame_table_add_user(&ft, mfn(7), 4, (gfn_t){ g });
	struct collected c = { .stop_after = 2 };
	frame_table_for_each_user(&ft, mfn(7), collect, &c);
	assert_int_equal(c.n, 2);
}

/* Random adds and removes against a model matrix of (frame, user) bits. */
static void test_random_operations_match_a_model(void **state)
{
	(void)state;
	enum { USERS = 6 }; /* vm 1..2 × gfn 0..2 */
	static bool model[FRAMES][USERS];
	struct frame_table ft;
	setup(&ft);
	srand(12345);
	unsigned used = 0;
	for (int op = 0; op < 100000; op++) {
		uint32_t f = (uint32_t)rand() % FRAMES, u = (uint32_t)rand() % USERS;
		uint32_t vm = 1 + u / 3;
		gfn_t g = { u % 3 };
		if (rand() % 2) {
			int rc = frame_table_add_user(&ft, mfn(f), vm, g);
			int want = model[f][u] ? -E_EXISTS : used == RMAP ? -E_NO_MEMORY : 0;
			if (rc != want)
				fail_msg("op %d add f%u vm%u g%llu: expected %d, seen %d", op, f, vm,
					 (unsigned long long)g.raw, want, rc);
			if (!rc)
				model[f][u] = true, used++;
		} else {
			int rc = frame_table_remove_user(&ft, mfn(f), vm, g);
			if (!model[f][u]) {
				assert_int_equal(rc, -E_NOT_FOUND);
				continue;
			}
			model[f][u] = false, used--;
			unsigned left = 0;
			for (int k = 0; k < USERS; k++)
				left += model[f][k];
			if (rc != (int)left)
				fail_msg("op %d remove f%u: expected refcount %u, seen %d", op, f, left, rc);
		}
		assert_int_equal(ft.rmap_used, used);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_remove_users),
		cmocka_unit_test(test_out_of_range_frames),
		cmocka_unit_test(test_reverse_map_pool_runs_out_cleanly),
		cmocka_unit_test(test_for_each_stops_when_asked),
		cmocka_unit_test(test_random_operations_match_a_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
