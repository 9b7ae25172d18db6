/* vmm/balloon/pages.c — applying an accepted balloon batch (see
 * pages.h). */
#include "vmm/balloon/pages.h"
#include "kernel/errno.h"
#include "kernel/lab.h"

struct balloon_inflated balloon_inflate_apply(struct pmap *pm, struct frame_table *ft, uint32_t vm_id,
					      const uint64_t *gfns, uint32_t count, const struct balloon_ops *ops,
					      uint64_t *scratch)
{
	/* LAB 4.3 balloon: design it. Each gfn of an accepted batch becomes
	 * BALLOONED and gives back what it held, exactly once: a mapped page
	 * its translation and its reference to its frame (a frame is freed
	 * when its last reference goes), a COMPRESSED or SWAPPED page its
	 * stored copy. The PMAP first, then the cache; one flush; no frame
	 * freed before it. Count in the result what went. Specification and
	 * invariants: docs/labs/4-balloon.md, "Exercise 4.3". */
	struct balloon_inflated r = { 0, 0, 0 };
	for (uint32_t i = 0; i < count; i++) {
		gfn_t gfn = { gfns[i] };
		pmap_entry_t e;
		pmap_get(pm, gfn, &e);
		if (pmap_entry_state(e) == PMAP_COMPRESSED || pmap_entry_state(e) == PMAP_SWAPPED) {
			/* Not mapped, no frame: the PMAP stops naming the copy,
			 * then the copy goes (as a swap-in frees it last). */
			pmap_set_ballooned(pm, gfn);
			ops->drop_stored(ops->ctx, gfn, e);
			r.compressed_dropped += pmap_entry_state(e) == PMAP_COMPRESSED;
			continue;
		}
		mfn_t frame = pmap_entry_mfn(e);
		pmap_set_ballooned(pm, gfn); /* the truth first ...              */
		ops->unmap(ops->ctx, gfn);   /* ... then the cache of it          */
		int users = frame_table_remove_user(ft, frame, vm_id, gfn);
		if (users < 0)
			r.rmap_missing++;
		else if (users == 0)
			scratch[r.frames_freed++] = frame.raw;
	}
	ops->flush(ops->ctx);
	for (uint32_t i = 0; i < r.frames_freed; i++)
		ops->free_frame(ops->ctx, mfn(scratch[i]));
	return r;
	/* LAB 4.3 end. The skeleton has instead:
	 *	(void)pm, (void)ft, (void)vm_id, (void)gfns, (void)count, (void)ops, (void)scratch;
	 *	LAB_TODO("balloon", "balloon_inflate_apply");
	 *	return (struct balloon_inflated){ 0, 0, 0 };
	 */
}

int balloon_deflate_apply(struct pmap *pm, struct frame_table *ft, uint32_t vm_id, const uint64_t *gfns,
			  uint32_t count, const struct balloon_ops *ops, uint64_t *scratch, uint32_t *rmap_failed)
{
	for (uint32_t i = 0; i < count; i++) {
		mfn_t frame;
		if (ops->alloc_frame(ops->ctx, &frame)) {
			while (i-- > 0)
				ops->free_frame(ops->ctx, mfn(scratch[i]));
			return -E_NO_MEMORY;
		}
		scratch[i] = frame.raw;
	}
	*rmap_failed = 0;
	for (uint32_t i = 0; i < count; i++) {
		gfn_t gfn = { gfns[i] };
		pmap_set_private(pm, gfn, mfn(scratch[i]));
		if (frame_table_add_user(ft, mfn(scratch[i]), vm_id, gfn))
			(*rmap_failed)++;
		ops->map(ops->ctx, gfn, mfn(scratch[i]));
	}
	return 0;
}
