/* tests/unit/test_page_hash.c — the page hash and the full comparisons
 * (vmm/share/page_hash.c), hosted with ASan/UBSan. The hash is a hint, so what
 * matters is that it is deterministic, sensitive to every word and to
 * position, and spreads pages over a table's slots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/random.h"
#include "vmm/share/page_hash.h"

#define WORDS 512
#define PAGES 4096

static uint64_t page[WORDS], other[WORDS];

static void fill(uint64_t *p, uint64_t seed)
{
	for (int i = 0; i < WORDS; i++)
		p[i] = splitmix64_next(&seed);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void test_same_contents_same_hash(void **state)
{
	(void)state;
	fill(page, 1);
	memcpy(other, page, sizeof(page));
	assert_true(page_hash(page) == page_hash(other));
	assert_true(page_equal(page, other));
}

/* Each word, flipped in one bit, changes the hash and the comparison. */
static void test_every_word_counts(void **state)
{
	(void)state;
	fill(page, 2);
	uint64_t h = page_hash(page);
	for (int i = 0; i < WORDS; i++) {
		memcpy(other, page, sizeof(page));
		other[i] ^= 1ull << (i % 64);
		if (page_hash(other) == h)
			fail_msg("flipping bit %d of word %d did not change the hash", i % 64, i);
		assert_false(page_equal(page, other));
	}
}

/* Swapping two 16-byte blocks moves contents, not values: still different. */
static void test_position_counts(void **state)
{
	(void)state;
	fill(page, 3);
	uint64_t h = page_hash(page);
	for (int b = 2; b < WORDS; b += 2) {
		memcpy(other, page, sizeof(page));
		other[0] = page[b], other[1] = page[b + 1];
		other[b] = page[0], other[b + 1] = page[1];
		if (page_hash(other) == h)
			fail_msg("swapping block 0 and block %d kept the hash", b / 2);
	}
}

/* Pages that differ only a little (counters, sparse pages) must not pile
 * up in a few slots: no collisions among 4096 such pages, and the low
 * bits (a table's index) spread over 256 buckets within reason. */
static void test_similar_pages_spread(void **state)
{
	(void)state;
	static uint64_t hashes[PAGES];
	unsigned buckets[256] = { 0 };
	for (int i = 0; i < PAGES; i++) {
		memset(page, 0, sizeof(page));
		page[i % WORDS] = (uint64_t)(i / WORDS) + 1;
		hashes[i] = page_hash(page);
		buckets[hashes[i] & 255]++;
	}
	qsort(hashes, PAGES, sizeof(hashes[0]), cmp_u64);
	for (int i = 1; i < PAGES; i++)
		if (hashes[i] == hashes[i - 1])
			fail_msg("two of the sparse pages share the hash %#llx", (unsigned long long)hashes[i]);
	for (int b = 0; b < 256; b++)
		if (buckets[b] > 3 * PAGES / 256)
			fail_msg("bucket %d holds %u of %d pages (expected about %d)", b, buckets[b], PAGES, PAGES / 256);
}

static void test_zero_page_detection(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	assert_true(page_is_zero(page));
	for (int i = 0; i < WORDS; i += 37) {
		page[i] = 1ull << 63;
		assert_false(page_is_zero(page));
		page[i] = 0;
	}
	assert_true(page_is_zero(page));
}

/* Zero pages are keyed by this value in the share table: the same for
 * every zero page, and not 0 (which would hint at a hash that ignores its
 * input). */
static void test_zero_page_hash_is_stable_and_not_zero(void **state)
{
	(void)state;
	memset(page, 0, sizeof(page));
	uint64_t h = page_hash(page);
	memset(other, 0, sizeof(other));
	assert_true(h == page_hash(other));
	assert_true(h != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_contents_same_hash),
		cmocka_unit_test(test_every_word_counts),
		cmocka_unit_test(test_position_counts),
		cmocka_unit_test(test_similar_pages_spread),
		cmocka_unit_test(test_zero_page_detection),
		cmocka_unit_test(test_zero_page_hash_is_stable_and_not_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
