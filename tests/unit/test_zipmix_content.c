/* tests/unit/test_zipmix_content.c — the zipmix guest's page kinds
 * (guest/zipmix/content.c) through memvisor's own store rule, hosted: text
 * and records always store compressed, random pages are always rejected,
 * same-filled pages are found same-filled and nothing else is. The zswap
 * system tests count on exactly this split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest/zipmix/content.h"
#include "vmm/zswap/compress.h"
#include "vmm/zswap/store.h"

#define SEEDS 8
#define PAGES_PER_SEED 512
#define MARGIN 256 /* storable kinds stay this far under the line */

static struct compress_work work;

static void test_each_kind_lands_on_its_side_of_the_rule(void **state)
{
	(void)state;
	static uint8_t page[ZIPMIX_PAGE], out[COMPRESS_BOUND(ZIPMIX_PAGE)];
	for (int kind = 0; kind < ZIPMIX_KINDS; kind++) {
		size_t smallest = SIZE_MAX, largest = 0;
		for (uint64_t seed = 1; seed <= SEEDS; seed++) {
			for (uint64_t i = 0; i < PAGES_PER_SEED; i++) {
				zipmix_fill(page, (enum zipmix_kind)kind, seed, i);
				uint64_t value;
				if (zswap_page_same_filled(page, &value) != (kind == ZIPMIX_SAME))
					fail_msg("%s page %llu of seed %llu: same-filled is %d", zipmix_kind_name(kind),
						 (unsigned long long)i, (unsigned long long)seed, kind != ZIPMIX_SAME);
				size_t n = compress_block(page, ZIPMIX_PAGE, out, sizeof(out), &work);
				smallest = n < smallest ? n : smallest;
				largest = n > largest ? n : largest;
			}
		}
		print_message("      %-8s compresses to %zu..%zu bytes\n", zipmix_kind_name(kind), smallest, largest);
		if (kind == ZIPMIX_TEXT || kind == ZIPMIX_RECORDS)
			assert_true(largest <= ZSWAP_STORE_MAX - MARGIN);
		if (kind == ZIPMIX_RANDOM)
			assert_true(smallest > ZSWAP_STORE_MAX);
	}
}

static void test_pages_differ(void **state)
{
	(void)state;
	static uint8_t a[ZIPMIX_PAGE], b[ZIPMIX_PAGE];
	for (int kind = 0; kind < ZIPMIX_KINDS; kind++) {
		zipmix_fill(a, (enum zipmix_kind)kind, 1, 1);
		zipmix_fill(b, (enum zipmix_kind)kind, 1, 2);
		assert_memory_not_equal(a, b, ZIPMIX_PAGE);
		zipmix_fill(b, (enum zipmix_kind)kind, 2, 1);
		assert_memory_not_equal(a, b, ZIPMIX_PAGE);
		zipmix_fill(b, (enum zipmix_kind)kind, 1, 1);
		assert_memory_equal(a, b, ZIPMIX_PAGE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_kind_lands_on_its_side_of_the_rule),
		cmocka_unit_test(test_pages_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
