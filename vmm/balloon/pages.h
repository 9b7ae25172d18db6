/* vmm/balloon/pages.h — what an accepted balloon batch does to the PMAP
 * and the frame table (docs/design.md: "Truth first, cache after,
 * free last"; vmm/hypercall_abi.h §5).
 *
 *   inflate, per gfn:  PRIVATE/SHARED ──► BALLOONED, nested mapping dropped,
 *                      the gfn's reference to its frame dropped
 *                      COMPRESSED ──► BALLOONED, then its compressed copy
 *                      dropped (the guest gave the contents up; the area's
 *                      room and the VM's charge for it go back; no frame)
 *              then:   one flush; then every frame whose last reference
 *                      went is freed. A shared frame other gfns still use
 *                      stays: inflating N pages frees N frames only when
 *                      none of them was shared.
 *   deflate, per gfn:  BALLOONED ──► PRIVATE with a fresh zeroed frame, and
 *                      mapped at once: a guest takes pages back because it
 *                      is about to use them, and a fault per page would
 *                      cost more than the mapping.
 *
 * Frames are freed only after the flush: until then a stale translation
 * could still reach them. Pure code over the PMAP, the frame table and the
 * callbacks below (tests/unit runs it hosted, with a fake allocator).
 * The batch must have passed vmm/balloon/batch.h's checks.
 */
#ifndef MEMVISOR_VMM_BALLOON_PAGES_H
#define MEMVISOR_VMM_BALLOON_PAGES_H

#include "vmm/mm/frame_table.h"
#include "vmm/mm/pmap.h"

/* What the pure code cannot do itself: the nested tables and the
 * machine's frames. ctx is passed back to each. */
struct balloon_ops {
	void *ctx;
	void (*unmap)(void *ctx, gfn_t gfn);        /* drop the cached translation    */
	void (*map)(void *ctx, gfn_t gfn, mfn_t frame); /* cache one (may not: fine)  */
	void (*flush)(void *ctx);                   /* flush this VM's translations   */
	void (*free_frame)(void *ctx, mfn_t frame); /* give a frame back              */
	int (*alloc_frame)(void *ctx, mfn_t *out);  /* a zeroed frame: 0 or -E_*      */
	/* free the copy the entry e (COMPRESSED: in the area; SWAPPED: on the swap disk) named */
	void (*drop_stored)(void *ctx, gfn_t gfn, pmap_entry_t e);
};

struct balloon_inflated {
	uint32_t frames_freed; /* frames whose last reference this batch dropped */
	uint32_t compressed_dropped; /* compressed copies the batch dropped       */
	uint32_t rmap_missing; /* gfns the frame's reverse map did not list: a
	                          broken invariant, never expected            */
};

/* `scratch` holds count entries (the frames to free). */
struct balloon_inflated balloon_inflate_apply(struct pmap *pm, struct frame_table *ft, uint32_t vm_id,
					      const uint64_t *gfns, uint32_t count, const struct balloon_ops *ops,
					      uint64_t *scratch);

/* Allocates all count frames first: if one is missing, frees those it got
 * and returns -E_NO_MEMORY with nothing changed. Else applies the batch
 * and returns 0; *rmap_failed counts the fresh frames the frame table
 * would not record (a broken invariant, never expected). */
int balloon_deflate_apply(struct pmap *pm, struct frame_table *ft, uint32_t vm_id, const uint64_t *gfns,
			  uint32_t count, const struct balloon_ops *ops, uint64_t *scratch, uint32_t *rmap_failed);

#endif
