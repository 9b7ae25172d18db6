/* vmm/balloon/pages.c — applying an accepted balloon batch (see
 * pages.h). */
#include "vmm/balloon/pages.h"
#include "kernel/errno.h"

struct balloon_inflated balloon_inflate_apply(struct pmap *pm, struct frame_table *ft, uint32_t vm_id,
					      const uint64_t *gfns, uint32_t count, const struct balloon_ops *ops,
					      uint64_t *scratch)
{
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
