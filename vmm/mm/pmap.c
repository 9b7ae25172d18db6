/* vmm/mm/pmap.c — PMAP entries and their allowed transitions (see pmap.h). */
#include "vmm/mm/pmap.h"
#include "kernel/errno.h"

static const char *const state_names[PMAP_STATE_COUNT] = {
	"untouched", "private", "shared", "ballooned", "compressed", "swapped",
};

/* allowed[from] has bit `to` set when from → to is a legal transition:
 * exactly the arrows of the picture in pmap.h, each one some caller's.
 * Sharing merges only PRIVATE pages, so nothing becomes SHARED from
 * another state; a touched or deflated ballooned page, and a swapped-in
 * one, become PRIVATE first. A COMPRESSED page may go straight to disk
 * (writeback: decompressed into a buffer, never a frame). A SWAPPED page goes back to PRIVATE
 * (swap-in), to BALLOONED (inflated while on disk: the slot is freed),
 * or to UNTOUCHED, only when its VM is released and the slot freed. */
static const uint8_t allowed[PMAP_STATE_COUNT] = {
	[PMAP_UNTOUCHED] = BIT(PMAP_PRIVATE),
	[PMAP_PRIVATE] = BIT(PMAP_SHARED) | BIT(PMAP_BALLOONED) | BIT(PMAP_COMPRESSED) | BIT(PMAP_SWAPPED),
	[PMAP_SHARED] = BIT(PMAP_PRIVATE) | BIT(PMAP_BALLOONED),
	[PMAP_BALLOONED] = BIT(PMAP_PRIVATE),
	[PMAP_COMPRESSED] = BIT(PMAP_PRIVATE) | BIT(PMAP_BALLOONED) | BIT(PMAP_SWAPPED),
	[PMAP_SWAPPED] = BIT(PMAP_PRIVATE) | BIT(PMAP_BALLOONED) | BIT(PMAP_UNTOUCHED),
};

const char *pmap_state_name(enum pmap_state s)
{
	return s < PMAP_STATE_COUNT ? state_names[s] : "invalid";
}

uint64_t pmap_storage_bytes(uint64_t npages)
{
	return npages * sizeof(pmap_entry_t);
}

void pmap_init(struct pmap *pm, pmap_entry_t *storage, uint64_t npages)
{
	pm->entries = storage;
	pm->npages = npages;
	for (uint64_t i = 0; i < npages; i++)
		storage[i].raw = PMAP_UNTOUCHED;
	for (int s = 0; s < PMAP_STATE_COUNT; s++)
		pm->count[s] = 0;
	pm->count[PMAP_UNTOUCHED] = npages;
}

int pmap_get(const struct pmap *pm, gfn_t gfn, pmap_entry_t *out)
{
	if (gfn.raw >= pm->npages)
		return -E_RANGE;
	*out = pm->entries[gfn.raw];
	return 0;
}

static int transition(struct pmap *pm, gfn_t gfn, enum pmap_state to, uint64_t raw)
{
	if (gfn.raw >= pm->npages)
		return -E_RANGE;
	enum pmap_state from = pmap_entry_state(pm->entries[gfn.raw]);
	if (!(allowed[from] & BIT(to)))
		return -E_INVAL;
	pm->count[from]--;
	pm->count[to]++;
	pm->entries[gfn.raw].raw = raw | to;
	return 0;
}

int pmap_set_private(struct pmap *pm, gfn_t gfn, mfn_t frame)
{
	return transition(pm, gfn, PMAP_PRIVATE, (frame.raw << PMAP_MFN_SHIFT) & PMAP_MFN_MASK);
}

int pmap_set_shared(struct pmap *pm, gfn_t gfn, mfn_t frame)
{
	return transition(pm, gfn, PMAP_SHARED, (frame.raw << PMAP_MFN_SHIFT) & PMAP_MFN_MASK);
}

int pmap_set_ballooned(struct pmap *pm, gfn_t gfn)
{
	return transition(pm, gfn, PMAP_BALLOONED, 0);
}

int pmap_set_compressed(struct pmap *pm, gfn_t gfn, uint64_t handle)
{
	return transition(pm, gfn, PMAP_COMPRESSED, handle << PMAP_HANDLE_SHIFT);
}

int pmap_set_swapped(struct pmap *pm, gfn_t gfn, uint64_t slot)
{
	return transition(pm, gfn, PMAP_SWAPPED, slot << PMAP_HANDLE_SHIFT);
}

int pmap_release_swapped(struct pmap *pm, gfn_t gfn)
{
	return transition(pm, gfn, PMAP_UNTOUCHED, 0);
}

int pmap_move_compressed(struct pmap *pm, gfn_t gfn, uint64_t handle)
{
	if (gfn.raw >= pm->npages)
		return -E_RANGE;
	if (pmap_entry_state(pm->entries[gfn.raw]) != PMAP_COMPRESSED)
		return -E_INVAL;
	pm->entries[gfn.raw].raw = handle << PMAP_HANDLE_SHIFT | PMAP_COMPRESSED;
	return 0;
}
