/* guest/zipmix/main.c — a known mix of page kinds for memvisor's
 * compressed swap area (docs/background.md; vmm/zswap/zswap.h), a hot set it keeps
 * using, and in-guest checksums that prove every page came back bit-exact.
 *
 * Arguments (key=value):
 *   compressible=N    text and record pages, alternating (default 256)
 *   incompressible=N  random pages (default 64)
 *   same=N            pages of one repeated 64-bit value (default 64)
 *   hot=N             compressible pages read over and over (default 32)
 *   hot_ms=MS         how long that loop runs before mark 1 (default 300)
 *   seed=N            contents seed (default: the vm id)
 *
 * The run, with the marks (HC_MARK) where a monitor script may act:
 *   1. the hot pages first — the lowest frames, which a clock ignoring the
 *      accessed bits would take first — then the mix, kinds interleaved;
 *   2. the hot loop for hot_ms: it reads every page the guest uses except
 *      the mix (its image, page tables, allocator, the hot pages), so the
 *      mix is exactly what is cold;             → mark 1 (compress now)
 *   3. one more pass of the loop: none of it should need a swap-in
 *                                               → mark 2
 *   4. the compressible and same-filled pages read back (timed: swap-ins),
 *      then the random ones                    → mark 3
 *   5. every checksum verified; exit 0 only if all matched.
 * Pages come from frame_alloc() (lowest first) and nothing is freed, so
 * the frames in use are exactly those below the first free one. */
#include "guest.h"
#include "content.h"
#include "kernel/io.h"

const char guest_image_name[] = "zipmix";

#define MIX_GVA 0x0000400000000000ull /* PML4 slot 128: the mix      */
#define HOT_GVA 0x0000480000000000ull /* PML4 slot 144: the hot set  */
#define GUARD_GVA 0x0000500000000000ull /* PML4 slot 160: see below  */
#define ZIPMIX_PAGES_MAX 8192
#define ZIPMIX_MEMORY_MAX (256 * MiB)
#define GFN_BITS (ZIPMIX_MEMORY_MAX / PAGE_SIZE)
#define US_PER_MS 1000

extern char _guest_image_start[], _guest_image_end[], guest_stack_guard[];

struct zipmix {
	uint64_t counts[ZIPMIX_KINDS]; /* of the mix */
	uint64_t mix, hot, seed, hot_ms, tsc_khz, memory_bytes;
	uint64_t in_use_end;           /* gpa: frames below it are in use */
};

static uint64_t sums[ZIPMIX_PAGES_MAX], hot_sums[ZIPMIX_PAGES_MAX];
static uint8_t kinds[ZIPMIX_PAGES_MAX];
static uint64_t mix_gfns[GFN_BITS / 64]; /* 1: a frame of the mix */

static uint8_t *mix_page(uint64_t i) { return (uint8_t *)(uintptr_t)(MIX_GVA + i * PAGE_SIZE); }
static uint8_t *hot_page(uint64_t i) { return (uint8_t *)(uintptr_t)(HOT_GVA + i * PAGE_SIZE); }
static bool is_mix(uint64_t gfn) { return mix_gfns[gfn / 64] & BIT(gfn % 64); }

/* A fresh frame mapped at gva; returns its gpa. */
static gpa_t map_new_page(uint8_t *gva)
{
	gpa_t frame;
	int err = frame_alloc(&frame);
	if (err)
		guest_die("zipmix", "frame_alloc", err);
	err = guest_map(gva_of_ptr(gva), frame, PTE_WRITE);
	if (err)
		guest_die("zipmix", "guest_map", err);
	return frame;
}

/* The kind of mix page i: compressible, random and same interleaved until
 * each count runs out; compressible alternates text and records. */
static void plan_kinds(struct zipmix *z, uint64_t compressible, uint64_t random, uint64_t same)
{
	uint64_t text = 0, records = 0;
	for (uint64_t i = 0; i < z->mix;) {
		if (text + records < compressible) {
			bool t = text <= records;
			kinds[i++] = t ? ZIPMIX_TEXT : ZIPMIX_RECORDS;
			text += t, records += !t;
		}
		if (random && i < z->mix)
			kinds[i++] = ZIPMIX_RANDOM, random--;
		if (same && i < z->mix)
			kinds[i++] = ZIPMIX_SAME, same--;
	}
	z->counts[ZIPMIX_TEXT] = text, z->counts[ZIPMIX_RECORDS] = records;
}

static void make_pages(struct zipmix *z)
{
	for (uint64_t i = 0; i < z->hot; i++) {
		map_new_page(hot_page(i));
		zipmix_fill(hot_page(i), ZIPMIX_TEXT, z->seed + 1, i);
		hot_sums[i] = checksum_page(hot_page(i));
	}
	for (uint64_t i = 0; i < z->mix; i++) {
		uint64_t gfn = gpa_to_gfn(map_new_page(mix_page(i))).raw;
		mix_gfns[gfn / 64] |= BIT(gfn % 64);
		zipmix_fill(mix_page(i), (enum zipmix_kind)kinds[i], z->seed, i);
		sums[i] = checksum_page(mix_page(i));
	}
	gpa_t next;
	z->in_use_end = z->memory_bytes; /* no frame free: all are in use */
	if (frame_alloc(&next) == 0) { /* the first free frame: all below are in use */
		z->in_use_end = next.raw;
		frame_free(next);
	}
	/* The stack's guard page is not mapped at its own gva (paging.c), but
	 * entry.S zeroed it with the rest of .bss, so memvisor holds it; a
	 * second mapping lets the hot loop read it, leaving the mix alone cold. */
	int err = guest_map(gva_of(GUARD_GVA), gpa_of((uintptr_t)guest_stack_guard), 0);
	if (err)
		guest_die("zipmix", "guest_map of the stack guard", err);
}

/* One pass of the hot loop: a read of every page in use but the mix. */
static void touch_all_but_mix(const struct zipmix *z)
{
	for (uint64_t gpa = (uintptr_t)_guest_image_start; gpa < (uintptr_t)_guest_image_end; gpa += PAGE_SIZE)
		if (gpa != (uintptr_t)guest_stack_guard) /* unmapped on purpose */
			(void)*(volatile uint64_t *)(uintptr_t)gpa;
	for (uint64_t gpa = (uintptr_t)_guest_image_end; gpa < z->in_use_end; gpa += PAGE_SIZE)
		if (!is_mix(gpa >> PAGE_SHIFT))
			(void)*(volatile uint64_t *)(uintptr_t)gpa;
	(void)*(volatile uint64_t *)(uintptr_t)GUARD_GVA;
}

static void hot_loop(const struct zipmix *z)
{
	uint64_t passes = 0, start = rdtsc(), end = start + z->hot_ms * z->tsc_khz;
	do {
		touch_all_but_mix(z);
		passes++;
	} while (z->tsc_khz ? rdtsc() < end : passes < z->hot_ms);
	uint64_t ms = z->tsc_khz ? (rdtsc() - start) / z->tsc_khz : 0;
	guest_printf("zipmix: hot loop: %llu passes over every page but the mix in %llu ms\n",
		     (unsigned long long)passes, (unsigned long long)ms);
}

static void mark(uint64_t n)
{
	hc_call(HC_MARK, n, 0, 0, 0); /* standalone: -HC_E_NOSYS, nothing happens */
}

/* Reads back the mix pages that are (or are not) storable; mismatches. */
static uint64_t read_back(const struct zipmix *z, bool storable, uint64_t *pages)
{
	uint64_t bad = 0;
	*pages = 0;
	for (uint64_t i = 0; i < z->mix; i++) {
		if (zipmix_storable((enum zipmix_kind)kinds[i]) != storable)
			continue;
		(*pages)++;
		if (checksum_page(mix_page(i)) != sums[i]) {
			bad++;
			guest_printf("zipmix: MISMATCH mix page %llu (%s)\n", (unsigned long long)i,
				     zipmix_kind_name((enum zipmix_kind)kinds[i]));
		}
	}
	return bad;
}

/* Steps 4 and 5: returns the pages whose checksum did not match. */
static uint64_t verify_all(const struct zipmix *z)
{
	uint64_t pages, start = rdtsc(), bad = read_back(z, true, &pages);
	uint64_t us = z->tsc_khz ? (rdtsc() - start) * US_PER_MS / z->tsc_khz : 0;
	guest_printf("zipmix: read back %llu compressible and same-filled pages in %llu us, mismatches %llu\n",
		     (unsigned long long)pages, (unsigned long long)us, (unsigned long long)bad);
	uint64_t random_bad = read_back(z, false, &pages);
	guest_printf("zipmix: read back %llu incompressible pages, mismatches %llu\n", (unsigned long long)pages,
		     (unsigned long long)random_bad);
	mark(3);
	uint64_t hot_bad = 0;
	for (uint64_t i = 0; i < z->hot; i++)
		hot_bad += checksum_page(hot_page(i)) != hot_sums[i];
	return bad + random_bad + hot_bad;
}

static void parse(struct zipmix *z, const struct guest_env *env)
{
	static const char *const known[] = { "compressible", "incompressible", "same", "hot", "hot_ms", "seed", NULL };
	guest_args_check(env, known);
	uint64_t compressible = guest_arg_u64(env, "compressible", 256);
	uint64_t random = guest_arg_u64(env, "incompressible", 64), same = guest_arg_u64(env, "same", 64);
	z->hot = guest_arg_u64(env, "hot", 32);
	z->hot_ms = guest_arg_u64(env, "hot_ms", 300);
	z->seed = guest_arg_u64(env, "seed", env->vm_id);
	z->tsc_khz = env->tsc_khz;
	z->memory_bytes = env->memory_bytes;
	z->mix = compressible + random + same;
	if (z->mix > ZIPMIX_PAGES_MAX || z->hot > ZIPMIX_PAGES_MAX || env->memory_bytes > ZIPMIX_MEMORY_MAX ||
	    z->mix + z->hot + z->mix / 256 + 16 > frame_count_free()) {
		guest_printf("zipmix: %llu mix and %llu hot pages do not fit (at most %u each, %llu frames free, "
			     "at most %llu MiB of memory)\n", (unsigned long long)z->mix, (unsigned long long)z->hot,
			     ZIPMIX_PAGES_MAX, (unsigned long long)frame_count_free(),
			     (unsigned long long)(ZIPMIX_MEMORY_MAX / MiB));
		guest_exit(GUEST_EXIT_USAGE);
	}
	plan_kinds(z, compressible, random, same);
	z->counts[ZIPMIX_RANDOM] = random, z->counts[ZIPMIX_SAME] = same;
}

int main(const struct guest_env *env)
{
	struct zipmix z = { 0 };
	parse(&z, env);
	make_pages(&z);
	guest_printf("zipmix: made %llu compressible (%llu text, %llu records), %llu incompressible, %llu same-filled "
		     "pages and %llu hot pages\n", (unsigned long long)(z.counts[ZIPMIX_TEXT] + z.counts[ZIPMIX_RECORDS]),
		     (unsigned long long)z.counts[ZIPMIX_TEXT], (unsigned long long)z.counts[ZIPMIX_RECORDS],
		     (unsigned long long)z.counts[ZIPMIX_RANDOM], (unsigned long long)z.counts[ZIPMIX_SAME],
		     (unsigned long long)z.hot);
	hot_loop(&z);
	mark(1);
	touch_all_but_mix(&z);
	mark(2);
	uint64_t bad = verify_all(&z);
	guest_printf("zipmix: verified %llu pages, mismatches %llu\n", (unsigned long long)(z.mix + z.hot),
		     (unsigned long long)bad);
	return bad ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
