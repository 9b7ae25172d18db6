/* vmm/mm/frame_table.c — reference counts and reverse maps (see frame_table.h). */
#include "vmm/mm/frame_table.h"
#include "kernel/errno.h"

void frame_table_init(struct frame_table *ft, struct frame_info *frames, uint64_t nframes,
		      struct rmap_entry *rmap, uint32_t rmap_size)
{
	ft->frames = frames;
	ft->nframes = nframes;
	ft->rmap = rmap;
	ft->rmap_size = rmap_size;
	ft->rmap_used = 0;
	for (uint64_t f = 0; f < nframes; f++)
		frames[f] = (struct frame_info){ 0, RMAP_NONE };
	for (uint32_t i = 0; i < rmap_size; i++)
		rmap[i].next = i + 1 < rmap_size ? i + 1 : RMAP_NONE;
	ft->rmap_free = rmap_size ? 0 : RMAP_NONE;
}

static bool is_user(const struct rmap_entry *r, uint32_t vm_id, gfn_t gfn)
{
	return r->vm_id == vm_id && r->gfn == gfn.raw;
}

int frame_table_add_user(struct frame_table *ft, mfn_t frame, uint32_t vm_id, gfn_t gfn)
{
	if (frame.raw >= ft->nframes)
		return -E_RANGE;
	struct frame_info *fi = &ft->frames[frame.raw];
	for (uint32_t i = fi->rmap_head; i != RMAP_NONE; i = ft->rmap[i].next)
		if (is_user(&ft->rmap[i], vm_id, gfn))
			return -E_EXISTS;
	if (ft->rmap_free == RMAP_NONE)
		return -E_NO_MEMORY;
	uint32_t slot = ft->rmap_free;
	ft->rmap_free = ft->rmap[slot].next;
	ft->rmap[slot] = (struct rmap_entry){ vm_id, fi->rmap_head, gfn.raw };
	fi->rmap_head = slot;
	fi->refcount++;
	ft->rmap_used++;
	return 0;
}

int frame_table_remove_user(struct frame_table *ft, mfn_t frame, uint32_t vm_id, gfn_t gfn)
{
	if (frame.raw >= ft->nframes)
		return -E_RANGE;
	struct frame_info *fi = &ft->frames[frame.raw];
	for (uint32_t *link = &fi->rmap_head; *link != RMAP_NONE; link = &ft->rmap[*link].next) {
		uint32_t slot = *link;
		if (!is_user(&ft->rmap[slot], vm_id, gfn))
			continue;
		*link = ft->rmap[slot].next;
		ft->rmap[slot].next = ft->rmap_free;
		ft->rmap_free = slot;
		ft->rmap_used--;
		return (int)--fi->refcount;
	}
	return -E_NOT_FOUND;
}

uint32_t frame_table_refcount(const struct frame_table *ft, mfn_t frame)
{
	return frame.raw < ft->nframes ? ft->frames[frame.raw].refcount : 0;
}

void frame_table_for_each_user(const struct frame_table *ft, mfn_t frame, frame_user_fn fn, void *ctx)
{
	if (frame.raw >= ft->nframes)
		return;
	for (uint32_t i = ft->frames[frame.raw].rmap_head; i != RMAP_NONE; i = ft->rmap[i].next)
		if (!fn(ft->rmap[i].vm_id, (gfn_t){ ft->rmap[i].gfn }, ctx))
			return;
}

bool frame_table_has_user(const struct frame_table *ft, mfn_t frame, uint32_t vm_id, gfn_t gfn)
{
	if (frame.raw >= ft->nframes)
		return false;
	for (uint32_t i = ft->frames[frame.raw].rmap_head; i != RMAP_NONE; i = ft->rmap[i].next)
		if (ft->rmap[i].vm_id == vm_id && ft->rmap[i].gfn == gfn.raw)
			return true;
	return false;
}
