/* vmm/share/share.h — transparent page sharing, the transitions: merge pages with
 * equal contents into one read-only machine frame, and break the share
 * again when a user writes (copy-on-write). docs/background.md,
 * "Transparent page sharing"; the hint scheme of
 * Waldspurger, OSDI 2002, section 4.2.
 *
 * One page, as the scanner sees it (share_page):
 *
 *   PRIVATE page ─ hash ─► table: nothing ──────────► add a HINT (vm, gfn)
 *                          FRAME F ── equal? ─ yes ─► merge into F
 *                                            └ no ──► collision: stay private
 *                          HINT (o, g) ─ still PRIVATE with that hash?
 *                               no ─► stale: the hint names this page now
 *                               yes ─ equal? ─ yes ─► (o, g) becomes the shared
 *                                                     frame, then merge into it
 *                                            └ no ──► collision
 *
 * Merge of (vm, gfn), private frame f, into shared frame F:
 *   1. PMAP: PRIVATE f ─► SHARED F              (the truth first)
 *   2. frame table: f loses its user, F gains it (refcount, reverse map)
 *   3. nested tables: gfn ─► F read-only, flushed (the cache second)
 *   4. f goes back to the allocator
 * Copy-on-write (share_break), for a write to a SHARED gfn:
 *   other users left ─► a fresh frame, copied; PMAP SHARED F ─► PRIVATE copy
 *   the last user ────► F leaves the table; PMAP SHARED F ─► PRIVATE F
 *   and the nested mapping is dropped, so the next access maps it writable.
 *
 * A hash match alone never shares: page_equal() compares all 4096 bytes
 * first, and a hint is re-hashed (and its PMAP state checked) before it is
 * trusted, because its page may have changed since it was hashed. Zero
 * pages share one zero frame per salt. Only pages whose VMs have the same
 * salt meet in the table (the salt is part of the key).
 *
 * Pure code: it reaches machine frames, the allocator, the PMAPs and the
 * nested tables only through struct share_ops, so tests/unit runs it
 * hosted over plain arrays (vmm/share/ops.c plugs in the real ones).
 */
#ifndef MEMVISOR_VMM_SHARE_H
#define MEMVISOR_VMM_SHARE_H

#include "vmm/mm/frame_table.h"
#include "vmm/mm/pmap.h"
#include "vmm/share/table.h"

struct share_ops {
	void *(*frame_ptr)(mfn_t f);        /* where the frame's bytes are     */
	int (*frame_alloc)(mfn_t *out);     /* 0 or -E_NO_MEMORY               */
	void (*frame_free)(mfn_t f);
	struct pmap *(*pmap_of)(uint32_t vm_id); /* NULL once its memory is gone */
	/* The nested tables, called after the PMAP changed: map gfn to f with
	 * these rights if the cache maps it at all, then flush; or drop it. */
	void (*cache_update)(uint32_t vm_id, gfn_t gfn, mfn_t f, bool writable);
	void (*cache_drop)(uint32_t vm_id, gfn_t gfn);
};

/* Machine-wide counts of what sharing did (per-VM counts: scan.h). */
struct share_totals {
	uint64_t merges;      /* pages merged into a shared frame          */
	uint64_t zero_merges; /* ... of them into a zero frame             */
	uint64_t cow_copies;  /* writes that got a private copy            */
	uint64_t cow_reowns;  /* writes by a frame's last user: made private */
	uint64_t collisions;  /* same hash, different contents             */
	uint64_t stale_hints; /* hints whose page had changed or gone      */
	uint64_t stale_frames;/* frame entries whose frame was taken away  */
	uint64_t hints_purged;/* hints dropped to make room in the table   */
	uint64_t frames;      /* shared frames now                         */
	uint64_t zero_frames; /* of them, zero frames                      */
	uint64_t bugs;        /* PMAP/frame-table calls that failed: a bug */
};

struct share_engine {
	const struct share_ops *ops;
	struct frame_table *ft;
	struct share_table table;
	uint64_t zero_hash; /* page_hash() of a zero page */
	struct share_totals totals;
};

enum share_result {
	SHARE_SKIPPED,     /* not a PRIVATE page: nothing to do             */
	SHARE_HINTED,      /* no other page like it yet: remembered          */
	SHARE_MERGED,      /* it now maps a shared frame                     */
	SHARE_MERGED_ZERO, /* ... the zero frame of its salt                 */
	SHARE_COLLISION,   /* same hash, different contents: left private    */
	SHARE_NO_ROOM,     /* the table is full even without hints           */
	SHARE_BUG,         /* a transition failed (see totals.bugs)          */
};

enum share_break_result {
	SHARE_BREAK_COPIED = 1,  /* the writer got a private copy            */
	SHARE_BREAK_REOWNED = 2, /* the writer was the last user: F is its own */
};

void share_engine_init(struct share_engine *s, const struct share_ops *ops, struct frame_table *ft,
		       struct share_entry *slots, uint32_t nslots);

/* Looks at one page of a VM whose salt is `salt` (see the picture above). */
enum share_result share_page(struct share_engine *s, uint32_t vm_id, uint64_t salt, gfn_t gfn);

/* Copy-on-write for a SHARED gfn: returns SHARE_BREAK_* with the gfn's
 * private frame in *out, or -E_NO_MEMORY (nothing changed) or -E_INVAL
 * (not SHARED). */
int share_break(struct share_engine *s, uint32_t vm_id, uint64_t salt, gfn_t gfn, mfn_t *out);

/* (vm_id, gfn) no longer uses the shared frame f: its PMAP entry was
 * changed or is being torn down (a VM's release, a balloon). The last
 * user's put takes f out of the table and frees it. */
void share_put(struct share_engine *s, uint32_t vm_id, uint64_t salt, gfn_t gfn, mfn_t f);

/* Takes shared frame F (of a VM with this salt) out of the table, e.g.
 * when code outside sharing freed its last user; false if it was not in. */
bool share_drop_frame(struct share_engine *s, uint64_t salt, mfn_t F);

/* The zero frame of `salt`, if there is one now. */
bool share_zero_frame(struct share_engine *s, uint64_t salt, mfn_t *out);

/* The sharing figures of one VM, from its PMAP: pages on its salt's zero
 * frame, and the machine frames its other shared pages save — a page on a
 * frame with r users saves (r - 1) / r of a frame (esxtop's SHRDSVD). */
struct share_figures {
	uint64_t zero;
	uint64_t saved;
};
void share_vm_figures(struct share_engine *s, const struct pmap *pm, uint64_t salt, struct share_figures *out);

#endif
