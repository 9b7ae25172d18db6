/* tests/unit/test_swap_checksum.c — the swap slot's checksum
 * (vmm/swap/checksum.c), hosted with ASan/UBSan: the damage a disk can do
 * to a page is seen — every single bit flipped, each sector zeroed, each
 * pair of sectors swapped, the page shifted by a word, a word changed
 * anywhere by a value that an unweighted sum would miss mod 2^64 — and
 * the same page gives the same checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/swap/checksum.h"

#define WORDS 512
#define SECTOR_WORDS 64
#define SECTORS (WORDS / SECTOR_WORDS)

static uint64_t page[WORDS], copy[WORDS];

/* Words that look like a guest's: splitmix64 from a fixed seed. */
static void fill(uint64_t seed)
{
	for (int i = 0; i < WORDS; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		page[i] = z ^ (z >> 31);
	}
	memcpy(copy, page, sizeof(page));
}

static void assert_seen(uint64_t want, const char *what, int where)
{
	uint64_t seen = swap_checksum(copy);
	if (seen == want)
		fail_msg("%s at %d: checksum unchanged (%#llx)", what, where, (unsigned long long)seen);
	memcpy(copy, page, sizeof(page));
}

static void test_the_same_page_gives_the_same_checksum(void **state)
{
	(void)state;
	fill(1);
	assert_int_equal(swap_checksum(page), swap_checksum(copy));
	static uint64_t zero[WORDS];
	assert_int_equal(swap_checksum(zero), 0); /* defined, and 0 for a zero page */
}

static void test_every_single_bit_flip_is_seen(void **state)
{
	(void)state;
	fill(2);
	uint64_t want = swap_checksum(page);
	for (int bit = 0; bit < WORDS * 64; bit++) {
		copy[bit / 64] ^= 1ull << (bit % 64);
		assert_seen(want, "bit flipped", bit);
	}
}

static void test_a_zeroed_sector_is_seen(void **state)
{
	(void)state;
	fill(3);
	uint64_t want = swap_checksum(page);
	for (int s = 0; s < SECTORS; s++) {
		memset(&copy[s * SECTOR_WORDS], 0, SECTOR_WORDS * sizeof(uint64_t));
		assert_seen(want, "sector zeroed", s);
	}
}

static void test_two_sectors_swapped_are_seen(void **state)
{
	(void)state;
	fill(4);
	uint64_t want = swap_checksum(page);
	for (int s = 0; s < SECTORS; s++)
		for (int t = s + 1; t < SECTORS; t++) {
			memcpy(&copy[s * SECTOR_WORDS], &page[t * SECTOR_WORDS], SECTOR_WORDS * sizeof(uint64_t));
			memcpy(&copy[t * SECTOR_WORDS], &page[s * SECTOR_WORDS], SECTOR_WORDS * sizeof(uint64_t));
			assert_seen(want, "sectors swapped, the first", s * SECTORS + t);
		}
}

static void test_a_page_shifted_by_a_word_is_seen(void **state)
{
	(void)state;
	fill(5);
	uint64_t want = swap_checksum(page);
	memmove(&copy[1], &copy[0], (WORDS - 1) * sizeof(uint64_t));
	assert_seen(want, "shifted right", 1);
	memmove(&copy[0], &copy[1], (WORDS - 1) * sizeof(uint64_t));
	assert_seen(want, "shifted left", 1);
}

/* One word changed by d, another by -d: the plain sum a stays the same,
 * so only the weighted sum b can see it — for every pair of places. */
static void test_changes_that_cancel_in_the_plain_sum_are_seen(void **state)
{
	(void)state;
	fill(6);
	uint64_t want = swap_checksum(page);
	for (int i = 0; i < WORDS; i += 7)
		for (int j = i + 1; j < WORDS; j += 13) {
			copy[i] += 0x1000;
			copy[j] -= 0x1000;
			assert_seen(want, "canceling pair, the first", i);
		}
}

/* Any value d added to one word: 1 + (512 - i) M is odd (checksum.h). */
static void test_any_change_to_one_word_is_seen(void **state)
{
	(void)state;
	fill(7);
	uint64_t want = swap_checksum(page);
	static const uint64_t deltas[] = { 1, 2, 1ull << 63, 0x8000000000000001ull, UINT64_MAX, 1ull << 32 };
	for (int i = 0; i < WORDS; i++)
		for (size_t d = 0; d < sizeof(deltas) / sizeof(deltas[0]); d++) {
			copy[i] += deltas[d];
			assert_seen(want, "word changed", i);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_same_page_gives_the_same_checksum),
		cmocka_unit_test(test_every_single_bit_flip_is_seen),
		cmocka_unit_test(test_a_zeroed_sector_is_seen),
		cmocka_unit_test(test_two_sectors_swapped_are_seen),
		cmocka_unit_test(test_a_page_shifted_by_a_word_is_seen),
		cmocka_unit_test(test_changes_that_cancel_in_the_plain_sum_are_seen),
		cmocka_unit_test(test_any_change_to_one_word_is_seen),
	};
	return cmocka_run_group_tests_name("test_swap_checksum", tests, NULL, NULL);
}
