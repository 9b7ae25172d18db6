/* tests/unit/test_balloon_inflate.c — exercise 4.3 of the balloon lab
 * (docs/labs/4-balloon.md): balloon_inflate_apply() (vmm/balloon/pages.c)
 * checked by what it does, not by how. Each case of the specification has
 * a test; the order rules are checked by the fake machine at each call
 * (the PMAP before the cache and before a stored copy goes, no frame
 * freed before the flush or while anything names it), and after each
 * batch the invariants: every gfn of the batch BALLOONED, every other
 * entry as it was, each copy dropped once, the counts equal to what the
 * machine saw go. Hosted with ASan/UBSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fail_because.h"

#include "vmm/balloon/pages.h"
#include "kernel/errno.h"

#define PAGES 32
#define FRAMES 64
#define RMAP 128
#define VM1 1
#define VM2 2

/* The fake machine, and what each gfn of the VM ballooning was before. */
struct machine {
	struct pmap *pm;           /* the ballooning VM's PMAP            */
	struct frame_table *ft;
	pmap_entry_t before[PAGES]; /* its entries before the batch        */
	bool in_use[FRAMES];
	unsigned freed[FRAMES];    /* frees of each frame in this batch   */
	unsigned unmapped[PAGES], dropped[PAGES];
	unsigned frees, flushes;
	bool unflushed;            /* an unmap not yet flushed            */
};

static pmap_entry_t store1[PAGES], store2[PAGES];
static struct frame_info frames[FRAMES];
static struct rmap_entry rmap[RMAP];
static uint64_t scratch[PAGES];

static enum pmap_state state_of(const struct pmap *pm, uint64_t gfn)
{
	pmap_entry_t e;
	pmap_get(pm, (gfn_t){ gfn }, &e);
	return pmap_entry_state(e);
}

static const char *name_of(enum pmap_state st) { return pmap_state_name(st); }

/* The cached translation goes once the PMAP says BALLOONED: dropped
 * earlier, a fault in between would map the frame again from the PMAP. */
static void fake_unmap(void *ctx, gfn_t gfn)
{
	struct machine *m = ctx;
	if (gfn.raw >= PAGES)
		fail_because("unmap of gfn %llu, outside the VM", (unsigned long long)gfn.raw);
	enum pmap_state was = pmap_entry_state(m->before[gfn.raw]);
	if (was != PMAP_PRIVATE && was != PMAP_SHARED)
		fail_because("gfn %llu was %s, not mapped: there is no translation of it to drop",
			 (unsigned long long)gfn.raw, name_of(was));
	if (state_of(m->pm, gfn.raw) != PMAP_BALLOONED)
		fail_because("gfn %llu is unmapped while the PMAP still says %s: the PMAP first, the cache after",
			 (unsigned long long)gfn.raw, name_of(state_of(m->pm, gfn.raw)));
	m->unmapped[gfn.raw]++;
	m->unflushed = true;
}

static void fake_map(void *ctx, gfn_t gfn, mfn_t f)
{
	(void)ctx, (void)f;
	fail_because("inflate mapped gfn %llu: a ballooned page is mapped by nothing", (unsigned long long)gfn.raw);
}

static void fake_flush(void *ctx)
{
	struct machine *m = ctx;
	m->flushes++;
	m->unflushed = false;
}

/* A frame goes back last: no unflushed translation, no reference, no PMAP
 * entry of either VM naming it, never twice. */
static void fake_free(void *ctx, mfn_t f)
{
	struct machine *m = ctx;
	if (f.raw >= FRAMES || !m->in_use[f.raw])
		fail_because("mfn %llu is freed but not in use (freed twice, or never a frame of the VM)",
			 (unsigned long long)f.raw);
	if (m->unflushed || !m->flushes)
		fail_because("mfn %llu is freed before the flush: a stale translation could still reach it",
			 (unsigned long long)f.raw);
	if (frame_table_refcount(m->ft, f))
		fail_because("mfn %llu is freed with %u users left in the frame table", (unsigned long long)f.raw,
			 frame_table_refcount(m->ft, f));
	for (uint64_t g = 0; g < PAGES; g++) {
		pmap_entry_t e1 = store1[g], e2 = store2[g];
		if ((pmap_entry_has_frame(e1) && pmap_entry_mfn(e1).raw == f.raw) ||
		    (pmap_entry_has_frame(e2) && pmap_entry_mfn(e2).raw == f.raw))
			fail_because("mfn %llu is freed while gfn %llu's PMAP entry names it", (unsigned long long)f.raw,
				 (unsigned long long)g);
	}
	m->in_use[f.raw] = false;
	m->freed[f.raw]++;
	m->frees++;
}

static int fake_alloc(void *ctx, mfn_t *out)
{
	(void)ctx, (void)out;
	fail_because("inflate allocated a frame: it only gives frames back");
	return -E_NO_MEMORY;
}

/* The stored copy goes after the PMAP stops naming it (as a swap-in frees
 * it last), with the entry the PMAP held, once. */
static void fake_drop(void *ctx, gfn_t gfn, pmap_entry_t e)
{
	struct machine *m = ctx;
	if (gfn.raw >= PAGES)
		fail_because("drop_stored of gfn %llu, outside the VM", (unsigned long long)gfn.raw);
	enum pmap_state was = pmap_entry_state(m->before[gfn.raw]);
	if (was != PMAP_COMPRESSED && was != PMAP_SWAPPED)
		fail_because("drop_stored for gfn %llu, which was %s: it had no stored copy", (unsigned long long)gfn.raw,
			 name_of(was));
	if (e.raw != m->before[gfn.raw].raw)
		fail_because("drop_stored for gfn %llu got entry %#llx, the PMAP held %#llx: pass the entry as it was",
			 (unsigned long long)gfn.raw, (unsigned long long)e.raw,
			 (unsigned long long)m->before[gfn.raw].raw);
	if (state_of(m->pm, gfn.raw) != PMAP_BALLOONED)
		fail_because("gfn %llu's copy is dropped while the PMAP still says %s: the PMAP stops naming it first",
			 (unsigned long long)gfn.raw, name_of(state_of(m->pm, gfn.raw)));
	m->dropped[gfn.raw]++;
}

struct world {
	struct machine m;
	struct balloon_ops ops;
	struct pmap vm1, vm2;
	struct frame_table ft;
};

static void setup(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->ops = (struct balloon_ops){ &w->m, fake_unmap, fake_map, fake_flush, fake_free, fake_alloc, fake_drop };
	pmap_init(&w->vm1, store1, PAGES);
	pmap_init(&w->vm2, store2, PAGES);
	frame_table_init(&w->ft, frames, FRAMES, rmap, RMAP);
	w->m.ft = &w->ft;
}

/* gfn of (pm, vm_id) on frame f: PRIVATE, or SHARED as a merge leaves it. */
static void give(struct world *w, struct pmap *pm, uint32_t vm_id, uint64_t gfn, uint64_t f, bool shared)
{
	w->m.in_use[f] = true;
	assert_int_equal(pmap_set_private(pm, (gfn_t){ gfn }, mfn(f)), 0);
	if (shared)
		assert_int_equal(pmap_set_shared(pm, (gfn_t){ gfn }, mfn(f)), 0);
	assert_int_equal(frame_table_add_user(&w->ft, mfn(f), vm_id, (gfn_t){ gfn }), 0);
}

/* gfn's contents stored away (handle or slot n), its frame gone as zswap
 * or swap-out leave it. */
static void store(struct world *w, uint64_t gfn, uint64_t f, bool swapped, uint64_t n)
{
	give(w, &w->vm1, VM1, gfn, f, false);
	assert_int_equal(swapped ? pmap_set_swapped(&w->vm1, (gfn_t){ gfn }, n) :
				   pmap_set_compressed(&w->vm1, (gfn_t){ gfn }, n),
			 0);
	assert_int_equal(frame_table_remove_user(&w->ft, mfn(f), VM1, (gfn_t){ gfn }), 0);
	w->m.in_use[f] = false;
}

/* Inflates gfns of (pm, vm_id) and checks what must hold after any batch. */
static struct balloon_inflated inflate(struct world *w, struct pmap *pm, uint32_t vm_id, const uint64_t *gfns,
				       uint32_t n)
{
	struct pmap *other = pm == &w->vm1 ? &w->vm2 : &w->vm1;
	pmap_entry_t other_before[PAGES];
	memcpy(other_before, other->entries, sizeof(other_before));
	bool in_batch[PAGES] = { false };
	for (uint32_t i = 0; i < n; i++)
		in_batch[gfns[i]] = true;
	w->m.pm = pm;
	memcpy(w->m.before, pm->entries, sizeof(w->m.before));
	memset(w->m.freed, 0, sizeof(w->m.freed));
	memset(w->m.unmapped, 0, sizeof(w->m.unmapped));
	memset(w->m.dropped, 0, sizeof(w->m.dropped));
	w->m.frees = w->m.flushes = 0;
	struct balloon_inflated r = balloon_inflate_apply(pm, &w->ft, vm_id, gfns, n, &w->ops, scratch);

	if (w->m.unflushed)
		fail_because("the batch returned with unflushed translations: the guest could still reach its pages");
	if (w->m.flushes > 1)
		fail_because("%u flushes for one batch: one flush covers them all", w->m.flushes);
	for (uint64_t g = 0; g < PAGES; g++) {
		enum pmap_state was = pmap_entry_state(w->m.before[g]);
		if (!in_batch[g]) {
			if (pm->entries[g].raw != w->m.before[g].raw)
				fail_because("gfn %llu is not in the batch but its entry changed", (unsigned long long)g);
			continue;
		}
		if (state_of(pm, g) != PMAP_BALLOONED)
			fail_because("gfn %llu of the batch: expected BALLOONED, seen %s", (unsigned long long)g,
				 name_of(state_of(pm, g)));
		bool mapped = was == PMAP_PRIVATE || was == PMAP_SHARED;
		char what[64];
		snprintf(what, sizeof(what), "unmaps of gfn %llu (was %s)", (unsigned long long)g, name_of(was));
		expect_eq(what, mapped, w->m.unmapped[g]);
		snprintf(what, sizeof(what), "stored copies dropped for gfn %llu (was %s)", (unsigned long long)g,
			 name_of(was));
		expect_eq(what, !mapped, w->m.dropped[g]);
		if (mapped && frame_table_has_user(&w->ft, pmap_entry_mfn(w->m.before[g]), vm_id, (gfn_t){ g }))
			fail_because("gfn %llu is BALLOONED but still a user of mfn %llu in the frame table",
				 (unsigned long long)g, (unsigned long long)pmap_entry_mfn(w->m.before[g]).raw);
	}
	if (memcmp(other_before, other->entries, sizeof(other_before)))
		fail_because("the batch of vm%u changed the other VM's PMAP", vm_id);
	expect_eq("frames_freed against the frames the machine got back", w->m.frees, r.frames_freed);
	return r;
}

static void test_private_pages_give_back_one_frame_each(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	for (uint64_t g = 0; g < 4; g++)
		give(&w, &w.vm1, VM1, g, 10 + g, false);
	give(&w, &w.vm1, VM1, 4, 14, false); /* not in the batch */
	uint64_t gfns[] = { 3, 0, 2, 1 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 4);
	expect_eq("frames_freed", 4, r.frames_freed);
	expect_eq("compressed_dropped", 0, r.compressed_dropped);
	expect_eq("rmap_missing", 0, r.rmap_missing);
	for (uint64_t f = 10; f < 14; f++)
		expect_eq("frees of each private frame", 1, w.m.freed[f]);
	expect_eq("gfn 4's frame still in use", 1, w.m.in_use[14]);
	expect_eq("BALLOONED pages", 4, w.vm1.count[PMAP_BALLOONED]);
	expect_eq("PRIVATE pages", 1, w.vm1.count[PMAP_PRIVATE]);
}

static void test_a_shared_frame_others_use_stays(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	give(&w, &w.vm1, VM1, 5, 20, true);
	give(&w, &w.vm2, VM2, 9, 20, true);
	uint64_t gfns[] = { 5 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 1);
	expect_eq("frames_freed", 0, r.frames_freed);
	expect_eq("the shared frame still in use", 1, w.m.in_use[20]);
	expect_eq("its users", 1, frame_table_refcount(&w.ft, mfn(20)));
	expect_eq("flushes (the dropped translation must not outlive the call)", 1, w.m.flushes);
	uint64_t other[] = { 9 };
	r = inflate(&w, &w.vm2, VM2, other, 1);
	expect_eq("frames_freed by the frame's last user", 1, r.frames_freed);
	expect_eq("the shared frame still in use", 0, w.m.in_use[20]);
}

static void test_two_users_of_one_frame_in_one_batch_free_it_once(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	give(&w, &w.vm1, VM1, 1, 30, false);
	give(&w, &w.vm1, VM1, 2, 31, true);
	give(&w, &w.vm1, VM1, 3, 31, true);
	give(&w, &w.vm1, VM1, 4, 32, true);
	give(&w, &w.vm2, VM2, 4, 32, true);
	uint64_t gfns[] = { 2, 1, 4, 3 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 4);
	expect_eq("frames_freed (30 and 31; 32 keeps vm2)", 2, r.frames_freed);
	expect_eq("frees of the frame both gfns used", 1, w.m.freed[31]);
	expect_eq("frees of the frame vm2 still uses", 0, w.m.freed[32]);
	expect_eq("users of the frame vm2 still uses", 1, frame_table_refcount(&w.ft, mfn(32)));
}

static void test_a_compressed_page_drops_its_copy_and_frees_no_frame(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	give(&w, &w.vm1, VM1, 0, 10, false);
	store(&w, 1, 11, false, 0x77);
	uint64_t gfns[] = { 1, 0 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 2);
	expect_eq("frames_freed (only gfn 0 held one)", 1, r.frames_freed);
	expect_eq("compressed_dropped", 1, r.compressed_dropped);
	expect_eq("rmap_missing", 0, r.rmap_missing);
	expect_eq("COMPRESSED pages left", 0, w.vm1.count[PMAP_COMPRESSED]);
}

static void test_a_swapped_page_drops_its_slot_and_is_not_counted_as_compressed(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	store(&w, 6, 12, true, 0x123);
	store(&w, 7, 13, false, 0x55);
	uint64_t gfns[] = { 6, 7 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 2);
	expect_eq("frames_freed", 0, r.frames_freed);
	expect_eq("compressed_dropped (the compressed page, not the swapped one)", 1, r.compressed_dropped);
	expect_eq("rmap_missing", 0, r.rmap_missing);
	expect_eq("SWAPPED pages left", 0, w.vm1.count[PMAP_SWAPPED]);
}

static void test_a_gfn_the_reverse_map_lacks_is_counted_and_its_frame_kept(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	w.m.in_use[40] = true;
	assert_int_equal(pmap_set_private(&w.vm1, (gfn_t){ 7 }, mfn(40)), 0); /* no user: a broken invariant */
	give(&w, &w.vm1, VM1, 8, 41, false);
	uint64_t gfns[] = { 7, 8 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 2);
	expect_eq("rmap_missing", 1, r.rmap_missing);
	expect_eq("frames_freed (never one the frame table does not vouch for)", 1, r.frames_freed);
	expect_eq("the unvouched frame still in use", 1, w.m.in_use[40]);
}

static void test_a_mixed_batch_gives_back_each_kind_once(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	give(&w, &w.vm1, VM1, 0, 10, false);  /* private                        */
	give(&w, &w.vm1, VM1, 1, 11, true);   /* shared, last user in the batch */
	give(&w, &w.vm1, VM1, 2, 11, true);
	give(&w, &w.vm1, VM1, 3, 12, true);   /* shared with vm2                */
	give(&w, &w.vm2, VM2, 3, 12, true);
	store(&w, 4, 13, false, 0x9);         /* compressed                     */
	store(&w, 5, 14, true, 0x10);         /* swapped                        */
	give(&w, &w.vm1, VM1, 6, 15, false);  /* private, not in the batch      */
	uint64_t gfns[] = { 5, 3, 1, 4, 0, 2 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 6);
	expect_eq("frames_freed (10 and 11)", 2, r.frames_freed);
	expect_eq("compressed_dropped", 1, r.compressed_dropped);
	expect_eq("rmap_missing", 0, r.rmap_missing);
	expect_eq("flushes", 1, w.m.flushes);
	expect_eq("BALLOONED pages", 6, w.vm1.count[PMAP_BALLOONED]);
	expect_eq("vm2's shared frame still in use", 1, w.m.in_use[12]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_pages_give_back_one_frame_each),
		cmocka_unit_test(test_a_shared_frame_others_use_stays),
		cmocka_unit_test(test_two_users_of_one_frame_in_one_batch_free_it_once),
		cmocka_unit_test(test_a_compressed_page_drops_its_copy_and_frees_no_frame),
		cmocka_unit_test(test_a_swapped_page_drops_its_slot_and_is_not_counted_as_compressed),
		cmocka_unit_test(test_a_gfn_the_reverse_map_lacks_is_counted_and_its_frame_kept),
		cmocka_unit_test(test_a_mixed_batch_gives_back_each_kind_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
