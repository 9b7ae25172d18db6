/* tests/unit/test_frames.c — the bitmap frame allocator (kernel/frames.c):
 * RAM ranges and reservations, single and contiguous allocation, the error
 * codes of frames_free(), exact counts after every step, and a long random
 * run checked against a plain reference model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "kernel/errno.h"
#include "kernel/frames.h"

/* 1000 frames: not a multiple of 64, so the last bitmap word is partial. */
#define NFRAMES 1000
#define STORAGE_WORDS 64 /* enough for frames_bitmap_bytes(NFRAMES) */

static uint64_t storage[STORAGE_WORDS];

static void init(struct frame_alloc *fa, uint64_t nframes)
{
	assert_true(frames_bitmap_bytes(nframes) <= sizeof(storage));
	memset(storage, 0x5a, sizeof(storage)); /* init must not rely on zeroed storage */
	frames_init(fa, storage, nframes);
}

/* Counts from the allocator's fields, and `free` recounted frame by frame. */
static void check_counts_at(const struct frame_alloc *fa, uint64_t usable, uint64_t free_frames,
			    const char *file, int line)
{
	uint64_t seen_free = 0;
	for (uint64_t i = 0; i < fa->nframes + 70; i++)
		seen_free += frames_is_free(fa, mfn(i));
	if (fa->usable != usable || fa->free != free_frames || seen_free != free_frames)
		fail_msg("%s:%d: expected usable=%llu free=%llu; seen usable=%llu free=%llu "
			 "(frames_is_free() true for %llu)",
			 file, line, (unsigned long long)usable, (unsigned long long)free_frames,
			 (unsigned long long)fa->usable, (unsigned long long)fa->free,
			 (unsigned long long)seen_free);
}
#define CHECK_COUNTS(fa, usable, free) check_counts_at(fa, usable, free, __FILE__, __LINE__)

#define EXPECT_RC(want, call)                                                        \
	do {                                                                         \
		int want_ = (want), seen_ = (call);                                  \
		if (want_ != seen_)                                                  \
			fail_msg("%s: expected %d, seen %d", #call, want_, seen_); \
	} while (0)

static void expect_free_range(const struct frame_alloc *fa, uint64_t first, uint64_t end, bool want)
{
	for (uint64_t i = first; i < end; i++)
		if (frames_is_free(fa, mfn(i)) != want)
			fail_msg("frame %llu: expected %s, seen %s", (unsigned long long)i,
				 want ? "free" : "in use", want ? "in use" : "free");
}

/* ---- setup ------------------------------------------------------------ */

static void test_bitmap_bytes_cover_both_bitmaps(void **state)
{
	(void)state;
	assert_int_equal(frames_bitmap_bytes(0), 0);
	assert_int_equal(frames_bitmap_bytes(1), 16);
	assert_int_equal(frames_bitmap_bytes(64), 16);
	assert_int_equal(frames_bitmap_bytes(65), 32);
	assert_int_equal(frames_bitmap_bytes(1000), 2 * 16 * 8);
	assert_int_equal(frames_bitmap_bytes(1ull << 20), 2 * (1 << 14) * 8); /* 4 GiB of RAM */
}

static void test_init_starts_with_no_free_frames(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f = mfn(12345);
	init(&fa, NFRAMES);
	CHECK_COUNTS(&fa, 0, 0);
	EXPECT_RC(-E_NO_MEMORY, frames_alloc(&fa, &f));
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, 1, &f));
	assert_int_equal(f.raw, 12345); /* untouched on failure */
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(0)));
}

static void test_add_ram_makes_frames_free_once(void **state)
{
	(void)state;
	struct frame_alloc fa;
	init(&fa, NFRAMES);
	frames_add_ram(&fa, mfn(10), 10);
	CHECK_COUNTS(&fa, 10, 10);
	expect_free_range(&fa, 10, 20, true);
	expect_free_range(&fa, 0, 10, false);
	expect_free_range(&fa, 20, 30, false);

	frames_add_ram(&fa, mfn(15), 10); /* overlaps: only 20..24 are new */
	CHECK_COUNTS(&fa, 15, 15);
	frames_add_ram(&fa, mfn(10), 15); /* all known already */
	CHECK_COUNTS(&fa, 15, 15);
	frames_add_ram(&fa, mfn(40), 0);
	CHECK_COUNTS(&fa, 15, 15);
}

static void test_add_ram_is_clipped_to_the_bitmap(void **state)
{
	(void)state;
	struct frame_alloc fa;
	init(&fa, NFRAMES);
	frames_add_ram(&fa, mfn(990), 30);
	CHECK_COUNTS(&fa, 10, 10);
	frames_add_ram(&fa, mfn(NFRAMES), 5);
	frames_add_ram(&fa, mfn(UINT64_MAX), UINT64_MAX);
	CHECK_COUNTS(&fa, 10, 10);
	frames_add_ram(&fa, mfn(0), UINT64_MAX); /* count must not overflow first+count */
	CHECK_COUNTS(&fa, NFRAMES, NFRAMES);
	expect_free_range(&fa, 0, NFRAMES, true);
	assert_false(frames_is_free(&fa, mfn(NFRAMES)));
	assert_false(frames_is_free(&fa, mfn(1023))); /* tail of the last word */
}

static void test_reserve_inside_and_overlapping_ram(void **state)
{
	(void)state;
	struct frame_alloc fa;
	init(&fa, NFRAMES);
	frames_add_ram(&fa, mfn(0), 100);
	frames_reserve(&fa, mfn(10), 10); /* inside */
	CHECK_COUNTS(&fa, 90, 90);
	expect_free_range(&fa, 10, 20, false);
	frames_reserve(&fa, mfn(95), 15); /* overlaps the end: 95..99 */
	CHECK_COUNTS(&fa, 85, 85);
	frames_reserve(&fa, mfn(5), 10); /* overlaps an earlier reservation: 5..9 */
	CHECK_COUNTS(&fa, 80, 80);
	frames_reserve(&fa, mfn(200), 50); /* not RAM: nothing changes */
	frames_reserve(&fa, mfn(NFRAMES + 10), 5);
	CHECK_COUNTS(&fa, 80, 80);
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(12)));
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(97)));
	expect_free_range(&fa, 0, 5, true);
	expect_free_range(&fa, 20, 95, true);
}

static void test_reserving_an_allocated_frame_keeps_it_in_use(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f;
	init(&fa, NFRAMES);
	frames_add_ram(&fa, mfn(0), 8);
	EXPECT_RC(0, frames_alloc(&fa, &f));
	CHECK_COUNTS(&fa, 8, 7);
	frames_reserve(&fa, f, 1);
	CHECK_COUNTS(&fa, 7, 7);
	assert_false(frames_is_free(&fa, f));
	EXPECT_RC(-E_RANGE, frames_free(&fa, f)); /* no longer the allocator's */
	CHECK_COUNTS(&fa, 7, 7);
}

/* ---- single frames --------------------------------------------------------- */

/* RAM 5..39 and 100..129 and 900..999, minus 20..24. */
static void layout(struct frame_alloc *fa, bool ram[NFRAMES])
{
	init(fa, NFRAMES);
	memset(ram, 0, NFRAMES * sizeof(bool));
	frames_add_ram(fa, mfn(5), 35);
	frames_add_ram(fa, mfn(100), 30);
	frames_add_ram(fa, mfn(900), 100);
	frames_reserve(fa, mfn(20), 5);
	for (int i = 5; i < 40; i++)
		ram[i] = i < 20 || i >= 25;
	for (int i = 100; i < 130; i++)
		ram[i] = true;
	for (int i = 900; i < 1000; i++)
		ram[i] = true;
}
#define LAYOUT_FRAMES (35 - 5 + 30 + 100)

static void test_alloc_gives_distinct_ram_frames_until_exhausted(void **state)
{
	(void)state;
	struct frame_alloc fa;
	static bool ram[NFRAMES], given[NFRAMES];
	layout(&fa, ram);
	memset(given, 0, sizeof(given));
	CHECK_COUNTS(&fa, LAYOUT_FRAMES, LAYOUT_FRAMES);

	for (uint64_t n = 1; n <= LAYOUT_FRAMES; n++) {
		mfn_t f;
		EXPECT_RC(0, frames_alloc(&fa, &f));
		if (f.raw >= NFRAMES || !ram[f.raw] || given[f.raw])
			fail_msg("allocation %llu gave frame %llu: expected a free RAM frame",
				 (unsigned long long)n, (unsigned long long)f.raw);
		given[f.raw] = true;
		assert_false(frames_is_free(&fa, f));
		CHECK_COUNTS(&fa, LAYOUT_FRAMES, LAYOUT_FRAMES - n);
	}
	mfn_t f = mfn(777);
	EXPECT_RC(-E_NO_MEMORY, frames_alloc(&fa, &f));
	assert_int_equal(f.raw, 777);
	CHECK_COUNTS(&fa, LAYOUT_FRAMES, 0);

	for (uint64_t i = 0; i < NFRAMES; i++)
		if (given[i])
			EXPECT_RC(0, frames_free(&fa, mfn(i)));
	CHECK_COUNTS(&fa, LAYOUT_FRAMES, LAYOUT_FRAMES);
}

static void test_freed_frame_is_given_out_again(void **state)
{
	(void)state;
	struct frame_alloc fa;
	static bool ram[NFRAMES];
	mfn_t f;
	layout(&fa, ram);
	while (frames_alloc(&fa, &f) == 0)
		;
	EXPECT_RC(0, frames_free(&fa, mfn(117)));
	CHECK_COUNTS(&fa, LAYOUT_FRAMES, 1);
	assert_true(frames_is_free(&fa, mfn(117)));
	EXPECT_RC(0, frames_alloc(&fa, &f));
	assert_int_equal(f.raw, 117);
	CHECK_COUNTS(&fa, LAYOUT_FRAMES, 0);
}

/* Next fit: the search goes on from the last allocation and wraps. */
static void test_alloc_is_next_fit_and_wraps_around(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f;
	init(&fa, 64);
	frames_add_ram(&fa, mfn(0), 64);
	EXPECT_RC(0, frames_alloc(&fa, &f));
	assert_int_equal(f.raw, 0);
	EXPECT_RC(0, frames_alloc(&fa, &f));
	assert_int_equal(f.raw, 1);
	EXPECT_RC(0, frames_free(&fa, mfn(0)));
	EXPECT_RC(0, frames_alloc(&fa, &f));
	assert_int_equal(f.raw, 2); /* not 0: that is behind the hint */
	for (uint64_t want = 3; want < 64; want++) {
		EXPECT_RC(0, frames_alloc(&fa, &f));
		assert_int_equal(f.raw, want);
	}
	EXPECT_RC(0, frames_alloc(&fa, &f)); /* wrapped */
	assert_int_equal(f.raw, 0);
	CHECK_COUNTS(&fa, 64, 0);
}

/* ---- frames_free() error codes ------------------------------------------ */

static void test_double_free_is_refused(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f;
	init(&fa, NFRAMES);
	frames_add_ram(&fa, mfn(64), 64);
	EXPECT_RC(0, frames_alloc(&fa, &f));
	CHECK_COUNTS(&fa, 64, 63);
	EXPECT_RC(0, frames_free(&fa, f));
	CHECK_COUNTS(&fa, 64, 64);
	EXPECT_RC(-E_DOUBLE_FREE, frames_free(&fa, f));
	CHECK_COUNTS(&fa, 64, 64);
	EXPECT_RC(-E_DOUBLE_FREE, frames_free(&fa, mfn(100))); /* never allocated */
	CHECK_COUNTS(&fa, 64, 64);
}

static void test_free_of_a_frame_not_managed_is_out_of_range(void **state)
{
	(void)state;
	struct frame_alloc fa;
	static bool ram[NFRAMES];
	mfn_t f;
	layout(&fa, ram);
	EXPECT_RC(0, frames_alloc(&fa, &f));
	CHECK_COUNTS(&fa, LAYOUT_FRAMES, LAYOUT_FRAMES - 1);
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(0)));          /* below all RAM */
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(50)));         /* a hole        */
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(22)));         /* reserved      */
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(NFRAMES)));    /* one past      */
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(1023)));       /* word tail     */
	EXPECT_RC(-E_RANGE, frames_free(&fa, mfn(UINT64_MAX)));
	CHECK_COUNTS(&fa, LAYOUT_FRAMES, LAYOUT_FRAMES - 1);
	assert_false(frames_is_free(&fa, mfn(UINT64_MAX)));
}

/* ---- contiguous runs ---------------------------------------------------- */

static void expect_run(struct frame_alloc *fa, uint64_t count, uint64_t lo, uint64_t hi)
{
	mfn_t first;
	uint64_t before = fa->free;
	int rc = frames_alloc_contig(fa, count, &first);
	if (rc || first.raw < lo || first.raw + count > hi)
		fail_msg("alloc_contig(%llu): expected a run inside [%llu, %llu), seen rc %d first %llu",
			 (unsigned long long)count, (unsigned long long)lo, (unsigned long long)hi, rc,
			 (unsigned long long)first.raw);
	expect_free_range(fa, first.raw, first.raw + count, false);
	CHECK_COUNTS(fa, fa->usable, before - count);
}

static void test_alloc_contig_returns_a_run_of_free_frames(void **state)
{
	(void)state;
	struct frame_alloc fa;
	init(&fa, NFRAMES);
	frames_add_ram(&fa, mfn(60), 400); /* 60..459: crosses several words */
	CHECK_COUNTS(&fa, 400, 400);
	expect_run(&fa, 1, 60, 460);
	expect_run(&fa, 63, 60, 460);
	expect_run(&fa, 64, 60, 460);
	expect_run(&fa, 65, 60, 460);
	expect_run(&fa, 130, 60, 460);
	CHECK_COUNTS(&fa, 400, 400 - 1 - 63 - 64 - 65 - 130);
	expect_run(&fa, 77, 60, 460); /* exactly what is left */
	CHECK_COUNTS(&fa, 400, 0);
	mfn_t f;
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, 1, &f));
}

static void test_alloc_contig_skips_a_run_too_short(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f;
	init(&fa, NFRAMES);
	frames_add_ram(&fa, mfn(0), 5);     /* too short for 8 */
	frames_add_ram(&fa, mfn(6), 7);     /* 6..12: still too short */
	frames_add_ram(&fa, mfn(128), 8);   /* 128..135: fits, after a whole empty word */
	CHECK_COUNTS(&fa, 20, 20);
	EXPECT_RC(0, frames_alloc_contig(&fa, 8, &f));
	assert_int_equal(f.raw, 128);
	CHECK_COUNTS(&fa, 20, 12);
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, 8, &f));
	EXPECT_RC(0, frames_alloc_contig(&fa, 7, &f));
	assert_int_equal(f.raw, 6);
	CHECK_COUNTS(&fa, 20, 5);
}

static void test_alloc_contig_fails_when_fragmented(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f;
	init(&fa, 128);
	frames_add_ram(&fa, mfn(0), 128);
	while (frames_alloc(&fa, &f) == 0)
		;
	for (uint64_t i = 0; i < 128; i += 2)
		EXPECT_RC(0, frames_free(&fa, mfn(i)));
	CHECK_COUNTS(&fa, 128, 64);
	/* 64 frames free, but no two of them adjacent. */
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, 2, &f));
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, 64, &f));
	CHECK_COUNTS(&fa, 128, 64);
	EXPECT_RC(0, frames_alloc_contig(&fa, 1, &f));
	assert_int_equal(f.raw % 2, 0);
	CHECK_COUNTS(&fa, 128, 63);
}

/* Free frames at both ends are not one run: the bitmap does not wrap. */
static void test_alloc_contig_does_not_wrap_past_the_last_frame(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f;
	init(&fa, 64);
	frames_add_ram(&fa, mfn(0), 64);
	EXPECT_RC(0, frames_alloc_contig(&fa, 64, &f));
	EXPECT_RC(0, frames_free(&fa, mfn(0)));
	EXPECT_RC(0, frames_free(&fa, mfn(1)));
	EXPECT_RC(0, frames_free(&fa, mfn(62)));
	EXPECT_RC(0, frames_free(&fa, mfn(63)));
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, 4, &f));
	CHECK_COUNTS(&fa, 64, 4);
}

static void test_alloc_contig_of_zero_or_more_than_free_fails(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f = mfn(5);
	init(&fa, NFRAMES);
	frames_add_ram(&fa, mfn(0), 32);
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, 0, &f));
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, 33, &f));
	EXPECT_RC(-E_NO_MEMORY, frames_alloc_contig(&fa, UINT64_MAX, &f));
	assert_int_equal(f.raw, 5);
	CHECK_COUNTS(&fa, 32, 32);
}

/* A free run that starts before the next-fit hint and ends after it is
 * found by the second pass, which starts again from frame 0. */
static void test_alloc_contig_finds_a_run_spanning_the_hint(void **state)
{
	(void)state;
	struct frame_alloc fa;
	mfn_t f;
	init(&fa, 128);
	frames_add_ram(&fa, mfn(0), 128);
	EXPECT_RC(0, frames_alloc_contig(&fa, 128, &f));
	for (uint64_t i = 40; i < 60; i++)
		EXPECT_RC(0, frames_free(&fa, mfn(i)));
	EXPECT_RC(0, frames_alloc(&fa, &f)); /* takes 40: the hint is now 41 */
	assert_int_equal(f.raw, 40);
	assert_int_equal(fa.hint, 41);
	EXPECT_RC(0, frames_free(&fa, mfn(40)));
	CHECK_COUNTS(&fa, 128, 20);
	EXPECT_RC(0, frames_alloc_contig(&fa, 20, &f)); /* 40..59 straddles 41 */
	assert_int_equal(f.raw, 40);
	CHECK_COUNTS(&fa, 128, 0);
}

/* ---- random operations against a reference model ------------------------ */

#define STRESS_FRAMES 777
#define STRESS_OPS 100000
#define STRESS_SEED 0x6d656d7669736f72ull

static uint64_t rng_state;

static uint64_t rng(void) /* xorshift64 */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct model {
	bool ram[STRESS_FRAMES];
	bool used[STRESS_FRAMES];
	uint64_t usable, free;
};

static bool model_has_run(const struct model *m, uint64_t count)
{
	uint64_t run = 0;
	for (uint64_t i = 0; i < STRESS_FRAMES; i++) {
		run = m->ram[i] && !m->used[i] ? run + 1 : 0;
		if (run >= count)
			return true;
	}
	return false;
}

static int model_free_rc(const struct model *m, uint64_t f)
{
	if (f >= STRESS_FRAMES || !m->ram[f])
		return -E_RANGE;
	return m->used[f] ? 0 : -E_DOUBLE_FREE;
}

static void stress_setup(struct frame_alloc *fa, struct model *m)
{
	static const struct { uint64_t first, count; bool add; } steps[] = {
		{ 3, 197, true }, { 256, 244, true }, { 520, 300, true }, /* last one clipped */
		{ 64, 64, false }, { 300, 5, false }, { 770, 100, false }, { 190, 20, true },
	};
	init(fa, STRESS_FRAMES);
	memset(m, 0, sizeof(*m));
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		if (steps[s].add)
			frames_add_ram(fa, mfn(steps[s].first), steps[s].count);
		else
			frames_reserve(fa, mfn(steps[s].first), steps[s].count);
		for (uint64_t i = steps[s].first; i < steps[s].first + steps[s].count && i < STRESS_FRAMES; i++)
			m->ram[i] = steps[s].add;
	}
	for (uint64_t i = 0; i < STRESS_FRAMES; i++)
		m->usable += m->ram[i];
	m->free = m->usable;
}

static void stress_check_all(const struct frame_alloc *fa, const struct model *m, uint64_t op)
{
	if (fa->usable != m->usable || fa->free != m->free)
		fail_msg("op %llu (seed %#llx): expected usable=%llu free=%llu, seen usable=%llu free=%llu",
			 (unsigned long long)op, STRESS_SEED, (unsigned long long)m->usable,
			 (unsigned long long)m->free, (unsigned long long)fa->usable, (unsigned long long)fa->free);
	for (uint64_t i = 0; i < STRESS_FRAMES; i++) {
		bool want = m->ram[i] && !m->used[i];
		if (frames_is_free(fa, mfn(i)) != want)
			fail_msg("op %llu (seed %#llx): frame %llu expected %s, seen %s", (unsigned long long)op,
				 STRESS_SEED, (unsigned long long)i, want ? "free" : "in use",
				 want ? "in use" : "free");
	}
}

static void stress_alloc(struct frame_alloc *fa, struct model *m, uint64_t count, uint64_t op)
{
	mfn_t first = mfn(UINT64_MAX);
	int rc = count == 1 ? frames_alloc(fa, &first) : frames_alloc_contig(fa, count, &first);
	bool possible = model_has_run(m, count);
	if (rc != (possible ? 0 : -E_NO_MEMORY))
		fail_msg("op %llu (seed %#llx): alloc of %llu frame(s): expected %d, seen %d",
			 (unsigned long long)op, STRESS_SEED, (unsigned long long)count,
			 possible ? 0 : -E_NO_MEMORY, rc);
	if (rc)
		return;
	for (uint64_t i = first.raw; i < first.raw + count; i++) {
		if (i >= STRESS_FRAMES || !m->ram[i] || m->used[i])
			fail_msg("op %llu (seed %#llx): alloc of %llu frame(s) at %llu gave frame %llu, "
				 "which is not free RAM",
				 (unsigned long long)op, STRESS_SEED, (unsigned long long)count,
				 (unsigned long long)first.raw, (unsigned long long)i);
		m->used[i] = true;
	}
	m->free -= count;
}

/* Some frame in use, searching from a random place; STRESS_FRAMES if none. */
static uint64_t model_pick_used(const struct model *m)
{
	uint64_t start = rng() % STRESS_FRAMES;
	for (uint64_t k = 0; k < STRESS_FRAMES; k++) {
		uint64_t i = (start + k) % STRESS_FRAMES;
		if (m->ram[i] && m->used[i])
			return i;
	}
	return STRESS_FRAMES;
}

static void stress_free(struct frame_alloc *fa, struct model *m, uint64_t f, uint64_t op, uint64_t *done)
{
	int want = model_free_rc(m, f), rc = frames_free(fa, mfn(f));
	if (rc != want)
		fail_msg("op %llu (seed %#llx): free of frame %llu: expected %d, seen %d", (unsigned long long)op,
			 STRESS_SEED, (unsigned long long)f, want, rc);
	if (rc)
		return;
	m->used[f] = false;
	m->free++;
	(*done)++;
}

/* Phases of 5000 operations alternate between mostly allocating (the
 * allocator runs full and must refuse) and mostly freeing (it drains). */
static void test_random_operations_match_a_reference_model(void **state)
{
	(void)state;
	struct frame_alloc fa;
	static struct model m;
	rng_state = STRESS_SEED;
	stress_setup(&fa, &m);
	stress_check_all(&fa, &m, 0);

	uint64_t allocs = 0, refused_allocs = 0, frees = 0, lowest_free = m.free, highest_free = 0;
	for (uint64_t op = 1; op <= STRESS_OPS; op++) {
		bool filling = (op / 5000) % 2 == 0;
		uint64_t r = rng() % 100, before = m.free;
		if (r < (filling ? 55 : 15)) {
			stress_alloc(&fa, &m, 1, op);
		} else if (r < (filling ? 70 : 20)) {
			stress_alloc(&fa, &m, 1 + rng() % 12, op);
		} else if (r < 90) {
			uint64_t f = model_pick_used(&m);
			if (f < STRESS_FRAMES)
				stress_free(&fa, &m, f, op, &frees);
		} else {
			/* Any frame, some past the bitmap: exercises every error code. */
			stress_free(&fa, &m, rng() % (STRESS_FRAMES + 40), op, &frees);
		}
		if (r < (filling ? 70 : 20) && m.free < before)
			allocs++;
		else if (r < (filling ? 70 : 20))
			refused_allocs++;
		lowest_free = m.free < lowest_free ? m.free : lowest_free;
		highest_free = m.free > highest_free ? m.free : highest_free;
		if (fa.usable != m.usable || fa.free != m.free || op % 1000 == 0)
			stress_check_all(&fa, &m, op);
	}
	print_message("stress: %d ops over %llu usable frames: %llu allocations, %llu refused, %llu frames freed; "
		      "free frames ranged %llu..%llu\n",
		      STRESS_OPS, (unsigned long long)m.usable, (unsigned long long)allocs,
		      (unsigned long long)refused_allocs, (unsigned long long)frees,
		      (unsigned long long)lowest_free, (unsigned long long)highest_free);
	/* The run must really have reached both ends, or it proved little. */
	assert_int_equal(lowest_free, 0);
	assert_int_equal(highest_free, m.usable);
}

int main(void)
{
	/* Line-buffered, so cmocka's stdout and stderr stay in order in a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitmap_bytes_cover_both_bitmaps),
		cmocka_unit_test(test_init_starts_with_no_free_frames),
		cmocka_unit_test(test_add_ram_makes_frames_free_once),
		cmocka_unit_test(test_add_ram_is_clipped_to_the_bitmap),
		cmocka_unit_test(test_reserve_inside_and_overlapping_ram),
		cmocka_unit_test(test_reserving_an_allocated_frame_keeps_it_in_use),
		cmocka_unit_test(test_alloc_gives_distinct_ram_frames_until_exhausted),
		cmocka_unit_test(test_freed_frame_is_given_out_again),
		cmocka_unit_test(test_alloc_is_next_fit_and_wraps_around),
		cmocka_unit_test(test_double_free_is_refused),
		cmocka_unit_test(test_free_of_a_frame_not_managed_is_out_of_range),
		cmocka_unit_test(test_alloc_contig_returns_a_run_of_free_frames),
		cmocka_unit_test(test_alloc_contig_skips_a_run_too_short),
		cmocka_unit_test(test_alloc_contig_fails_when_fragmented),
		cmocka_unit_test(test_alloc_contig_does_not_wrap_past_the_last_frame),
		cmocka_unit_test(test_alloc_contig_of_zero_or_more_than_free_fails),
		cmocka_unit_test(test_alloc_contig_finds_a_run_spanning_the_hint),
		cmocka_unit_test(test_random_operations_match_a_reference_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
