/* vmm/mm/pmap.h — the PMAP: per VM, where each guest frame's contents live now.
 *
 * docs/memory-words.md: the PMAP is the truth; the nested page tables are a cache
 * of it that may be dropped and rebuilt from it at any time. Every memory
 * technique is "change the PMAP entry, then fix the cached translation".
 *
 * One 64-bit entry per gfn (pure code; tests/unit runs it hosted):
 *
 *   63                  52 51                        12 11      4 3    0
 *  +----------------------+----------------------------+---------+------+
 *  |       (zero)         |  mfn (PRIVATE or SHARED)    | (zero)  |state |
 *  +----------------------+----------------------------+---------+------+
 *  |                 swap-area handle (COMPRESSED)                |state |
 *  +--------------------------------------------------------------+------+
 *  |                 swap-disk slot (SWAPPED)                     |state |
 *  +--------------------------------------------------------------+------+
 *
 * The transitions the setters allow (pmap.c), each with who makes it:
 *
 *   UNTOUCHED ──first touch (mm/memory.c)──► PRIVATE
 *
 *   PRIVATE ──merge (share/share.c)──────────► SHARED
 *   PRIVATE ◄─copy-on-write (share/share.c)── SHARED
 *   PRIVATE ──compress (zswap/zswap.c)───────► COMPRESSED
 *   PRIVATE ◄─swap-in (zswap/zswap.c)──────── COMPRESSED
 *   PRIVATE ──swap out (swap/swap.c)─────────► SWAPPED
 *   PRIVATE ◄─swap-in (swap/swap.c)────────── SWAPPED
 *   COMPRESSED ──writeback (swap/swap.c)─────► SWAPPED
 *   PRIVATE ◄─deflate, touch (balloon/)─────── BALLOONED
 *   PRIVATE, SHARED, COMPRESSED, SWAPPED ──inflate (balloon/pages.c)──► BALLOONED
 *   UNTOUCHED ◄─release of the VM (swap/swap.c)── SWAPPED
 *
 * Only a released VM's SWAPPED entries go back to UNTOUCHED (the slot
 * freed, nothing left behind), and nothing becomes SHARED but a
 * PRIVATE page. pmap_move_compressed() changes a COMPRESSED entry's
 * handle, not its state (compaction).
 */
#ifndef MEMVISOR_VMM_PMAP_H
#define MEMVISOR_VMM_PMAP_H

#include "kernel/types.h"

enum pmap_state {
	PMAP_UNTOUCHED = 0,  /* never used: no machine memory behind it     */
	PMAP_PRIVATE = 1,    /* in a machine frame of its own               */
	PMAP_SHARED = 2,     /* in a machine frame other gfns also map      */
	PMAP_BALLOONED = 3,  /* handed back by the guest's balloon driver   */
	PMAP_COMPRESSED = 4, /* stored in the compressed swap area          */
	PMAP_SWAPPED = 5,    /* written to a slot of the swap disk          */
	PMAP_STATE_COUNT
};

typedef struct {
	uint64_t raw;
} pmap_entry_t;

#define PMAP_STATE_MASK 0xfull
#define PMAP_MFN_SHIFT 12
#define PMAP_MFN_MASK 0x000ffffffffff000ull
#define PMAP_HANDLE_SHIFT 4

struct pmap {
	pmap_entry_t *entries;
	uint64_t npages;
	uint64_t count[PMAP_STATE_COUNT]; /* entries in each state */
};

static inline enum pmap_state pmap_entry_state(pmap_entry_t e) { return (enum pmap_state)(e.raw & PMAP_STATE_MASK); }
static inline mfn_t pmap_entry_mfn(pmap_entry_t e) { return mfn((e.raw & PMAP_MFN_MASK) >> PMAP_MFN_SHIFT); }
static inline uint64_t pmap_entry_handle(pmap_entry_t e) { return e.raw >> PMAP_HANDLE_SHIFT; }
static inline bool pmap_entry_has_frame(pmap_entry_t e)
{
	return pmap_entry_state(e) == PMAP_PRIVATE || pmap_entry_state(e) == PMAP_SHARED;
}

const char *pmap_state_name(enum pmap_state s);

/* `storage` holds npages entries; all start UNTOUCHED. */
void pmap_init(struct pmap *pm, pmap_entry_t *storage, uint64_t npages);
/* Bytes of storage for npages entries. */
uint64_t pmap_storage_bytes(uint64_t npages);

/* Returns 0 and the entry, or -E_RANGE for a gfn outside the VM. */
int pmap_get(const struct pmap *pm, gfn_t gfn, pmap_entry_t *out);

/* Each setter checks the transition is one the design allows and returns
 * -E_INVAL (changing nothing) when it is not, -E_RANGE for a bad gfn. */
int pmap_set_private(struct pmap *pm, gfn_t gfn, mfn_t frame);
int pmap_set_shared(struct pmap *pm, gfn_t gfn, mfn_t frame);
int pmap_set_ballooned(struct pmap *pm, gfn_t gfn);
int pmap_set_compressed(struct pmap *pm, gfn_t gfn, uint64_t handle);
int pmap_set_swapped(struct pmap *pm, gfn_t gfn, uint64_t slot);
static inline uint64_t pmap_entry_slot(pmap_entry_t e) { return e.raw >> PMAP_HANDLE_SHIFT; }
/* SWAPPED → UNTOUCHED: only as the VM is released, its slot freed. */
int pmap_release_swapped(struct pmap *pm, gfn_t gfn);
/* A COMPRESSED gfn whose object moved (compaction): the new handle, same
 * state. -E_INVAL when the gfn is not COMPRESSED, -E_RANGE for a bad gfn. */
int pmap_move_compressed(struct pmap *pm, gfn_t gfn, uint64_t handle);

#endif
