/* tests/unit/test_compress.c — the page codec (vmm/zswap/compress.c), hosted with
 * ASan/UBSan: round trips of 10^5 random and 10^5 real pages and of every
 * page of the benchmark's corpus (each also compressed into exactly its own
 * size, and one byte less), the edges of the format, the output cap,
 * and malformed blocks that must be refused without reading or writing
 * out of bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/zswap/compress.h"
#include "kernel/errno.h"
#include "tests/unit/pages.h"

#define ROUND_TRIPS 100000
#define REAL_CORPUS (8u << 20) /* 8 MiB of files: pages are cut at every offset */
#define OUT_MAX COMPRESS_BOUND(TEST_PAGE)
/* The pages tools/bench measures the compressor on, written by
 * tools/benchmarks/zswap-corpus (`make unit` makes them when missing);
 * ZSWAP_CORPUS names another directory. */
#define BENCH_CORPUS_DIR "build/bench/corpus"
static const char *const bench_corpus_files[] = { "guests.pages", "binaries.pages", "text.pages" };

static struct compress_work work;

/* Compresses n bytes with room for anything, decompresses, compares. */
static size_t round_trip(const uint8_t *src, size_t n, const char *what, long index)
{
	static uint8_t out[OUT_MAX], back[TEST_PAGE];
	size_t len = compress_block(src, n, out, sizeof(out), &work);
	if (!len || len > COMPRESS_BOUND(n))
		fail_msg("%s %ld: compressed %zu bytes to %zu (bound %zu)", what, index, n, len, (size_t)COMPRESS_BOUND(n));
	int rc = decompress_block(out, len, back, n);
	if (rc || memcmp(back, src, n))
		fail_msg("%s %ld: round trip failed (decompress %d)", what, index, rc);
	return len;
}

static void test_edge_inputs_round_trip(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE];
	round_trip(page, 0, "empty", 0);
	for (size_t n = 1; n <= 40; n++)
		round_trip(page, n, "zeros of length", (long)n);
	assert_true(round_trip(page, TEST_PAGE, "zero page", 0) < 32);
	for (unsigned period = 1; period <= 20; period++) { /* overlapping matches */
		for (size_t i = 0; i < TEST_PAGE; i++)
			page[i] = (uint8_t)(i % period * 37 + 1);
		assert_true(round_trip(page, TEST_PAGE, "period", period) < 64);
	}
	uint64_t rng = 1;
	for (size_t i = 0; i < TEST_PAGE; i++) /* all literals: length extensions */
		page[i] = (uint8_t)pages_rand(&rng);
	assert_true(round_trip(page, TEST_PAGE, "random bytes", 0) > TEST_PAGE);
}

static void test_round_trips_of_random_pages(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE];
	uint64_t rng = 0x9e3779b97f4a7c15ull, in = 0, out = 0;
	for (long i = 0; i < ROUND_TRIPS; i++) {
		pages_random(page, &rng);
		out += round_trip(page, TEST_PAGE, "random page", i);
		in += TEST_PAGE;
	}
	print_message("      %d random pages: ratio %.3f\n", ROUND_TRIPS, (double)in / (double)out);
}

static void test_round_trips_of_real_pages(void **state)
{
	(void)state;
	uint8_t *corpus = malloc(REAL_CORPUS);
	assert_non_null(corpus);
	size_t bytes = pages_real_corpus(corpus, REAL_CORPUS);
	if (bytes < 4 * TEST_PAGE)
		fail_msg("found only %zu bytes of real files under /usr", bytes);
	uint64_t rng = 7, in = 0, out = 0;
	for (long i = 0; i < ROUND_TRIPS; i++) { /* cut at any byte offset */
		size_t at = pages_rand(&rng) % (bytes - TEST_PAGE);
		out += round_trip(corpus + at, TEST_PAGE, "real page at offset", (long)at);
		in += TEST_PAGE;
	}
	print_message("      %d real pages from %zu KiB of files: ratio %.3f\n", ROUND_TRIPS, bytes / 1024,
		      (double)in / (double)out);
	free(corpus);
}

/* A page compressed into exactly its compressed size fits; one byte less
 * is refused (the encoder counts its room exactly, so the store's
 * half-a-page line is where the page's real size puts it). */
static void fits_its_own_size(const uint8_t *page, const char *what, long index)
{
	static uint8_t out[OUT_MAX];
	size_t len = compress_block(page, TEST_PAGE, out, sizeof(out), &work);
	size_t capped = compress_block(page, TEST_PAGE, out, len, &work);
	if (capped != len)
		fail_msg("%s %ld: compresses to %zu bytes, but with a cap of %zu returned %zu", what, index, len, len,
			 capped);
	capped = compress_block(page, TEST_PAGE, out, len - 1, &work);
	if (capped)
		fail_msg("%s %ld: compresses to %zu bytes, but with a cap of %zu returned %zu (want 0)", what,
			 index, len, len - 1, capped);
}

/* Every page of one corpus file, round trip and cap; returns how many. */
static size_t round_trip_corpus_file(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *file = fopen(path, "rb");
	if (!file)
		fail_msg("cannot read %s (tools/benchmarks/zswap-corpus --out %s makes it)", path, dir);
	static uint8_t page[TEST_PAGE];
	size_t pages = 0;
	while (fread(page, TEST_PAGE, 1, file) == 1) {
		round_trip(page, TEST_PAGE, path, (long)pages);
		fits_its_own_size(page, path, (long)pages++);
	}
	bool whole = feof(file) && !ferror(file) && ftell(file) == (long)(pages * TEST_PAGE);
	fclose(file);
	if (!pages || !whole)
		fail_msg("%s: %zu whole pages, then %s (want whole 4 KiB pages)", path, pages,
			 pages ? "a partial page" : "nothing");
	return pages;
}

static void test_round_trips_of_every_bench_corpus_page(void **state)
{
	(void)state;
	const char *dir = getenv("ZSWAP_CORPUS") ? getenv("ZSWAP_CORPUS") : BENCH_CORPUS_DIR;
	for (size_t i = 0; i < sizeof(bench_corpus_files) / sizeof(bench_corpus_files[0]); i++) {
		size_t pages = round_trip_corpus_file(dir, bench_corpus_files[i]);
		print_message("      %s/%s: all %zu pages round-trip and fit their own size\n", dir,
			      bench_corpus_files[i], pages);
	}
}

static void test_output_is_capped(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE], out[OUT_MAX];
	uint64_t rng = 3;
	pages_random(page, &rng);
	size_t full = compress_block(page, TEST_PAGE, out, sizeof(out), &work);
	assert_true(full > 10);
	assert_int_equal(compress_block(page, TEST_PAGE, out, full, &work), full);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(compress_block(page, TEST_PAGE, out, full - 1, &work), 0);
	for (size_t i = full - 1; i < sizeof(out); i++) /* nothing written past the cap */
		if (out[i] != 0xee)
			fail_msg("byte %zu past a cap of %zu was written", i, full - 1);
	assert_int_equal(compress_block(page, TEST_PAGE + 1, out, sizeof(out), &work), 0);
}

static void test_output_is_a_function_of_the_input(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE], a[OUT_MAX], b[OUT_MAX];
	uint64_t rng = 11;
	pages_random(page, &rng);
	size_t n = compress_block(page, TEST_PAGE, a, sizeof(a), &work);
	memset(&work, 0x5a, sizeof(work)); /* a dirty table must not matter */
	assert_int_equal(compress_block(page, TEST_PAGE, b, sizeof(b), &work), n);
	assert_memory_equal(a, b, n);
}

/* Every proper prefix of a valid block, and the block into a buffer of
 * the wrong size, are refused. */
static void test_truncated_blocks_and_wrong_sizes_are_refused(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE], out[OUT_MAX], back[TEST_PAGE + 1];
	uint64_t rng = 5;
	pages_random(page, &rng);
	size_t n = compress_block(page, TEST_PAGE, out, sizeof(out), &work);
	for (size_t cut = 0; cut < n; cut++)
		if (decompress_block(out, cut, back, TEST_PAGE) != -E_CORRUPT)
			fail_msg("a block cut to %zu of %zu bytes was accepted", cut, n);
	assert_int_equal(decompress_block(out, n, back, TEST_PAGE - 1), -E_CORRUPT);
	assert_int_equal(decompress_block(out, n, back, TEST_PAGE + 1), -E_CORRUPT);
	assert_int_equal(decompress_block(out, n, back, TEST_PAGE), 0);
}

static void test_hand_made_malformed_blocks(void **state)
{
	(void)state;
	static uint8_t back[16];
	const uint8_t rep_cut[] = { 0x08 };                     /* R=1 without its one literal */
	const uint8_t far[] = { 0x10, 'a', 0x01, 0x00, 0x00 };   /* offset 2 with 1 byte out */
	const uint8_t long_match[] = { 0x17, 'a', 0x00, 0xf0, 0xff, 0xff, 0x00 }; /* too long */
	const uint8_t bits_at_end[] = { 0x21, 'a', 'b' };       /* last token with MMM set */
	const uint8_t ok[] = { 0x10, 'a', 0x00, 0x00, 0x00 };    /* 'a' + 4 x 'a' + nothing */
	assert_int_equal(decompress_block(rep_cut, sizeof(rep_cut), back, 5), -E_CORRUPT);
	assert_int_equal(decompress_block(far, sizeof(far), back, 5), -E_CORRUPT);
	assert_int_equal(decompress_block(long_match, sizeof(long_match), back, 16), -E_CORRUPT);
	assert_int_equal(decompress_block(bits_at_end, sizeof(bits_at_end), back, 2), -E_CORRUPT);
	assert_int_equal(decompress_block(ok, sizeof(ok), back, 5), 0);
	assert_memory_equal(back, "aaaaa", 5);
	assert_int_equal(decompress_block(ok, 0, back, 0), -E_CORRUPT);
}

/* Before any match the repeat offset is 1: a first R=1 repeats the last
 * byte (compress.h). An R=1 token has one literal, and its LLLL holds
 * the match length's bits 6..3. */
static void test_first_repeat_is_offset_1(void **state)
{
	(void)state;
	static uint8_t back[16];
	const uint8_t block[] = { 0x08, 'a', 0x00 }; /* 'a', then R=1 length 4, then nothing */
	int rc = decompress_block(block, sizeof(block), back, 5);
	if (rc)
		fail_msg("a first R=1 after one literal: decompress returned %d, want 0 and \"aaaaa\"", rc);
	assert_memory_equal(back, "aaaaa", 5);
	const uint8_t longer[] = { 0x19, 'b', 0x00 }; /* 'b', then R=1 length (1 << 3 | 1) + 4 = 13 */
	rc = decompress_block(longer, sizeof(longer), back, 14);
	if (rc)
		fail_msg("R=1 with LLLL = 1, MMM = 1 after 'b': decompress returned %d, want 0 and 14 x 'b'", rc);
	assert_memory_equal(back, "bbbbbbbbbbbbbb", 14);
	static uint8_t page[TEST_PAGE];
	memset(page, 'z', TEST_PAGE);
	page[0] = 'q';
	size_t n = round_trip(page, TEST_PAGE, "q then z", 0);
	if (n > 24)
		fail_msg("'q' and 4095 'z': %zu bytes, want at most 24", n);
}

/* Damage anywhere in a block: refused or decoded, never out of bounds
 * (ASan watches every access; the fuzzer tries far more). */
static void test_bit_flips_stay_in_bounds(void **state)
{
	(void)state;
	static uint8_t page[TEST_PAGE], out[OUT_MAX], back[TEST_PAGE];
	uint64_t rng = 9;
	pages_random(page, &rng);
	size_t n = compress_block(page, TEST_PAGE, out, sizeof(out), &work);
	unsigned refused = 0;
	for (size_t bit = 0; bit < n * 8; bit++) {
		out[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refused += decompress_block(out, n, back, TEST_PAGE) != 0;
		out[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	print_message("      %u of %zu single-bit flips refused by the format alone\n", refused, n * 8);
	assert_true(refused > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edge_inputs_round_trip),
		cmocka_unit_test(test_round_trips_of_random_pages),
		cmocka_unit_test(test_round_trips_of_real_pages),
		cmocka_unit_test(test_round_trips_of_every_bench_corpus_page),
		cmocka_unit_test(test_output_is_capped),
		cmocka_unit_test(test_output_is_a_function_of_the_input),
		cmocka_unit_test(test_truncated_blocks_and_wrong_sizes_are_refused),
		cmocka_unit_test(test_hand_made_malformed_blocks),
		cmocka_unit_test(test_first_repeat_is_offset_1),
		cmocka_unit_test(test_bit_flips_stay_in_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
