/* tests/unit/test_zswap_fifo.c — the compressed pages' order for writeback
 * (vmm/zswap/fifo.c), hosted with ASan/UBSan: oldest first, a page that
 * leaves from the middle, the head or the tail is unlinked, one queued
 * twice or a bad gfn refused, and a random mix against a plain array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vmm/zswap/fifo.h"
#include "kernel/errno.h"

#define NPAGES 64

static uint32_t storage[2 * NPAGES];

static void init(struct zswap_fifo *f)
{
	assert_int_equal(zswap_fifo_bytes(NPAGES), sizeof(storage));
	zswap_fifo_init(f, storage, NPAGES);
}

static void test_oldest_first(void **state)
{
	(void)state;
	struct zswap_fifo f;
	init(&f);
	assert_int_equal(zswap_fifo_oldest(&f), ZSWAP_FIFO_NONE);
	const uint32_t order[] = { 7, 2, 9, 4 };
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(zswap_fifo_push(&f, order[i]), 0);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(zswap_fifo_oldest(&f), order[i]);
		assert_int_equal(zswap_fifo_remove(&f, order[i]), 0);
	}
	assert_int_equal(zswap_fifo_oldest(&f), ZSWAP_FIFO_NONE);
	assert_int_equal(f.count, 0);
}

static void test_removal_anywhere_keeps_the_order(void **state)
{
	(void)state;
	struct zswap_fifo f;
	init(&f);
	for (uint32_t g = 10; g < 15; g++)
		assert_int_equal(zswap_fifo_push(&f, g), 0);
	assert_int_equal(zswap_fifo_remove(&f, 12), 0); /* middle */
	assert_int_equal(zswap_fifo_remove(&f, 14), 0); /* tail   */
	assert_int_equal(zswap_fifo_remove(&f, 10), 0); /* head   */
	assert_false(zswap_fifo_queued(&f, 12));
	assert_int_equal(zswap_fifo_push(&f, 12), 0); /* back in: now the newest */
	const uint32_t expect[] = { 11, 13, 12 };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(zswap_fifo_oldest(&f), expect[i]);
		assert_int_equal(zswap_fifo_remove(&f, expect[i]), 0);
	}
	assert_int_equal(f.tail, ZSWAP_FIFO_NONE);
}

static void test_bad_calls_are_refused(void **state)
{
	(void)state;
	struct zswap_fifo f;
	init(&f);
	assert_int_equal(zswap_fifo_remove(&f, 3), -E_INVAL);
	assert_int_equal(zswap_fifo_push(&f, NPAGES), -E_RANGE);
	assert_int_equal(zswap_fifo_remove(&f, NPAGES), -E_RANGE);
	assert_int_equal(zswap_fifo_push(&f, 3), 0);
	assert_int_equal(zswap_fifo_push(&f, 3), -E_INVAL);
	assert_int_equal(f.count, 1);
	assert_false(zswap_fifo_queued(&f, NPAGES + 1));
}

/* Random pushes and removals against an array kept in order by hand. */
static void test_random_mix_matches_a_model(void **state)
{
	(void)state;
	struct zswap_fifo f;
	uint32_t model[NPAGES];
	size_t n = 0;
	init(&f);
	srand(1234);
	for (int step = 0; step < 20000; step++) {
		uint32_t g = (uint32_t)(rand() % NPAGES);
		size_t at = n;
		for (size_t i = 0; i < n; i++)
			if (model[i] == g)
				at = i;
		if (at == n) {
			assert_int_equal(zswap_fifo_push(&f, g), 0);
			model[n++] = g;
		} else {
			assert_int_equal(zswap_fifo_remove(&f, g), 0);
			for (size_t i = at; i + 1 < n; i++)
				model[i] = model[i + 1];
			n--;
		}
		assert_int_equal(f.count, n);
		assert_int_equal(zswap_fifo_oldest(&f), n ? model[0] : ZSWAP_FIFO_NONE);
	}
	uint32_t g = f.head;
	for (size_t i = 0; i < n; i++, g = f.next[g])
		assert_int_equal(g, model[i]);
	assert_int_equal(g, ZSWAP_FIFO_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oldest_first),
		cmocka_unit_test(test_removal_anywhere_keeps_the_order),
		cmocka_unit_test(test_bad_calls_are_refused),
		cmocka_unit_test(test_random_mix_matches_a_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
