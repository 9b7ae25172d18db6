/* vmm/mm/guest_frames.h — the guests' frame budget: every machine frame that
 * holds guest contents is taken here against the budget guest_mem= sets
 * (docs/design.md, "Memory states and the policy": the policy's free
 * memory is budget - charged). PMAPs, nested tables and VMCBs are
 * memvisor's own overhead and not counted.
 *
 *   charged = used (frames holding guest pages) + zswap_pages (the
 *             compressed swap area's pages in use, which zswap reports)
 *
 * A compressed page thus costs its share of a zspage, not nothing:
 * compression frees about half a frame per page, as it should. The budget
 * calls nothing above it; the layers above tell it what they hold. */
#ifndef MEMVISOR_VMM_MM_GUEST_FRAMES_H
#define MEMVISOR_VMM_MM_GUEST_FRAMES_H

#include "kernel/types.h"

struct guest_frames {
	uint64_t budget;      /* frames the guests may hold in all         */
	uint64_t used;        /* frames they hold now                      */
	uint64_t zswap_pages; /* pages of the swap area in use, as reported */
};
extern struct guest_frames guest_frames;

/* What counts against the budget: used + zswap_pages. */
uint64_t guest_frames_charged(void);
/* How many more frames may be charged: the budget less what is charged
 * (0 when over it). */
uint64_t guest_frames_free_count(void);
/* zswap: its area now has `pages` pages in zspages (after every store,
 * drop and compaction). */
void guest_frames_report_zswap(uint64_t pages);

/* Every frame that will hold guest contents comes from here, zeroed.
 * Returns 0, or -E_NO_MEMORY when the budget (or the machine) is spent. */
int vm_frame_alloc(mfn_t *out);
/* Gives a guest frame back to the machine. The caller has taken it out of
 * every table that named it (PMAP, frame table, sharing's table). */
void vm_frame_free(mfn_t f);

#endif
