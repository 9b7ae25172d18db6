/* guest/twins/main.c — a workload for transparent page sharing (see
 * docs/background.md, "Transparent page sharing"). Every
 * instance fills its memory, through its own page tables, with a known
 * mix of pages:
 *
 *   twin    contents that every instance with the same seed= makes too
 *   zero    all zeros
 *   unique  contents only this VM has (seeded by its vm id)
 *
 * says how many of each it made (so a test can work out what sharing can
 * save), keeps a checksum per page, waits for the scanner, then writes to
 * some twin and zero pages — each write to a shared page is a copy-on-
 * write fault in memvisor — and verifies every page.
 *
 * Arguments (key=value):
 *   twins=N   twin pages (default: half of the pages that fit)
 *   zeros=N   zero pages (default: a quarter)
 *   unique=N  unique pages (default: the rest)
 *   seed=N    the twin pages' seed (default 1: all instances alike)
 *   wait=MS   TSC milliseconds to wait for sharing before each write phase
 *             (default 1000)
 *   cow=N     twin pages and zero pages written per cycle (default twins/8)
 *   cycles=N  write, verify, put back, wait again (default 1): after the
 *             put-back the pages are equal again and re-merge
 *
 * Guest virtual layout (paging.h), away from the identity map:
 *   TWINS_GVA        page i → a frame from frame_alloc(): twins first,
 *                    then zeros, then unique
 *   TWINS_SUMS_GVA   a uint64_t checksum per page (a demand region)
 */
#include "content.h"
#include "guest.h"
#include "kernel/io.h"

const char guest_image_name[] = "twins";

#define TWINS_GVA 0x0000400000000000ull      /* PML4 slot 128 */
#define TWINS_SUMS_GVA 0x0000500000000000ull /* PML4 slot 160 */
#define TWINS_SLACK (64 * KiB)               /* left free for the runtime */
#define UNIQUE_SEED_BASE (1ull << 63)        /* far from any twin seed=   */
#define DEFAULT_SEED 1
#define DEFAULT_WAIT_MS 1000
#define DEFAULT_COW_DIVISOR 8
#define MISMATCH_LINES_MAX 10
#define COW_MARK 0x5a5a5a5a00000000ull       /* what a copy-on-write write stores */

struct twins {
	uint64_t twins, zeros, unique, pages;
	uint64_t seed, unique_seed, wait_ms, cow, cycles, tsc_khz;
	volatile uint64_t *sums;
	uint64_t mismatch_lines;
};

static volatile uint64_t *page_at(uint64_t i)
{
	return (volatile uint64_t *)(uintptr_t)(TWINS_GVA + i * PAGE_SIZE);
}

/* Page i's contents as made (and as put back after a write). */
static uint64_t make_page(const struct twins *t, uint64_t i)
{
	if (i < t->twins)
		return content_fill(page_at(i), t->seed, i);
	if (i < t->twins + t->zeros)
		return content_zero(page_at(i));
	return content_fill(page_at(i), t->unique_seed, i);
}

static void fill(struct twins *t)
{
	int err = t->pages ? demand_region_add(gva_of(TWINS_SUMS_GVA), test_region_sums_bytes(t->pages)) : 0;
	if (err)
		guest_die("twins", "demand_region_add", err);
	for (uint64_t i = 0; i < t->pages; i++) {
		gpa_t frame;
		if ((err = frame_alloc(&frame)))
			guest_die("twins", "frame_alloc", err);
		if ((err = guest_map(gva_of_ptr(page_at(i)), frame, PTE_WRITE)))
			guest_die("twins", "guest_map", err);
		t->sums[i] = make_page(t, i);
	}
	guest_printf("twins: made %llu twin pages (seed %llu), %llu zero pages, %llu unique pages at gva 0x%llx\n",
		     (unsigned long long)t->twins, (unsigned long long)t->seed, (unsigned long long)t->zeros,
		     (unsigned long long)t->unique, TWINS_GVA);
	gpa_t first = gpa_of(0);
	if (t->twins && !guest_virt_to_phys(gva_of(TWINS_GVA), &first))
		guest_printf("twins: first twin page gva 0x%llx gpa 0x%llx\n", TWINS_GVA, (unsigned long long)first.raw);
}

/* Spins on the TSC: no exit of its own, so memvisor's tick preempts it and
 * the scanner runs between the time slices meanwhile. */
static void wait_for_sharing(const struct twins *t, const char *why)
{
	if (!t->tsc_khz || !t->wait_ms)
		return;
	guest_printf("twins: waiting %llu ms %s\n", (unsigned long long)t->wait_ms, why);
	uint64_t end = rdtsc() + t->wait_ms * t->tsc_khz;
	while (rdtsc() < end)
		__asm__ volatile("pause");
}

/* The j-th page of a kind written in a cycle: spread over the kind. */
static uint64_t nth(uint64_t j, uint64_t of, uint64_t count)
{
	return j * (of / count);
}

/* Writes one word in cow twin pages and cow zero pages; each write to a
 * shared page faults into memvisor (copy-on-write). */
static void write_some(struct twins *t, uint64_t cycle)
{
	uint64_t written = 0;
	for (uint64_t j = 0; j < t->cow; j++) {
		uint64_t i[2] = { nth(j, t->twins, t->cow), t->twins + nth(j, t->zeros, t->cow) };
		for (int k = 0; k < 2; k++) {
			if ((k == 0 && j >= t->twins) || (k == 1 && j >= t->zeros))
				continue;
			volatile uint64_t *p = page_at(i[k]);
			p[j % (PAGE_SIZE / 8)] = COW_MARK | (cycle << 16) | j;
			t->sums[i[k]] = checksum_page(p);
			written++;
		}
	}
	guest_printf("twins: cycle %llu: wrote %llu pages (copy-on-write)\n", (unsigned long long)cycle,
		     (unsigned long long)written);
}

/* Puts the written pages back as they were made: equal to their twins again. */
static void put_back(struct twins *t)
{
	for (uint64_t j = 0; j < t->cow; j++) {
		if (j < t->twins)
			t->sums[nth(j, t->twins, t->cow)] = make_page(t, nth(j, t->twins, t->cow));
		if (j < t->zeros)
			t->sums[t->twins + nth(j, t->zeros, t->cow)] = make_page(t, t->twins + nth(j, t->zeros, t->cow));
	}
}

static uint64_t verify(struct twins *t, uint64_t *total)
{
	uint64_t mismatches = 0;
	*total = CHECKSUM_INIT;
	for (uint64_t i = 0; i < t->pages; i++) {
		uint64_t seen = checksum_page(page_at(i));
		*total = checksum_add(*total, seen);
		if (seen == t->sums[i])
			continue;
		mismatches++;
		if (t->mismatch_lines++ < MISMATCH_LINES_MAX)
			guest_printf("twins: MISMATCH page %llu expected 0x%016llx seen 0x%016llx\n", (unsigned long long)i,
				     (unsigned long long)t->sums[i], (unsigned long long)seen);
	}
	return mismatches;
}

/* Sizes from the arguments, the defaults filling what fits. */
static int size_up(struct twins *t, const struct guest_env *env)
{
	uint64_t fit = test_region_pages_that_fit(TWINS_SLACK);
	t->twins = guest_arg_u64(env, "twins", fit / 2);
	t->zeros = guest_arg_u64(env, "zeros", fit / 4);
	uint64_t asked = t->twins + t->zeros;
	t->unique = guest_arg_u64(env, "unique", fit > asked ? fit - asked : 0);
	t->pages = t->twins + t->zeros + t->unique;
	t->cow = guest_arg_u64(env, "cow", t->twins / DEFAULT_COW_DIVISOR);
	if (t->pages > fit || test_region_frames(t->pages) > frame_count_free()) {
		guest_printf("twins: %llu pages do not fit: %llu frames are free, and the page tables and "
			     "checksums need some\n", (unsigned long long)t->pages, (unsigned long long)frame_count_free());
		return GUEST_EXIT_USAGE;
	}
	if (t->cow > t->twins && t->cow > t->zeros) {
		guest_printf("twins: cow=%llu is more than the twin and the zero pages\n", (unsigned long long)t->cow);
		return GUEST_EXIT_USAGE;
	}
	return GUEST_EXIT_OK;
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "twins", "zeros", "unique", "seed", "wait", "cow", "cycles", NULL };
	guest_args_check(env, known);
	struct twins t = {
		.seed = guest_arg_u64(env, "seed", DEFAULT_SEED),
		.unique_seed = UNIQUE_SEED_BASE + env->vm_id,
		.wait_ms = guest_arg_u64(env, "wait", DEFAULT_WAIT_MS),
		.cycles = guest_arg_u64(env, "cycles", 1),
		.tsc_khz = env->tsc_khz,
		.sums = (volatile uint64_t *)(uintptr_t)TWINS_SUMS_GVA,
	};
	int rc = size_up(&t, env);
	if (rc)
		return rc;
	fill(&t);
	uint64_t mismatches = 0, total;
	for (uint64_t c = 1; c <= t.cycles; c++) {
		wait_for_sharing(&t, c == 1 ? "for page sharing" : "for the pages to be shared again");
		guest_printf("twins: cycle %llu: writing\n", (unsigned long long)c); /* before any write */
		write_some(&t, c);
		uint64_t m = verify(&t, &total);
		guest_printf("twins: cycle %llu: verified %llu pages, mismatches %llu\n", (unsigned long long)c,
			     (unsigned long long)t.pages, (unsigned long long)m);
		mismatches += m;
		if (c < t.cycles)
			put_back(&t);
	}
	mismatches += verify(&t, &total);
	guest_printf("twins: verified %llu pages, checksum 0x%016llx, mismatches %llu\n", (unsigned long long)t.pages,
		     (unsigned long long)total, (unsigned long long)mismatches);
	return mismatches ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
