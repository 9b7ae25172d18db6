/* guest/memtest/main.c — writes a pattern to many pages, then reads them
 * back and compares checksums: the guest-side proof that whatever the
 * hypervisor did to its memory (demand allocation, sharing, ballooning,
 * compression) gave every byte back (docs/design.md: "Never corrupt").
 *
 * Arguments (key=value):
 *   touch=SIZE   bytes to test (K/M/G suffix); default: every free frame
 *                but MEMTEST_SLACK, less what the page tables and the
 *                checksum table take
 *   seed=N       pattern seed; default: the vm id, so VMs differ
 *   passes=N     how many times to re-read and verify; default 2
 *   distinct=N   only N different page contents (page i gets pattern
 *                i mod N); default 0: every page differs
 *   hot=N        after writing, read one word of each of pages 0..N-1,
 *                again and again for hot_ms (default 0: no such phase),
 *                then HC_MARK 1: a working set of exactly N test pages
 *                (and the few of its code, stack and page tables), for
 *                memvisor's active-memory estimate (README: active memory);
 *                one word, so that a sweep is quick even under Bochs
 *   hot_ms=MS    how long the hot phase runs, in TSC time (default 2000)
 *
 * Guest virtual layout (paging.h), both far from the identity map so the
 * test goes through translations with gva != gpa:
 *   MEMTEST_GVA          page i → a frame from frame_alloc(), mapped here
 *                        with guest_map(); gpa order is whatever it is
 *   MEMTEST_SUMS_GVA     uint64_t checksum per page, a demand region:
 *                        its frames arrive through the #PF handler
 */
#include "guest.h"
#include "pattern.h"
#include "kernel/io.h"

const char guest_image_name[] = "memtest";

#define MEMTEST_GVA 0x0000400000000000ull      /* PML4 slot 128 */
#define MEMTEST_SUMS_GVA 0x0000500000000000ull /* PML4 slot 160 */
#define MEMTEST_SLACK (64 * KiB)               /* left free for the runtime */
#define MEMTEST_PASSES_DEFAULT 2
#define MEMTEST_MISMATCH_LINES_MAX 10

#define MEMTEST_HOT_MS_DEFAULT 2000

struct memtest {
	uint64_t pages, seed, passes, distinct;
	uint64_t hot, hot_ms, tsc_khz;
	volatile uint64_t *sums; /* at MEMTEST_SUMS_GVA */
	uint64_t total;          /* checksum over the page checksums, as written */
	uint64_t mismatch_lines;
};

static volatile uint64_t *page_at(uint64_t i)
{
	return (volatile uint64_t *)(uintptr_t)(MEMTEST_GVA + i * PAGE_SIZE);
}

static void memtest_write(struct memtest *t)
{
	int err = t->pages ? demand_region_add(gva_of(MEMTEST_SUMS_GVA), test_region_sums_bytes(t->pages)) : 0;
	if (err)
		guest_die("memtest", "demand_region_add", err);
	t->total = CHECKSUM_INIT;
	for (uint64_t i = 0; i < t->pages; i++) {
		gpa_t frame;
		err = frame_alloc(&frame);
		if (err)
			guest_die("memtest", "frame_alloc", err);
		err = guest_map(gva_of_ptr(page_at(i)), frame, PTE_WRITE);
		if (err)
			guest_die("memtest", "guest_map", err);
		uint64_t index = t->distinct ? i % t->distinct : i;
		uint64_t sum = pattern_fill(page_at(i), t->seed, index);
		t->sums[i] = sum; /* the first store to each table page faults it in */
		t->total = checksum_add(t->total, sum);
	}
	guest_printf("memtest: touched %llu pages (%llu KiB) at gva 0x%llx\n",
		     (unsigned long long)t->pages, (unsigned long long)(t->pages * PAGE_SIZE / KiB),
		     MEMTEST_GVA);
	gpa_t first = gpa_of(0); /* for checking a translation by hand: tools/gdb mv-walk */
	if (t->pages && !guest_virt_to_phys(gva_of(MEMTEST_GVA), &first))
		guest_printf("memtest: first page gva 0x%llx gpa 0x%llx\n", MEMTEST_GVA, (unsigned long long)first.raw);
}

static void report_mismatch(struct memtest *t, uint64_t i, uint64_t seen)
{
	if (t->mismatch_lines++ >= MEMTEST_MISMATCH_LINES_MAX)
		return;
	gpa_t gpa = gpa_of(0);
	guest_virt_to_phys(gva_of_ptr(page_at(i)), &gpa);
	guest_printf("memtest: MISMATCH page %llu gva 0x%llx expected 0x%016llx seen 0x%016llx (gpa 0x%llx)\n",
		     (unsigned long long)i, (unsigned long long)(uintptr_t)page_at(i),
		     (unsigned long long)t->sums[i], (unsigned long long)seen,
		     (unsigned long long)gpa.raw);
}

/* One verification pass; returns its mismatches, *total the checksum seen. */
static uint64_t memtest_verify(struct memtest *t, uint64_t *total)
{
	uint64_t mismatches = 0;
	*total = CHECKSUM_INIT;
	for (uint64_t i = 0; i < t->pages; i++) {
		uint64_t seen = checksum_page(page_at(i));
		*total = checksum_add(*total, seen);
		if (seen != t->sums[i]) {
			mismatches++;
			report_mismatch(t, i, seen);
		}
	}
	return mismatches;
}

/* The hot phase: one word of each of pages 0..hot-1 read over and over
 * for hot_ms, the other pages left alone; then mark 1. The passes after it
 * verify every page. */
static void memtest_hot(struct memtest *t)
{
	uint64_t sweeps = 0, sink = 0, start = rdtsc(), end = start + t->hot_ms * t->tsc_khz;
	do {
		for (uint64_t i = 0; i < t->hot; i++)
			sink += page_at(i)[0];
		sweeps++;
	} while (t->tsc_khz ? rdtsc() < end : sweeps < t->hot_ms);
	guest_printf("memtest: hot set of %llu pages read %llu times in %llu ms (sum 0x%llx)\n",
		     (unsigned long long)t->hot, (unsigned long long)sweeps,
		     (unsigned long long)(t->tsc_khz ? (rdtsc() - start) / t->tsc_khz : 0), (unsigned long long)sink);
	hc_call(HC_MARK, 1, 0, 0, 0); /* standalone: -HC_E_NOSYS, nothing happens */
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "touch", "seed", "passes", "distinct", "hot", "hot_ms", NULL };
	guest_args_check(env, known);
	struct memtest t = {
		.seed = guest_arg_u64(env, "seed", env->vm_id),
		.passes = guest_arg_u64(env, "passes", MEMTEST_PASSES_DEFAULT),
		.distinct = guest_arg_u64(env, "distinct", 0),
		.hot = guest_arg_u64(env, "hot", 0),
		.hot_ms = guest_arg_u64(env, "hot_ms", MEMTEST_HOT_MS_DEFAULT),
		.tsc_khz = env->tsc_khz,
		.sums = (volatile uint64_t *)(uintptr_t)MEMTEST_SUMS_GVA,
	};
	uint64_t touch = guest_arg_u64(env, "touch", test_region_pages_that_fit(MEMTEST_SLACK) * PAGE_SIZE);
	t.pages = MIN(touch, env->memory_bytes) / PAGE_SIZE + (touch % PAGE_SIZE != 0);
	if (touch > env->memory_bytes || test_region_frames(t.pages) > frame_count_free()) {
		guest_printf("memtest: touch=%llu KiB does not fit: %llu free frames (%llu KiB), "
			     "and the page tables and checksum table need some of them\n",
			     (unsigned long long)(touch / KiB), (unsigned long long)frame_count_free(),
			     (unsigned long long)(frame_count_free() * PAGE_SIZE / KiB));
		return GUEST_EXIT_USAGE;
	}
	guest_printf("memtest: seed %llu, passes %llu, distinct %llu, checksum table at gva 0x%llx\n",
		     (unsigned long long)t.seed, (unsigned long long)t.passes,
		     (unsigned long long)t.distinct, MEMTEST_SUMS_GVA);

	if (t.hot > t.pages) {
		guest_printf("memtest: hot=%llu is more than the %llu pages it touches\n", (unsigned long long)t.hot,
			     (unsigned long long)t.pages);
		return GUEST_EXIT_USAGE;
	}
	memtest_write(&t);
	if (t.hot)
		memtest_hot(&t);
	uint64_t mismatches = 0, seen_total = t.total;
	for (uint64_t pass = 1; pass <= t.passes; pass++) {
		uint64_t m = memtest_verify(&t, &seen_total);
		guest_printf("memtest: pass %llu/%llu: %llu pages, checksum 0x%016llx, mismatches %llu\n",
			     (unsigned long long)pass, (unsigned long long)t.passes,
			     (unsigned long long)t.pages, (unsigned long long)seen_total,
			     (unsigned long long)m);
		mismatches += m;
	}
	guest_printf("memtest: verified %llu pages, checksum 0x%016llx, mismatches %llu\n",
		     (unsigned long long)(t.passes ? t.pages : 0), (unsigned long long)seen_total,
		     (unsigned long long)mismatches);
	return mismatches ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
