/* vmm/mm/frame_table.h — one entry per machine frame given to guests: its
 * reference count and reverse map, the (VM, gfn) pairs that point at it
 * (docs/memory-words.md). Sharing and reclamation start from a frame and must find
 * every PMAP entry that names it; the reverse map is how.
 *
 *   frames[mfn] ─► { refcount, head } ─► rmap[head] ─► rmap[next] ─► ... ─► RMAP_NONE
 *                                         (vm, gfn)      (vm, gfn)
 *
 * Pure code over caller-provided storage (tests/unit runs it hosted).
 */
#ifndef MEMVISOR_VMM_FRAME_TABLE_H
#define MEMVISOR_VMM_FRAME_TABLE_H

#include "kernel/types.h"

#define RMAP_NONE 0xffffffffu

struct frame_info {
	uint32_t refcount;  /* PMAP entries naming this frame           */
	uint32_t rmap_head; /* first reverse-map entry, or RMAP_NONE    */
};

struct rmap_entry {
	uint32_t vm_id;
	uint32_t next; /* next entry of the same frame (or of the free list) */
	uint64_t gfn;
};

struct frame_table {
	struct frame_info *frames;
	uint64_t nframes;
	struct rmap_entry *rmap;
	uint32_t rmap_size;
	uint32_t rmap_free; /* head of the free list */
	uint32_t rmap_used;
};

void frame_table_init(struct frame_table *ft, struct frame_info *frames, uint64_t nframes,
		      struct rmap_entry *rmap, uint32_t rmap_size);

/* Adds (vm_id, gfn) as a user of `frame`: refcount + 1. Returns 0,
 * -E_RANGE (no such frame), -E_EXISTS (already a user) or -E_NO_MEMORY. */
int frame_table_add_user(struct frame_table *ft, mfn_t frame, uint32_t vm_id, gfn_t gfn);
/* Removes it: refcount - 1. Returns the new refcount, or -E_RANGE /
 * -E_NOT_FOUND when (vm_id, gfn) was not a user. */
int frame_table_remove_user(struct frame_table *ft, mfn_t frame, uint32_t vm_id, gfn_t gfn);
uint32_t frame_table_refcount(const struct frame_table *ft, mfn_t frame);

/* Calls fn for each user of `frame`; stops early when fn returns false. */
typedef bool (*frame_user_fn)(uint32_t vm_id, gfn_t gfn, void *ctx);
void frame_table_for_each_user(const struct frame_table *ft, mfn_t frame, frame_user_fn fn, void *ctx);
/* Whether (vm_id, gfn) is a user of `frame` (false for no such frame). */
bool frame_table_has_user(const struct frame_table *ft, mfn_t frame, uint32_t vm_id, gfn_t gfn);

#endif
