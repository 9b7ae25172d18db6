/* vmm/share/share.c — merge and copy-on-write transitions of page sharing (see
 * share.h for the picture). Every change goes PMAP first, then the frame
 * table, then the nested-table cache, and only then frees a frame. */
#include "vmm/share/share.h"
#include "vmm/share/page_hash.h"
#include "kernel/errno.h"
#include "kernel/lab.h"
#include "kernel/string.h"

/* Fixed point for the fractional frames a VM's shared pages save. */
#define SAVED_SHIFT 16

/* Whether a PMAP or frame-table call did what the design says it always
 * does; when not, counts the bug (the kernel panics on it) and the caller
 * returns at once. */
static bool share_ok(struct share_engine *s, bool ok)
{
	if (!ok)
		s->totals.bugs++;
	return ok;
}

void share_engine_init(struct share_engine *s, const struct share_ops *ops, struct frame_table *ft,
		       struct share_entry *slots, uint32_t nslots)
{
	static const uint64_t zeros[PAGE_SIZE / sizeof(uint64_t)];
	s->ops = ops;
	s->ft = ft;
	share_table_init(&s->table, slots, nslots);
	s->zero_hash = page_hash(zeros);
	s->totals = (struct share_totals){ 0 };
}

/* The table key of a page's contents: zero pages all use zero_hash. */
static uint64_t content_hash(const struct share_engine *s, const void *page, bool *zero)
{
	*zero = page_is_zero(page);
	return *zero ? s->zero_hash : page_hash(page);
}

/* (vm_id, gfn), private on frame f, moves to the shared frame F. */
static enum share_result merge_into(struct share_engine *s, uint32_t vm_id, struct pmap *pm, gfn_t gfn, mfn_t f,
				    mfn_t F, bool zero)
{
	/* LAB 3.1 sharing: the truth first, the cache after, the free last.
	 * The PMAP entry becomes SHARED on F; the frame table moves the user
	 * from f to F; the cached translation is replaced by a read-only one
	 * (a write must fault: copy-on-write); only then is f freed. Count the
	 * merge in s->totals. A PMAP or frame-table call that fails is a bug:
	 * if (!share_ok(s, ok)) return SHARE_BUG. */
	if (!share_ok(s, pmap_set_shared(pm, gfn, F) == 0))
		return SHARE_BUG;
	if (!share_ok(s, frame_table_remove_user(s->ft, f, vm_id, gfn) == 0))
		return SHARE_BUG;
	if (!share_ok(s, frame_table_add_user(s->ft, F, vm_id, gfn) == 0))
		return SHARE_BUG;
	s->ops->cache_update(vm_id, gfn, F, false);
	s->ops->frame_free(f);
	s->totals.merges++;
	s->totals.zero_merges += zero;
	return zero ? SHARE_MERGED_ZERO : SHARE_MERGED;
	/* LAB 3.1 end. The skeleton has instead:
	 *	(void)s, (void)vm_id, (void)pm, (void)gfn, (void)f, (void)F, (void)zero;
	 *	LAB_TODO("sharing", "merge_into");
	 *	return SHARE_SKIPPED;
	 */
}

static enum share_result add_hint(struct share_engine *s, uint64_t hash, uint64_t salt, uint32_t vm_id, gfn_t gfn)
{
	if (share_table_add_hint(&s->table, hash, salt, vm_id, gfn))
		return SHARE_HINTED;
	s->totals.hints_purged += share_table_purge_hints(&s->table);
	return share_table_add_hint(&s->table, hash, salt, vm_id, gfn) ? SHARE_HINTED : SHARE_NO_ROOM;
}

/* The hint's page, if it is still PRIVATE and still hashes to the hint's
 * key: a hint is only what the page held when the scanner last saw it. */
static bool hint_current(struct share_engine *s, const struct share_entry *e, struct pmap **pm, mfn_t *frame)
{
	pmap_entry_t pe;
	*pm = s->ops->pmap_of(e->vm_id);
	if (!*pm || pmap_get(*pm, (gfn_t){ e->gfn }, &pe) || pmap_entry_state(pe) != PMAP_PRIVATE)
		return false;
	*frame = pmap_entry_mfn(pe);
	bool zero;
	return content_hash(s, s->ops->frame_ptr(*frame), &zero) == e->hash;
}

static enum share_result merge_with_hint(struct share_engine *s, struct share_entry *e, uint32_t vm_id,
					 struct pmap *pm, gfn_t gfn, mfn_t f, bool zero)
{
	if (e->vm_id == vm_id && e->gfn == gfn.raw)
		return SHARE_HINTED; /* its own hint, and still current */
	struct pmap *owner_pm;
	mfn_t owner_frame;
	if (!hint_current(s, e, &owner_pm, &owner_frame)) {
		s->totals.stale_hints++;
		share_table_rehint(e, vm_id, gfn);
		return SHARE_HINTED;
	}
	if (!page_equal(s->ops->frame_ptr(f), s->ops->frame_ptr(owner_frame))) {
		s->totals.collisions++;
		return SHARE_COLLISION;
	}
	/* The hinted page becomes the shared frame: read-only from now on. */
	gfn_t owner_gfn = { e->gfn };
	uint32_t owner = e->vm_id;
	if (!share_ok(s, pmap_set_shared(owner_pm, owner_gfn, owner_frame) == 0))
		return SHARE_BUG;
	s->ops->cache_update(owner, owner_gfn, owner_frame, false);
	share_table_hint_to_frame(&s->table, e, owner_frame, zero);
	s->totals.frames++;
	s->totals.zero_frames += zero;
	s->totals.merges++; /* the hinted page is merged too */
	s->totals.zero_merges += zero;
	return merge_into(s, vm_id, pm, gfn, f, owner_frame, zero);
}

struct first_user {
	uint32_t vm_id;
	gfn_t gfn;
	bool found;
};

static bool take_first_user(uint32_t vm_id, gfn_t gfn, void *ctx)
{
	*(struct first_user *)ctx = (struct first_user){ vm_id, gfn, true };
	return false;
}

/* A FRAME entry is kept right by every path here; this checks it anyway,
 * because code outside sharing may drop a shared gfn (a balloon) and, if
 * that frame went back to the allocator and came out again as someone's
 * private frame, merging into it would be corruption. Its users must map
 * it SHARED. */
static bool frame_entry_current(struct share_engine *s, const struct share_entry *e)
{
	struct first_user u = { 0 };
	pmap_entry_t pe;
	frame_table_for_each_user(s->ft, (mfn_t){ e->mfn }, take_first_user, &u);
	struct pmap *pm = u.found ? s->ops->pmap_of(u.vm_id) : NULL;
	return pm && !pmap_get(pm, u.gfn, &pe) && pmap_entry_state(pe) == PMAP_SHARED &&
	       pmap_entry_mfn(pe).raw == e->mfn;
}

enum share_result share_page(struct share_engine *s, uint32_t vm_id, uint64_t salt, gfn_t gfn)
{
	struct pmap *pm = s->ops->pmap_of(vm_id);
	pmap_entry_t pe;
	if (!pm || pmap_get(pm, gfn, &pe) || pmap_entry_state(pe) != PMAP_PRIVATE)
		return SHARE_SKIPPED;
	mfn_t f = pmap_entry_mfn(pe);
	const void *page = s->ops->frame_ptr(f);
	bool zero;
	uint64_t hash = content_hash(s, page, &zero);
	struct share_entry *e = share_table_find(&s->table, hash, salt);
	if (!e)
		return add_hint(s, hash, salt, vm_id, gfn);
	if (e->kind == SHARE_HINT)
		return merge_with_hint(s, e, vm_id, pm, gfn, f, zero);
	mfn_t F = { e->mfn };
	if (!frame_entry_current(s, e)) {
		s->totals.stale_frames++;
		s->totals.frames--;
		s->totals.zero_frames -= e->zero;
		share_table_remove(&s->table, e);
		return add_hint(s, hash, salt, vm_id, gfn);
	}
	if (!page_equal(page, s->ops->frame_ptr(F))) {
		s->totals.collisions++;
		return SHARE_COLLISION;
	}
	return merge_into(s, vm_id, pm, gfn, f, F, e->zero);
}

bool share_drop_frame(struct share_engine *s, uint64_t salt, mfn_t F)
{
	bool zero;
	uint64_t hash = content_hash(s, s->ops->frame_ptr(F), &zero);
	struct share_entry *e = share_table_find(&s->table, hash, salt);
	if (!e || e->kind != SHARE_FRAME || e->mfn != F.raw)
		return false;
	s->totals.zero_frames -= e->zero;
	s->totals.frames--;
	share_table_remove(&s->table, e);
	return true;
}

/* F's last user is leaving: F must leave the table before it is written
 * or freed, or a later merge would map a frame that is no longer shared.
 * Its key is recomputed from its contents, which nobody could change. */
static int forget_frame(struct share_engine *s, uint64_t salt, mfn_t F)
{
	if (share_drop_frame(s, salt, F))
		return 0;
	s->totals.bugs++;
	return -E_NOT_FOUND;
}

/* Copy-on-write when others still use F: the writer gets a copy. */
static int break_by_copy(struct share_engine *s, uint32_t vm_id, struct pmap *pm, gfn_t gfn, mfn_t F, mfn_t *out)
{
	/* LAB 3.2 sharing: copy-on-write while others still map F. A fresh
	 * frame (-E_NO_MEMORY if none), F's contents copied into it, the PMAP
	 * entry PRIVATE on the copy, the frame table's user moved from F (which
	 * keeps its other users) to the copy, the cached read-only translation
	 * dropped so the next access maps the copy. Count it; *out = the copy;
	 * SHARE_BREAK_COPIED. A failing PMAP or frame-table call: if
	 * (!share_ok(s, ok)) return -E_INVAL. */
	mfn_t copy;
	if (s->ops->frame_alloc(&copy))
		return -E_NO_MEMORY;
	memcpy(s->ops->frame_ptr(copy), s->ops->frame_ptr(F), PAGE_SIZE);
	if (!share_ok(s, pmap_set_private(pm, gfn, copy) == 0))
		return -E_INVAL;
	if (!share_ok(s, frame_table_remove_user(s->ft, F, vm_id, gfn) > 0))
		return -E_INVAL;
	if (!share_ok(s, frame_table_add_user(s->ft, copy, vm_id, gfn) == 0))
		return -E_INVAL;
	s->ops->cache_drop(vm_id, gfn);
	s->totals.cow_copies++;
	*out = copy;
	return SHARE_BREAK_COPIED;
	/* LAB 3.2 end. The skeleton has instead:
	 *	(void)s, (void)vm_id, (void)pm, (void)gfn, (void)F, (void)out;
	 *	return LAB_TODO("sharing", "break_by_copy");
	 */
}

int share_break(struct share_engine *s, uint32_t vm_id, uint64_t salt, gfn_t gfn, mfn_t *out)
{
	struct pmap *pm = s->ops->pmap_of(vm_id);
	pmap_entry_t pe;
	if (!pm || pmap_get(pm, gfn, &pe) || pmap_entry_state(pe) != PMAP_SHARED)
		return -E_INVAL;
	mfn_t F = pmap_entry_mfn(pe);
	if (frame_table_refcount(s->ft, F) > 1)
		return break_by_copy(s, vm_id, pm, gfn, F, out);
	/* The last user: no copy needed, the frame becomes its own again. */
	if (!share_ok(s, forget_frame(s, salt, F) == 0))
		return -E_INVAL;
	if (!share_ok(s, pmap_set_private(pm, gfn, F) == 0))
		return -E_INVAL;
	s->ops->cache_drop(vm_id, gfn);
	s->totals.cow_reowns++;
	*out = F;
	return SHARE_BREAK_REOWNED;
}

void share_put(struct share_engine *s, uint32_t vm_id, uint64_t salt, gfn_t gfn, mfn_t f)
{
	/* LAB 3.3 sharing: design it. (vm_id, gfn) leaves the shared frame f;
	 * its caller already changed the PMAP entry and the cache. Others
	 * still using f: f stays, shared. The last user: f leaves the table
	 * (and the counts of s->totals) before it is freed, exactly once. A
	 * gfn f did not list, or a last user whose f the table of `salt` does
	 * not hold, is a bug: count it, free nothing. Specification and
	 * invariants: docs/labs/3-sharing.md, "Exercise 3.3". */
	int users = frame_table_remove_user(s->ft, f, vm_id, gfn);
	if (users < 0) {
		s->totals.bugs++;
		return;
	}
	if (users == 0 && forget_frame(s, salt, f) == 0)
		s->ops->frame_free(f);
	/* LAB 3.3 end. The skeleton has instead:
	 *	(void)s, (void)vm_id, (void)salt, (void)gfn, (void)f;
	 *	LAB_TODO("sharing", "share_put");
	 */
}

bool share_zero_frame(struct share_engine *s, uint64_t salt, mfn_t *out)
{
	const struct share_entry *e = share_table_find(&s->table, s->zero_hash, salt);
	if (!e || e->kind != SHARE_FRAME || !e->zero || !frame_entry_current(s, e))
		return false;
	*out = (mfn_t){ e->mfn };
	return true;
}

void share_vm_figures(struct share_engine *s, const struct pmap *pm, uint64_t salt, struct share_figures *out)
{
	mfn_t zero_frame = { ~0ull };
	share_zero_frame(s, salt, &zero_frame);
	uint64_t saved = 0;
	out->zero = 0;
	for (uint64_t g = 0; g < pm->npages && pm->count[PMAP_SHARED]; g++) {
		pmap_entry_t pe = pm->entries[g];
		if (pmap_entry_state(pe) != PMAP_SHARED)
			continue;
		mfn_t F = pmap_entry_mfn(pe);
		uint64_t users = frame_table_refcount(s->ft, F);
		if (F.raw == zero_frame.raw)
			out->zero++;
		else if (users)
			saved += ((users - 1) << SAVED_SHIFT) / users;
	}
	out->saved = saved >> SAVED_SHIFT;
}
