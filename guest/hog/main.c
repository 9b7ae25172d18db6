/* guest/hog/main.c — a greedy guest: fills touch=SIZE of its memory with
 * random (incompressible) data and then loops over it for ms=N of TSC
 * time (at least once), checking and rewriting every page, so that it
 * holds as much memory as it can and none of it compresses. With balloon=lie it runs a balloon driver of
 * its own that reports all its memory free but never inflates: the
 * policy's balloon targets get it nowhere.
 *
 * It shows whom memvisor stops when memory runs out: a VM whose own
 * demand cannot be met (this one), never a VM beside it whose working set
 * fits in its share (README: isolation). It checks its own data as it
 * goes — a page that came back changed is a failure (exit 1).
 */
#include "guest.h"
#include "kernel/io.h"

const char guest_image_name[] = "hog";

#define HOG_GVA 0x0000400000000000ull /* PML4 slot 128, as memtest */
#define DEFAULT_MS 2000
#define WORDS (PAGE_SIZE / sizeof(uint64_t))
#define HOG_SLACK_PAGES 16 /* left to the runtime (page tables, stack) */
#define LIE_EVERY 64       /* pages between two lying reports       */

enum balloon_mode { BALLOON_NONE, BALLOON_LIE };
static const char *const balloon_modes[] = { "none", "lie", NULL };

static uint64_t *page_at(uint64_t i)
{
	return (uint64_t *)(uintptr_t)(HOG_GVA + i * PAGE_SIZE);
}

/* The seed of page i's contents in round r: every page, every round differs. */
static uint64_t page_seed(uint64_t seed, uint64_t i, uint64_t r)
{
	return (seed * SPLITMIX64_GAMMA) ^ (i << 24) ^ (r << 1) ^ 1;
}

static void fill(uint64_t i, uint64_t s)
{
	uint64_t *p = page_at(i);
	for (uint64_t w = 0; w < WORDS; w++)
		p[w] = s = xorshift64(s);
}

static bool intact(uint64_t i, uint64_t s)
{
	const uint64_t *p = page_at(i);
	for (uint64_t w = 0; w < WORDS; w++)
		if (p[w] != (s = xorshift64(s)))
			return false;
	return true;
}

/* The lying driver: "all my pages are free", and no inflate ever. */
static void lie_to_the_balloon(uint64_t pages)
{
	hc_call(HC_BALLOON_STATS, pages, pages, 0, 0);
}

/* Maps up to `want` pages at HOG_GVA; returns how many it got. */
static uint64_t map_pages(uint64_t want)
{
	uint64_t n = 0;
	for (gpa_t frame; n < want && frame_count_free() > HOG_SLACK_PAGES && !frame_alloc(&frame); n++)
		if (guest_map(gva_of(HOG_GVA + n * PAGE_SIZE), frame, PTE_WRITE)) {
			frame_free(frame);
			break;
		}
	return n;
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "touch", "ms", "balloon", "seed", NULL };
	guest_args_check(env, known);
	uint64_t ms = guest_arg_u64(env, "ms", DEFAULT_MS);
	uint64_t seed = guest_arg_u64(env, "seed", env->vm_id);
	bool lie = guest_arg_choice(env, "balloon", balloon_modes) == BALLOON_LIE;
	uint64_t pages = map_pages(guest_arg_u64(env, "touch", env->memory_bytes) / PAGE_SIZE);
	if (!env->tsc_khz) {
		guest_printf("hog: needs memvisor's TSC rate\n");
		return GUEST_EXIT_USAGE;
	}
	guest_printf("hog: %llu pages of random data, rewritten for %llu ms%s\n", (unsigned long long)pages,
		     (unsigned long long)ms, lie ? ", lying to the balloon" : "");
	for (uint64_t i = 0; i < pages; i++) {
		fill(i, page_seed(seed, i, 0));
		if (lie && i % LIE_EVERY == 0)
			lie_to_the_balloon(pages);
	}
	/* At least one round, so every page is checked once however long
	 * the VM waited between the fill and here (a wait for memory, or the
	 * other VMs' slices, can outlast ms= of TSC time). */
	uint64_t end = rdtsc() + ms * env->tsc_khz, r = 1, damaged = 0;
	do {
		for (uint64_t i = 0; i < pages; i++) {
			if (!intact(i, page_seed(seed, i, r - 1)) && damaged++ < 10)
				guest_printf("hog: page %llu changed behind its back\n", (unsigned long long)i);
			fill(i, page_seed(seed, i, r));
			if (lie && i % LIE_EVERY == 0)
				lie_to_the_balloon(pages);
		}
		r++;
	} while (rdtsc() < end);
	guest_printf("hog: %llu rounds over %llu pages, %llu damaged\n", (unsigned long long)(r - 1),
		     (unsigned long long)pages, (unsigned long long)damaged);
	return damaged ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
