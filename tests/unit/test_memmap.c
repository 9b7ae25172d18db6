/* tests/unit/test_memmap.c — questions about the boot memory map
 * (kernel/memmap.c): where usable RAM ends, and where a block of free RAM
 * can go, clear of holes, between a floor and a limit. Hand-written cases,
 * then random maps checked against a brute-force search.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "kernel/errno.h"
#include "kernel/memmap.h"

#define K 0x400ull
#define M 0x100000ull
#define G 0x40000000ull
#define PAGE 0x1000ull

#define USABLE BOOT_MEM_USABLE
#define RESERVED BOOT_MEM_RESERVED
#define NO_LIMIT UINT64_MAX

static struct boot_mem_range range(uint64_t base, uint64_t length, uint32_t type)
{
	return (struct boot_mem_range){ .base = base, .length = length, .type = type };
}

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

#define EXPECT_END(want, map, n)                                                             \
	do {                                                                                 \
		uint64_t want_ = (want), seen_ = memmap_usable_end(map, n);                  \
		if (want_ != seen_)                                                          \
			fail_msg("memmap_usable_end: expected %#llx, seen %#llx",            \
				 (unsigned long long)want_, (unsigned long long)seen_);      \
	} while (0)

/* Expects memmap_find_free() to succeed at `want`. */
static void expect_found_at(uint64_t want, const struct boot_mem_range *map, uint32_t n,
			    const struct mem_hole *holes, uint32_t nholes, uint64_t bytes, uint64_t floor,
			    uint64_t limit, int line)
{
	uint64_t start = 0xdead;
	int rc = memmap_find_free(map, n, holes, nholes, bytes, floor, limit, &start);
	if (rc || start != want)
		fail_msg("line %d: find %#llx bytes in [%#llx, %#llx): expected %#llx, seen rc %d start %#llx",
			 line, (unsigned long long)bytes, (unsigned long long)floor, (unsigned long long)limit,
			 (unsigned long long)want, rc, (unsigned long long)start);
}

static void expect_nothing_fits(const struct boot_mem_range *map, uint32_t n, const struct mem_hole *holes,
				uint32_t nholes, uint64_t bytes, uint64_t floor, uint64_t limit, int line)
{
	uint64_t start = 0xdead;
	int rc = memmap_find_free(map, n, holes, nholes, bytes, floor, limit, &start);
	if (rc != -E_NO_MEMORY || start != 0xdead)
		fail_msg("line %d: find %#llx bytes in [%#llx, %#llx): expected %d, seen rc %d start %#llx",
			 line, (unsigned long long)bytes, (unsigned long long)floor, (unsigned long long)limit,
			 -E_NO_MEMORY, rc, (unsigned long long)start);
}

#define FOUND_AT(want, map, n, holes, nholes, bytes, floor, limit) \
	expect_found_at(want, map, n, holes, nholes, bytes, floor, limit, __LINE__)
#define NOTHING_FITS(map, n, holes, nholes, bytes, floor, limit) \
	expect_nothing_fits(map, n, holes, nholes, bytes, floor, limit, __LINE__)

/* ---- memmap_usable_end() ------------------------------------------------- */

static void test_usable_end_of_an_empty_map_is_zero(void **state)
{
	(void)state;
	struct boot_mem_range map[1] = { range(0, 16 * M, RESERVED) };
	EXPECT_END(0, map, 0);
	EXPECT_END(0, map, 1);
}

static void test_usable_end_is_the_highest_usable_end_in_any_order(void **state)
{
	(void)state;
	struct boot_mem_range map[] = {
		range(1 * M, 7 * M, USABLE),
		range(16 * M, 16 * M, USABLE),
		range(0, 640 * K, USABLE),
	};
	EXPECT_END(32 * M, map, N(map));
	struct boot_mem_range reversed[] = { map[1], map[2], map[0] };
	EXPECT_END(32 * M, reversed, N(reversed));
}

static void test_usable_end_ignores_ranges_that_are_not_usable(void **state)
{
	(void)state;
	struct boot_mem_range map[] = {
		range(0, 640 * K, USABLE),
		range(4 * G, 1 * G, RESERVED),
		range(1 * M, 63 * M, USABLE),
		range(0xfec00000, 0x1000, RESERVED),
		range(64 * M, 1 * M, BOOT_MEM_ACPI_RECLAIMABLE),
		range(65 * M, 1 * M, BOOT_MEM_ACPI_NVS),
		range(66 * M, 1 * M, BOOT_MEM_BAD),
	};
	EXPECT_END(64 * M, map, N(map));
}

static void test_usable_end_of_overlapping_ranges(void **state)
{
	(void)state;
	struct boot_mem_range map[] = {
		range(0, 10 * M, USABLE),
		range(5 * M, 7 * M, USABLE), /* overlaps, ends later */
		range(2 * M, 1 * M, USABLE), /* inside the first */
	};
	EXPECT_END(12 * M, map, N(map));
}

static void test_usable_end_drops_a_partial_last_page(void **state)
{
	(void)state;
	struct boot_mem_range map[] = { range(1 * M, 1 * M + 0x800, USABLE) };
	EXPECT_END(2 * M, map, N(map));
	struct boot_mem_range unaligned[] = { range(0x1800, 0x2000, USABLE) }; /* 0x1800..0x3800 */
	EXPECT_END(0x3000, unaligned, N(unaligned));
	struct boot_mem_range one_byte_short[] = { range(0, 2 * M - 1, USABLE) };
	EXPECT_END(2 * M - PAGE, one_byte_short, N(one_byte_short));
}

/* A range holding no whole page is not RAM we can use at all. */
static void test_usable_end_ignores_a_range_without_a_whole_page(void **state)
{
	(void)state;
	struct boot_mem_range map[] = {
		range(0, 2 * M, USABLE),
		range(8 * M + 0x800, 0x1000, USABLE), /* straddles a page boundary */
		range(9 * M, 0xfff, USABLE),
		range(10 * M, 0, USABLE),
	};
	EXPECT_END(2 * M, map, N(map));
}

/* ---- memmap_find_free() ------------------------------------------------ */

static const struct boot_mem_range pc_map[] = {
	{ 0, 640 * K, USABLE, 0 },
	{ 640 * K, 384 * K, RESERVED, 0 },
	{ 1 * M, 127 * M, USABLE, 0 },
	{ 128 * M, 1 * M, BOOT_MEM_ACPI_RECLAIMABLE, 0 },
	{ 4 * G, 1 * G, USABLE, 0 },
};

static void test_find_free_takes_the_first_fit_above_the_floor(void **state)
{
	(void)state;
	FOUND_AT(0, pc_map, N(pc_map), NULL, 0, 8 * K, 0, NO_LIMIT);
	FOUND_AT(1 * M, pc_map, N(pc_map), NULL, 0, 8 * K, 1 * M, NO_LIMIT);
	FOUND_AT(1 * M, pc_map, N(pc_map), NULL, 0, 1 * M, 512 * K, NO_LIMIT); /* 640K range too small */
	FOUND_AT(10 * M, pc_map, N(pc_map), NULL, 0, 8 * K, 10 * M, NO_LIMIT);
	FOUND_AT(4 * G, pc_map, N(pc_map), NULL, 0, 200 * M, 1 * M, NO_LIMIT);
	FOUND_AT(4 * G, pc_map, N(pc_map), NULL, 0, 8 * K, 128 * M, NO_LIMIT);
}

static void test_find_free_rounds_bytes_up_to_whole_pages(void **state)
{
	(void)state;
	struct boot_mem_range map[] = { range(1 * M, PAGE, USABLE), range(2 * M, 2 * PAGE, USABLE) };
	FOUND_AT(1 * M, map, N(map), NULL, 0, 1, 0, NO_LIMIT);
	FOUND_AT(1 * M, map, N(map), NULL, 0, PAGE, 0, NO_LIMIT);
	FOUND_AT(2 * M, map, N(map), NULL, 0, PAGE + 1, 0, NO_LIMIT);
	NOTHING_FITS(map, N(map), NULL, 0, 2 * PAGE + 1, 0, NO_LIMIT);
}

/* Ranges are clipped inward: an unaligned base starts at the next page. */
static void test_find_free_returns_page_aligned_starts(void **state)
{
	(void)state;
	struct boot_mem_range map[] = { range(1 * M + 0x800, 64 * K, USABLE) };
	FOUND_AT(1 * M + PAGE, map, N(map), NULL, 0, 8 * K, 0, NO_LIMIT);
	/* 1M+0x800 .. 1M+64K+0x800 holds 15 whole pages, not 16. */
	FOUND_AT(1 * M + PAGE, map, N(map), NULL, 0, 15 * PAGE, 0, NO_LIMIT);
	NOTHING_FITS(map, N(map), NULL, 0, 16 * PAGE, 0, NO_LIMIT);
}

/* A floor that is not page-aligned still gives a page-aligned block at or
 * above it. */
static void test_find_free_with_an_unaligned_floor_stays_page_aligned(void **state)
{
	(void)state;
	FOUND_AT(10 * M + PAGE, pc_map, N(pc_map), NULL, 0, 8 * K, 10 * M + 1, NO_LIMIT);
	FOUND_AT(10 * M + PAGE, pc_map, N(pc_map), NULL, 0, 8 * K, 10 * M + PAGE - 1, NO_LIMIT);
	struct boot_mem_range tight[] = { range(1 * M, 2 * PAGE, USABLE) };
	NOTHING_FITS(tight, N(tight), NULL, 0, 2 * PAGE, 1 * M + 1, NO_LIMIT);
}

static void test_find_free_steps_over_holes(void **state)
{
	(void)state;
	struct mem_hole kernel[] = { { 1 * M, 3 * M } };
	FOUND_AT(3 * M, pc_map, N(pc_map), kernel, N(kernel), 64 * K, 1 * M, NO_LIMIT);

	struct mem_hole unaligned_end[] = { { 1 * M, 3 * M + 1 } };
	FOUND_AT(3 * M + PAGE, pc_map, N(pc_map), unaligned_end, N(unaligned_end), 64 * K, 1 * M, NO_LIMIT);

	/* Listed out of order: clearing the second hole lands in the first. */
	struct mem_hole chain[] = { { 5 * M, 6 * M }, { 1 * M, 5 * M } };
	FOUND_AT(6 * M, pc_map, N(pc_map), chain, N(chain), 64 * K, 1 * M, NO_LIMIT);

	/* The block must clear a hole that only touches its end. */
	struct mem_hole small[] = { { 1 * M + 8 * K, 1 * M + 12 * K } };
	FOUND_AT(1 * M + 12 * K, pc_map, N(pc_map), small, N(small), 16 * K, 1 * M, NO_LIMIT);
	FOUND_AT(1 * M, pc_map, N(pc_map), small, N(small), 8 * K, 1 * M, NO_LIMIT); /* fits before it */

	/* Holes outside usable RAM change nothing. */
	struct mem_hole elsewhere[] = { { 640 * K, 1 * M }, { 128 * M, 4 * G } };
	FOUND_AT(1 * M, pc_map, N(pc_map), elsewhere, N(elsewhere), 2 * M, 1 * M, NO_LIMIT);
}

static void test_find_free_moves_to_the_next_range_when_holes_fill_one(void **state)
{
	(void)state;
	struct boot_mem_range map[] = { range(1 * M, 1 * M, USABLE), range(4 * M, 4 * M, USABLE) };
	struct mem_hole holes[] = { { 1 * M + 512 * K, 2 * M } };
	FOUND_AT(1 * M, map, N(map), holes, N(holes), 512 * K, 0, NO_LIMIT);
	FOUND_AT(4 * M, map, N(map), holes, N(holes), 512 * K + PAGE, 0, NO_LIMIT);
}

static void test_find_free_skips_ranges_that_are_not_usable(void **state)
{
	(void)state;
	struct boot_mem_range map[] = {
		range(1 * M, 63 * M, RESERVED),
		range(64 * M, 1 * M, BOOT_MEM_ACPI_NVS),
		range(65 * M, 1 * M, BOOT_MEM_BAD),
		range(66 * M, 62 * M, USABLE),
	};
	FOUND_AT(66 * M, map, N(map), NULL, 0, 1 * M, 0, NO_LIMIT);
}

/* The block ends at or below `limit`: a fit ending exactly there counts. */
static void test_find_free_stays_below_the_limit(void **state)
{
	(void)state;
	struct boot_mem_range map[] = { range(1 * M, 63 * M, USABLE) };
	FOUND_AT(1 * M, map, N(map), NULL, 0, 1 * M, 0, 2 * M);
	NOTHING_FITS(map, N(map), NULL, 0, 1 * M + 1, 0, 2 * M);
	NOTHING_FITS(map, N(map), NULL, 0, 1 * M, 0, 2 * M - 1);
	FOUND_AT(3 * M, map, N(map), NULL, 0, 1 * M, 3 * M, 4 * M);
	NOTHING_FITS(map, N(map), NULL, 0, PAGE, 3 * M, 3 * M); /* empty window */
	NOTHING_FITS(map, N(map), NULL, 0, PAGE, 3 * M, 2 * M); /* limit below floor */
	/* The same as the kernel asks: above 1 MiB, below 4 GiB. */
	FOUND_AT(1 * M, pc_map, N(pc_map), NULL, 0, 256 * K, 1 * M, 4 * G);
	NOTHING_FITS(pc_map, N(pc_map), NULL, 0, 128 * M, 1 * M, 4 * G);
}

static void test_find_free_fails_when_nothing_fits(void **state)
{
	(void)state;
	struct boot_mem_range reserved_only[] = { range(0, 4 * G, RESERVED) };
	NOTHING_FITS(reserved_only, N(reserved_only), NULL, 0, PAGE, 0, NO_LIMIT);
	NOTHING_FITS(pc_map, 0, NULL, 0, PAGE, 0, NO_LIMIT);
	NOTHING_FITS(pc_map, N(pc_map), NULL, 0, 2 * G, 0, NO_LIMIT); /* bigger than any range */
	NOTHING_FITS(pc_map, N(pc_map), NULL, 0, PAGE, 5 * G, NO_LIMIT); /* floor above all RAM */

	struct mem_hole everything[] = { { 0, 128 * M }, { 4 * G, 5 * G } };
	NOTHING_FITS(pc_map, N(pc_map), everything, N(everything), PAGE, 0, NO_LIMIT);

	/* Enough RAM in total, but holes leave no piece big enough. */
	struct boot_mem_range map[] = { range(1 * M, 4 * M, USABLE) };
	struct mem_hole comb[] = { { 2 * M, 2 * M + PAGE }, { 3 * M, 3 * M + PAGE }, { 4 * M, 4 * M + PAGE } };
	FOUND_AT(1 * M, map, N(map), comb, N(comb), 1 * M, 0, NO_LIMIT);
	NOTHING_FITS(map, N(map), comb, N(comb), 1 * M + PAGE, 0, NO_LIMIT);
}

/* ---- random maps against a brute-force search -------------------------- */

#define RANDOM_CASES 20000
#define RANDOM_SEED 0x6d656d6d61702121ull
#define SPACE_PAGES 64 /* bases and hole starts fall below 64 pages */
#define SCAN_END (4 * SPACE_PAGES * PAGE) /* every range and hole ends below this */

static uint64_t rng_state;

static uint64_t rng(void) /* xorshift64 */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* An address in the small space: page-aligned half of the time. */
static uint64_t random_address(void)
{
	uint64_t a = (rng() % SPACE_PAGES) * PAGE;
	return rng() % 2 ? a : a + rng() % PAGE;
}

static bool clears_holes(uint64_t s, uint64_t e, const struct mem_hole *holes, uint32_t nholes)
{
	for (uint32_t h = 0; h < nholes; h++)
		if (s < holes[h].end && holes[h].start < e)
			return false;
	return true;
}

/* Is [s, s+bytes) a valid answer: page-aligned, inside [floor, limit),
 * inside the whole pages of one usable range, clear of every hole and of
 * every non-usable range (which wins where the map overlaps itself)? */
static bool valid_block(uint64_t s, const struct boot_mem_range *map, uint32_t n, const struct mem_hole *holes,
			uint32_t nholes, uint64_t bytes, uint64_t floor, uint64_t limit)
{
	if (s % PAGE || s < floor || s + bytes > limit || !clears_holes(s, s + bytes, holes, nholes))
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (map[i].type != USABLE && s < map[i].base + map[i].length && map[i].base < s + bytes)
			return false;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t rs = (map[i].base + PAGE - 1) / PAGE * PAGE;
		uint64_t re = (map[i].base + map[i].length) / PAGE * PAGE;
		if (map[i].type == USABLE && rs <= s && s + bytes <= re)
			return true;
	}
	return false;
}

static bool any_block_fits(const struct boot_mem_range *map, uint32_t n, const struct mem_hole *holes,
			   uint32_t nholes, uint64_t bytes, uint64_t floor, uint64_t limit)
{
	for (uint64_t s = 0; s < SCAN_END; s += PAGE)
		if (valid_block(s, map, n, holes, nholes, bytes, floor, limit))
			return true;
	return false;
}

/* A map that calls [4M, 5M) both usable and reserved: reserved wins. */
static void test_find_free_skips_reserved_ranges_inside_usable_ones(void **state)
{
	(void)state;
	struct boot_mem_range map[] = { range(0, 16 << 20, USABLE), range(4 << 20, 1 << 20, RESERVED) };
	uint64_t start = 0;
	assert_int_equal(memmap_find_free(map, 2, NULL, 0, 8192, 4 << 20, NO_LIMIT, &start), 0);
	assert_int_equal(start, 5 << 20);
}

static void test_find_free_agrees_with_a_brute_force_search(void **state)
{
	(void)state;
	rng_state = RANDOM_SEED;
	int found = 0;
	for (int c = 0; c < RANDOM_CASES; c++) {
		struct boot_mem_range map[4];
		struct mem_hole holes[4];
		uint32_t n = (uint32_t)(1 + rng() % 4), nholes = (uint32_t)(rng() % 5);
		for (uint32_t i = 0; i < n; i++) {
			uint64_t base = random_address();
			map[i] = range(base, rng() % (SPACE_PAGES * PAGE / 2), rng() % 4 ? USABLE : RESERVED);
		}
		for (uint32_t h = 0; h < nholes; h++) {
			uint64_t start = random_address();
			holes[h] = (struct mem_hole){ start, start + rng() % (8 * PAGE) };
		}
		uint64_t bytes = 1 + rng() % (12 * PAGE);
		uint64_t floor = rng() % 3 ? random_address() : 0;
		uint64_t limit = rng() % 3 ? random_address() : NO_LIMIT;
		uint64_t want_bytes = (bytes + PAGE - 1) / PAGE * PAGE;

		uint64_t start = 0xdead;
		int rc = memmap_find_free(map, n, holes, nholes, bytes, floor, limit, &start);
		bool fits = any_block_fits(map, n, holes, nholes, want_bytes, floor, limit);
		bool ok = rc == 0 ? valid_block(start, map, n, holes, nholes, want_bytes, floor, limit)
				  : rc == -E_NO_MEMORY && !fits;
		if (ok) {
			found += rc == 0;
			continue;
		}
		for (uint32_t i = 0; i < n; i++)
			print_error("  map[%u] = { %#llx, %#llx, type %u }\n", i, (unsigned long long)map[i].base,
				    (unsigned long long)map[i].length, map[i].type);
		for (uint32_t h = 0; h < nholes; h++)
			print_error("  hole[%u] = [%#llx, %#llx)\n", h, (unsigned long long)holes[h].start,
				    (unsigned long long)holes[h].end);
		fail_msg("case %d (seed %#llx): %#llx bytes in [%#llx, %#llx): expected %s, seen rc %d start %#llx",
			 c, RANDOM_SEED, (unsigned long long)bytes, (unsigned long long)floor,
			 (unsigned long long)limit, fits ? "a valid block" : "-E_NO_MEMORY", rc,
			 (unsigned long long)start);
	}
	print_message("random maps: %d cases, %d with room\n", RANDOM_CASES, found);
	assert_true(found > RANDOM_CASES / 10 && found < RANDOM_CASES * 9 / 10);
}

int main(void)
{
	/* Line-buffered, so cmocka's stdout and stderr stay in order in a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usable_end_of_an_empty_map_is_zero),
		cmocka_unit_test(test_usable_end_is_the_highest_usable_end_in_any_order),
		cmocka_unit_test(test_usable_end_ignores_ranges_that_are_not_usable),
		cmocka_unit_test(test_usable_end_of_overlapping_ranges),
		cmocka_unit_test(test_usable_end_drops_a_partial_last_page),
		cmocka_unit_test(test_usable_end_ignores_a_range_without_a_whole_page),
		cmocka_unit_test(test_find_free_takes_the_first_fit_above_the_floor),
		cmocka_unit_test(test_find_free_rounds_bytes_up_to_whole_pages),
		cmocka_unit_test(test_find_free_returns_page_aligned_starts),
		cmocka_unit_test(test_find_free_with_an_unaligned_floor_stays_page_aligned),
		cmocka_unit_test(test_find_free_steps_over_holes),
		cmocka_unit_test(test_find_free_moves_to_the_next_range_when_holes_fill_one),
		cmocka_unit_test(test_find_free_skips_ranges_that_are_not_usable),
		cmocka_unit_test(test_find_free_stays_below_the_limit),
		cmocka_unit_test(test_find_free_fails_when_nothing_fits),
		cmocka_unit_test(test_find_free_skips_reserved_ranges_inside_usable_ones),
		cmocka_unit_test(test_find_free_agrees_with_a_brute_force_search),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
