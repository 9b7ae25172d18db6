/* tests/unit/test_zswap_store.c — the store rule (vmm/zswap/store.c),
 * hosted with ASan/UBSan: same-filled pages as their value, the 2048-byte
 * line, the budget, a full area, loading back, and damage of every kind
 * caught on load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/zswap/store.h"
#include "kernel/errno.h"
#include "tests/unit/pages.h"

#define AREA_PAGES 64
#define OWNER 0x01000123u
#define NO_LIMIT UINT64_MAX
#define ROUND_TRIPS 20000

static struct zswap_area area;
static uint8_t area_mem[AREA_PAGES * TEST_PAGE];
static uint8_t *area_meta;
static struct zswap_scratch scratch;

static int setup(void **state)
{
	(void)state;
	area_meta = malloc(zswap_area_meta_bytes(AREA_PAGES));
	return zswap_area_init(&area, area_mem, AREA_PAGES, area_meta);
}

static int teardown(void **state)
{
	(void)state;
	free(area_meta);
	return 0;
}

/* random bytes, then zeros: compresses to about `random` bytes */
static void half_random_page(uint8_t *page, size_t random, uint64_t seed)
{
	memset(page, 0, TEST_PAGE);
	for (size_t i = 0; i < random; i++)
		page[i] = (uint8_t)pages_rand(&seed);
}

static void assert_loads_back(uint64_t handle, const uint8_t *page)
{
	static uint8_t back[TEST_PAGE];
	assert_int_equal(zswap_load_page(&area, handle, OWNER, back), 0);
	assert_memory_equal(back, page, TEST_PAGE);
}

static void test_same_filled_pages_are_stored_as_their_value(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE];
	const uint64_t values[] = { 0, 0xdeadbeefcafef00dull, ~0ull };
	for (size_t v = 0; v < 3; v++) {
		for (size_t i = 0; i < TEST_PAGE; i += 8)
			memcpy(page + i, &values[v], 8);
		struct zswap_stored st;
		assert_int_equal(zswap_store_page(&area, &scratch, page, OWNER, NO_LIMIT, &st), ZSWAP_STORED_SAME);
		assert_true(zswap_handle_same(st.handle));
		assert_int_equal(zswap_handle_length(st.handle), 8);
		assert_int_equal(st.footprint, zswap_area_footprint(&area, 16)); /* header + value */
		assert_loads_back(st.handle, page);
		assert_int_equal(zswap_drop_page(&area, st.handle), 0);
	}
	page[TEST_PAGE - 1] ^= 1; /* one byte off: not same-filled */
	uint64_t value;
	assert_false(zswap_page_same_filled(page, &value));
	assert_int_equal(area.objects, 0);
}

/* Around the line: stored exactly when the page compresses to <= 2048. */
static void test_half_a_page_is_the_line(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE], out[COMPRESS_BOUND(TEST_PAGE)];
	static struct compress_work work;
	unsigned stored = 0, rejected = 0;
	for (size_t random = 1990; random <= 2080; random++) {
		half_random_page(page, random, random);
		size_t len = compress_block(page, TEST_PAGE, out, sizeof(out), &work);
		struct zswap_stored st;
		enum zswap_outcome r = zswap_store_page(&area, &scratch, page, OWNER, NO_LIMIT, &st);
		if (len <= ZSWAP_STORE_MAX) {
			assert_int_equal(r, ZSWAP_STORED);
			assert_int_equal(zswap_handle_length(st.handle), len);
			assert_loads_back(st.handle, page);
			assert_int_equal(zswap_drop_page(&area, st.handle), 0);
			stored++;
		} else {
			assert_int_equal(r, ZSWAP_REJECTED);
			rejected++;
		}
	}
	assert_true(stored > 10 && rejected > 10);
	assert_int_equal(area.objects, 0);
}

static void test_budget_and_full_area_store_nothing(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE];
	half_random_page(page, 1000, 1);
	struct zswap_stored st;
	assert_int_equal(zswap_store_page(&area, &scratch, page, OWNER, 1000, &st), ZSWAP_OVER_BUDGET);
	assert_int_equal(area.objects, 0);
	static uint64_t handles[AREA_PAGES * 4];
	unsigned n = 0;
	enum zswap_outcome r;
	while ((r = zswap_store_page(&area, &scratch, page, OWNER, NO_LIMIT, &st)) == ZSWAP_STORED)
		handles[n++] = st.handle;
	assert_int_equal(r, ZSWAP_AREA_FULL);
	assert_true(n >= AREA_PAGES * 3);
	while (n)
		assert_int_equal(zswap_drop_page(&area, handles[--n]), 0);
	assert_int_equal(area.pages_used, 0);
}

/* A same-filled page is refused as any other: the budget's or the area's
 * no is passed on (OVER_BUDGET, AREA_FULL), never REJECTED, which would
 * mark a page of one value incompressible (vmm/zswap/clock.c). */
static void test_a_refused_same_filled_page_says_why(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE];
	memset(page, 0x5a, sizeof(page));
	struct zswap_stored st;
	uint64_t footprint = zswap_area_footprint(&area, 16); /* header + value */
	enum zswap_outcome r = zswap_store_page(&area, &scratch, page, OWNER, footprint - 1, &st);
	if (r != ZSWAP_OVER_BUDGET)
		fail_msg("a same-filled page over the budget: expected ZSWAP_OVER_BUDGET (%d), saw %d",
			 ZSWAP_OVER_BUDGET, r);
	assert_int_equal(area.objects, 0);
	static uint64_t handles[AREA_PAGES * TEST_PAGE / 16];
	unsigned n = 0;
	while ((r = zswap_store_page(&area, &scratch, page, OWNER, NO_LIMIT, &st)) == ZSWAP_STORED_SAME)
		handles[n++] = st.handle;
	if (r != ZSWAP_AREA_FULL)
		fail_msg("a same-filled page in a full area: expected ZSWAP_AREA_FULL (%d), saw %d after %u stored",
			 ZSWAP_AREA_FULL, r, n);
	while (n)
		assert_int_equal(zswap_drop_page(&area, handles[--n]), 0);
	assert_int_equal(area.objects, 0);
}

static void test_damage_is_caught_on_load(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE], back[TEST_PAGE];
	uint64_t rng = 77;
	pages_random(page, &rng);
	struct zswap_stored st;
	assert_int_equal(zswap_store_page(&area, &scratch, page, OWNER, NO_LIMIT, &st), ZSWAP_STORED);
	uint32_t size;
	uint8_t *obj = zswap_area_object(&area, zswap_handle_id(st.handle), &size);
	size_t stored = sizeof(struct zswap_header) + zswap_handle_length(st.handle);
	unsigned caught = 0;
	for (size_t byte = 0; byte < stored; byte++) { /* check, owner, payload alike */
		obj[byte] ^= 0x20;
		int rc = zswap_load_page(&area, st.handle, OWNER, back);
		/* Damage may leave the page as it was (an offset turned to equal
		 * bytes elsewhere); what must never happen is wrong contents. */
		if (rc != -E_CORRUPT && (rc || memcmp(back, page, TEST_PAGE)))
			fail_msg("byte %zu of %zu damaged: load returned %d and wrong contents", byte, stored, rc);
		caught += rc == -E_CORRUPT;
		obj[byte] ^= 0x20;
	}
	print_message("      %u of %zu damaged bytes caught, the rest harmless\n", caught, stored);
	assert_true(caught > stored * 9 / 10);
	assert_int_equal(zswap_load_page(&area, st.handle, OWNER + 1, back), -E_CORRUPT);
	assert_int_equal(zswap_load_page(&area, st.handle + 1, OWNER, back), -E_INVAL);
	assert_int_equal(zswap_load_page(&area, st.handle | BIT(50), OWNER, back), -E_INVAL);
	assert_loads_back(st.handle, page);
	uint32_t owner = 0;
	assert_true(zswap_handle_owner(&area, st.handle, &owner));
	assert_int_equal(owner, OWNER);
	assert_int_equal(zswap_handle_footprint(&area, st.handle), size);
	assert_int_equal(zswap_drop_page(&area, st.handle), 0);
	assert_int_equal(zswap_drop_page(&area, st.handle), -E_INVAL);
}

static void test_round_trips_through_the_store(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE];
	uint64_t rng = 1234;
	unsigned counts[ZSWAP_AREA_FULL + 1] = { 0 };
	for (int i = 0; i < ROUND_TRIPS; i++) {
		pages_random(page, &rng);
		if (i % 7 == 0)
			memset(page, i % 3 ? 0x11 : 0, TEST_PAGE);
		struct zswap_stored st;
		enum zswap_outcome r = zswap_store_page(&area, &scratch, page, OWNER, NO_LIMIT, &st);
		counts[r]++;
		if (r == ZSWAP_STORED || r == ZSWAP_STORED_SAME) {
			assert_loads_back(st.handle, page);
			assert_int_equal(zswap_drop_page(&area, st.handle), 0);
		}
	}
	print_message("      %d pages: %u stored, %u same-filled, %u rejected\n", ROUND_TRIPS, counts[ZSWAP_STORED],
		      counts[ZSWAP_STORED_SAME], counts[ZSWAP_REJECTED]);
	assert_true(counts[ZSWAP_STORED] && counts[ZSWAP_STORED_SAME] && counts[ZSWAP_REJECTED]);
	assert_int_equal(counts[ZSWAP_OVER_BUDGET] + counts[ZSWAP_AREA_FULL], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_filled_pages_are_stored_as_their_value),
		cmocka_unit_test(test_half_a_page_is_the_line),
		cmocka_unit_test(test_budget_and_full_area_store_nothing),
		cmocka_unit_test(test_a_refused_same_filled_page_says_why),
		cmocka_unit_test(test_damage_is_caught_on_load),
		cmocka_unit_test(test_round_trips_through_the_store),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
