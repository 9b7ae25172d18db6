/* guest/workset/live.c — the workset's live pages (see live.h).
 * Contents: 512 words from Marsaglia's xorshift64 (13, 7, 17; "Xorshift
 * RNGs", J. Stat. Software 2003), started from a hash of (seed, page,
 * generation), so every rewrite gives the page new contents. */
#include "live.h"

#define MISMATCH_LINES_MAX 10

static uint64_t mismatch_lines;

static volatile uint64_t *page_at(uint64_t i)
{
	return (volatile uint64_t *)(uintptr_t)(LIVE_GVA + i * PAGE_SIZE);
}

static uint64_t start_state(uint64_t seed, uint64_t index, uint64_t gen)
{
	uint64_t x = (seed * SPLITMIX64_GAMMA) ^ (index * SPLITMIX64_GAMMA * SPLITMIX64_GAMMA) ^ (gen + 1) * SPLITMIX64_GAMMA;
	x ^= x >> 29;
	return x | 1; /* xorshift's state must not be 0 */
}

/* Fills page i with contents number `gen`; returns their checksum. */
static uint64_t fill(struct live *l, uint64_t i, uint64_t gen)
{
	return checksum_fill_xorshift(page_at(i), start_state(l->seed, i, gen));
}

int live_init(struct live *l, uint64_t capacity, uint64_t seed)
{
	*l = (struct live){ .capacity = capacity, .seed = seed, .sums = (volatile uint64_t *)(uintptr_t)LIVE_SUMS_GVA };
	if (!capacity)
		return 0;
	return demand_region_add(gva_of(LIVE_SUMS_GVA), ALIGN_UP(capacity * sizeof(uint64_t), PAGE_SIZE));
}

int live_add(struct live *l)
{
	if (l->pages == l->capacity)
		return -E_RANGE;
	gpa_t frame;
	int err = frame_alloc(&frame);
	if (!err)
		err = guest_map(gva_of_ptr(page_at(l->pages)), frame, PTE_WRITE);
	if (err)
		return err;
	l->sums[l->pages] = fill(l, l->pages, l->generation);
	l->pages++;
	return 0;
}

static void report_mismatch(uint64_t i, uint64_t expected, uint64_t seen)
{
	if (mismatch_lines++ >= MISMATCH_LINES_MAX)
		return;
	gpa_t gpa = gpa_of(0);
	guest_virt_to_phys(gva_of_ptr(page_at(i)), &gpa);
	guest_printf("workset: MISMATCH page %llu (gpa 0x%llx) expected 0x%016llx seen 0x%016llx\n",
		     (unsigned long long)i, (unsigned long long)gpa.raw, (unsigned long long)expected,
		     (unsigned long long)seen);
}

bool live_touch(struct live *l, uint64_t i, bool rewrite)
{
	uint64_t seen = checksum_page(page_at(i));
	bool ok = seen == l->sums[i];
	if (!ok)
		report_mismatch(i, l->sums[i], seen);
	if (rewrite)
		l->sums[i] = fill(l, i, ++l->generation);
	return ok;
}

uint64_t live_verify(struct live *l)
{
	uint64_t bad = 0;
	for (uint64_t i = 0; i < l->pages; i++)
		bad += !live_touch(l, i, false);
	return bad;
}
