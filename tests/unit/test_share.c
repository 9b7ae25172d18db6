/* tests/unit/test_share.c — page sharing's merge and copy-on-write
 * transitions (vmm/share/share.c) over real PMAPs, a real frame table and share
 * table, hosted with ASan/UBSan. Machine frames are an array here, the
 * nested tables a per-gfn record; after each step the same story the
 * kernel's invariant checker demands is checked, and every page's bytes
 * are compared with a model of what the guest wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fail_because.h"

#include "vmm/share/page_hash.h"
#include "vmm/share/share.h"
#include "kernel/errno.h"

#define NFRAMES 200
#define NVMS 3
#define VM_PAGES 32
#define WORDS (4096 / 8)
#define NSLOTS 256

static uint64_t mem[NFRAMES][WORDS];
static bool frame_used[NFRAMES];
static unsigned frames_in_use;
static bool no_memory;
static struct frame_info finfo[NFRAMES];
static struct rmap_entry rmap[NVMS * VM_PAGES];
static struct frame_table ft;
static pmap_entry_t pmap_store[NVMS][VM_PAGES];
static struct pmap pmaps[NVMS];
static bool alive[NVMS];
static uint64_t salt[NVMS];
static struct {
	bool present, writable;
	uint64_t mfn;
} cache[NVMS][VM_PAGES];
static uint64_t model[NVMS][VM_PAGES][WORDS]; /* what each page must hold */
static struct share_entry slots[NSLOTS];
static struct share_engine eng;

/* ---- the order of a transition, checked at each call the engine makes ----
 * share.h's picture: the PMAP first, then the frame table, then the cache,
 * and a frame freed last. The end state alone cannot tell a right order
 * from a wrong one, so each op the engine calls checks what must already
 * be true when it is called. Only calls from share_page() and
 * share_break() are checked (engine_call() below): this file's own
 * stand-ins for the fault path and vm_memory_release() use the ops too. */
static bool in_engine;
static bool fresh[NFRAMES]; /* allocated during the current engine call */

/* Whether the frame table lists (vm, gfn) as a user of f. */
static bool frame_has_user(uint64_t f, uint32_t vm, uint64_t gfn)
{
	return frame_table_has_user(&ft, (mfn_t){ f }, vm, (gfn_t){ gfn });
}

/* A gfn whose PMAP entry names frame f (*vm 0: none). */
static void pmap_user_of(uint64_t f, uint32_t *vm, uint64_t *gfn)
{
	for (*vm = 1; *vm <= NVMS; (*vm)++)
		for (*gfn = 0; alive[*vm - 1] && *gfn < VM_PAGES; (*gfn)++) {
			pmap_entry_t e = pmap_store[*vm - 1][*gfn];
			if (pmap_entry_has_frame(e) && pmap_entry_mfn(e).raw == f)
				return;
		}
	*vm = 0;
}

/* ---- struct share_ops over the arrays above ---- */
static void *frame_ptr(mfn_t f)
{
	assert_true(f.raw < NFRAMES && frame_used[f.raw]);
	uint32_t vm;
	uint64_t gfn;
	pmap_user_of(f.raw, &vm, &gfn);
	if (in_engine && fresh[f.raw] && vm)
		fail_msg("new mfn %llu is filled after the PMAP named it (vm%u gfn %llu): copy into the frame "
			 "before anything names it", (unsigned long long)f.raw, vm, (unsigned long long)gfn);
	return mem[f.raw];
}

static int frame_alloc(mfn_t *out)
{
	for (uint64_t f = 1; f < NFRAMES && !no_memory; f++) /* mfn 0 never: it hides bugs */
		if (!frame_used[f]) {
			frame_used[f] = true;
			frames_in_use++;
			fresh[f] = in_engine;
			memset(mem[f], 0, sizeof(mem[f]));
			*out = (mfn_t){ f };
			return 0;
		}
	return -E_NO_MEMORY;
}

/* Whether the share table lists f as a shared frame (under any salt). */
static bool table_lists_frame(uint64_t f)
{
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].kind == SHARE_FRAME && slots[i].mfn == f)
			return true;
	return false;
}

static void frame_free(mfn_t f)
{
	if (f.raw >= NFRAMES || !frame_used[f.raw])
		fail_because("mfn %llu is freed but it is not in use (freed twice, or never allocated)",
			 (unsigned long long)f.raw);
	if (in_engine) { /* freed last: nothing may still reach it */
		uint32_t vm;
		uint64_t gfn;
		if (table_lists_frame(f.raw))
			fail_because("mfn %llu is freed while the share table still lists it as a shared frame: "
				 "out of the table first, or a later merge maps a free frame",
				 (unsigned long long)f.raw);
		pmap_user_of(f.raw, &vm, &gfn);
		if (vm)
			fail_msg("mfn %llu is freed while the PMAP still names it (vm%u gfn %llu): free last",
				 (unsigned long long)f.raw, vm, (unsigned long long)gfn);
		if (frame_table_refcount(&ft, f))
			fail_msg("mfn %llu is freed with %u users in the frame table: free last",
				 (unsigned long long)f.raw, frame_table_refcount(&ft, f));
	}
	frame_used[f.raw] = false;
	frames_in_use--;
	memset(mem[f.raw], 0xa5, sizeof(mem[f.raw])); /* a use after free shows in the model check */
}

static struct pmap *pmap_of(uint32_t vm_id)
{
	return vm_id >= 1 && vm_id <= NVMS && alive[vm_id - 1] ? &pmaps[vm_id - 1] : NULL;
}

/* The cache follows the truth: when the engine maps gfn to f, the PMAP
 * says f already (SHARED means read-only) and the frame table lists the
 * gfn as f's user. */
static void cache_update(uint32_t vm_id, gfn_t gfn, mfn_t f, bool writable)
{
	if (in_engine) {
		pmap_entry_t e = pmap_store[vm_id - 1][gfn.raw];
		if (!pmap_entry_has_frame(e) || pmap_entry_mfn(e).raw != f.raw)
			fail_msg("vm%u gfn %llu: the cache is set to mfn %llu while the PMAP says %s mfn %llu: "
				 "the PMAP first, the cache after", vm_id, (unsigned long long)gfn.raw,
				 (unsigned long long)f.raw, pmap_state_name(pmap_entry_state(e)),
				 (unsigned long long)pmap_entry_mfn(e).raw);
		if (pmap_entry_state(e) == PMAP_SHARED && writable)
			fail_msg("vm%u gfn %llu is SHARED on mfn %llu and cached writable", vm_id,
				 (unsigned long long)gfn.raw, (unsigned long long)f.raw);
		if (!frame_has_user(f.raw, vm_id, gfn.raw))
			fail_msg("vm%u gfn %llu: the cache is set to mfn %llu before the frame table lists the gfn "
				 "as its user: the frame table before the cache", vm_id, (unsigned long long)gfn.raw,
				 (unsigned long long)f.raw);
	}
	if (cache[vm_id - 1][gfn.raw].present) {
		cache[vm_id - 1][gfn.raw].mfn = f.raw;
		cache[vm_id - 1][gfn.raw].writable = writable;
	}
}

/* A break drops the read-only mapping once the PMAP and the frame table
 * say the gfn is PRIVATE on its own frame: dropped earlier, a fault in
 * between would map the shared frame again from the PMAP. */
static void cache_drop(uint32_t vm_id, gfn_t gfn)
{
	if (in_engine) {
		pmap_entry_t e = pmap_store[vm_id - 1][gfn.raw];
		uint64_t f = pmap_entry_mfn(e).raw;
		if (pmap_entry_state(e) != PMAP_PRIVATE)
			fail_msg("vm%u gfn %llu: the cache is dropped while the PMAP still says %s: the PMAP first, "
				 "the cache after", vm_id, (unsigned long long)gfn.raw,
				 pmap_state_name(pmap_entry_state(e)));
		if (!frame_has_user(f, vm_id, gfn.raw) || frame_table_refcount(&ft, (mfn_t){ f }) != 1)
			fail_msg("vm%u gfn %llu: the cache is dropped before the frame table lists the gfn as the "
				 "only user of mfn %llu: the frame table before the cache", vm_id,
				 (unsigned long long)gfn.raw, (unsigned long long)f);
	}
	cache[vm_id - 1][gfn.raw].present = false;
}

/* Runs one call of the engine with the checks above on. */
#define engine_call(expr)                                 \
	({                                                \
		memset(fresh, 0, sizeof(fresh));          \
		in_engine = true;                         \
		__typeof__(expr) engine_result_ = (expr); \
		in_engine = false;                        \
		engine_result_;                           \
	})

static const struct share_ops ops = { frame_ptr, frame_alloc, frame_free, pmap_of, cache_update, cache_drop };

static int setup(void **state)
{
	(void)state;
	memset(frame_used, 0, sizeof(frame_used));
	in_engine = false;
	memset(cache, 0, sizeof(cache));
	memset(model, 0, sizeof(model));
	frames_in_use = 0;
	no_memory = false;
	frame_table_init(&ft, finfo, NFRAMES, rmap, NVMS * VM_PAGES);
	for (int v = 0; v < NVMS; v++) {
		pmap_init(&pmaps[v], pmap_store[v], VM_PAGES);
		alive[v] = true;
		salt[v] = 0;
	}
	share_engine_init(&eng, &ops, &ft, slots, NSLOTS);
	return 0;
}

/* ---- what the guest and the fault path do ---- */

static pmap_entry_t entry(uint32_t vm, uint64_t gfn)
{
	pmap_entry_t e;
	assert_int_equal(pmap_get(&pmaps[vm - 1], (gfn_t){ gfn }, &e), 0);
	return e;
}

/* A write fault's outcome: the gfn has a private frame, mapped writable. */
static uint64_t *writable_page(uint32_t vm, uint64_t gfn)
{
	pmap_entry_t e = entry(vm, gfn);
	mfn_t f = pmap_entry_mfn(e);
	if (pmap_entry_state(e) == PMAP_UNTOUCHED) {
		assert_int_equal(frame_alloc(&f), 0);
		assert_int_equal(pmap_set_private(&pmaps[vm - 1], (gfn_t){ gfn }, f), 0);
		assert_int_equal(frame_table_add_user(&ft, f, vm, (gfn_t){ gfn }), 0);
	} else if (pmap_entry_state(e) == PMAP_SHARED) {
		int rc = engine_call(share_break(&eng, vm, salt[vm - 1], (gfn_t){ gfn }, &f));
		assert_true(rc == SHARE_BREAK_COPIED || rc == SHARE_BREAK_REOWNED);
		assert_false(cache[vm - 1][gfn].present); /* the old read-only mapping is gone */
	}
	cache[vm - 1][gfn].present = true;
	cache[vm - 1][gfn].writable = true;
	cache[vm - 1][gfn].mfn = f.raw;
	return mem[f.raw];
}

/* Content number `seed` (0: zeros) into the whole page. */
static void fill(uint32_t vm, uint64_t gfn, uint64_t seed)
{
	uint64_t *p = writable_page(vm, gfn);
	for (int i = 0; i < WORDS; i++)
		p[i] = seed ? seed * 0x9e3779b97f4a7c15ull + (uint64_t)i * 0xbf58476d1ce4e5b9ull : 0;
	memcpy(model[vm - 1][gfn], p, sizeof(model[vm - 1][gfn]));
}

static void write_word(uint32_t vm, uint64_t gfn, int word, uint64_t value)
{
	writable_page(vm, gfn)[word] = value;
	model[vm - 1][gfn][word] = value;
}

/* A read fault maps whatever the PMAP says, read-only if shared. */
static void read_fault(uint32_t vm, uint64_t gfn)
{
	pmap_entry_t e = entry(vm, gfn);
	if (pmap_entry_state(e) == PMAP_UNTOUCHED) { /* demand allocation: a zero frame */
		writable_page(vm, gfn);
		return;
	}
	cache[vm - 1][gfn].present = true;
	cache[vm - 1][gfn].mfn = pmap_entry_mfn(e).raw;
	cache[vm - 1][gfn].writable = pmap_entry_state(e) == PMAP_PRIVATE;
}

static enum share_result scan(uint32_t vm, uint64_t gfn)
{
	return engine_call(share_page(&eng, vm, salt[vm - 1], (gfn_t){ gfn }));
}

/* What vm_memory_release() does with a VM's frames. */
static void release(uint32_t vm)
{
	for (uint64_t g = 0; g < VM_PAGES; g++) {
		pmap_entry_t e = entry(vm, g);
		cache_drop(vm, (gfn_t){ g });
		if (pmap_entry_state(e) == PMAP_SHARED)
			share_put(&eng, vm, salt[vm - 1], (gfn_t){ g }, pmap_entry_mfn(e));
		else if (pmap_entry_state(e) == PMAP_PRIVATE &&
			 frame_table_remove_user(&ft, pmap_entry_mfn(e), vm, (gfn_t){ g }) == 0)
			frame_free(pmap_entry_mfn(e));
	}
	alive[vm - 1] = false;
}

static mfn_t frame_of(uint32_t vm, uint64_t gfn)
{
	return pmap_entry_mfn(entry(vm, gfn));
}

/* ---- the invariants (those of vmm/mm/check.h and vmm/share/check.h, plus the model) ---- */

static void check_gfn(uint32_t vm, uint64_t g, unsigned *refs)
{
	pmap_entry_t e = entry(vm, g);
	enum pmap_state st = pmap_entry_state(e);
	if (st != PMAP_PRIVATE && st != PMAP_SHARED) {
		if (cache[vm - 1][g].present)
			fail_msg("vm%u gfn %llu is %s but cached", vm, (unsigned long long)g, pmap_state_name(st));
		return;
	}
	uint64_t f = pmap_entry_mfn(e).raw;
	if (!frame_used[f])
		fail_msg("vm%u gfn %llu names free mfn %llu", vm, (unsigned long long)g, (unsigned long long)f);
	refs[f]++;
	if (cache[vm - 1][g].present && cache[vm - 1][g].mfn != f)
		fail_msg("vm%u gfn %llu: PMAP mfn %llu, cache %llu", vm, (unsigned long long)g, (unsigned long long)f,
			 (unsigned long long)cache[vm - 1][g].mfn);
	if (st == PMAP_SHARED && cache[vm - 1][g].present && cache[vm - 1][g].writable)
		fail_msg("vm%u gfn %llu is shared but cached writable", vm, (unsigned long long)g);
	if (st == PMAP_PRIVATE && frame_table_refcount(&ft, (mfn_t){ f }) != 1)
		fail_msg("vm%u gfn %llu is private on mfn %llu with refcount %u", vm, (unsigned long long)g,
			 (unsigned long long)f, frame_table_refcount(&ft, (mfn_t){ f }));
	if (memcmp(mem[f], model[vm - 1][g], sizeof(mem[f])))
		fail_msg("vm%u gfn %llu does not hold what the guest wrote", vm, (unsigned long long)g);
}

static void check_table(void)
{
	unsigned frames = 0;
	for (int i = 0; i < NSLOTS; i++) {
		const struct share_entry *e = &slots[i];
		if (e->kind != SHARE_FRAME)
			continue;
		frames++;
		if (!frame_used[e->mfn] || !frame_table_refcount(&ft, (mfn_t){ e->mfn }))
			fail_msg("the table names mfn %llu, which has no users", (unsigned long long)e->mfn);
		if (e->zero != page_is_zero(mem[e->mfn]))
			fail_msg("mfn %llu: zero flag %d is wrong", (unsigned long long)e->mfn, e->zero);
	}
	assert_int_equal(frames, eng.totals.frames);
	assert_int_equal(eng.totals.bugs, 0);
}

static void check(void)
{
	unsigned refs[NFRAMES] = { 0 }, users = 0;
	for (uint32_t vm = 1; vm <= NVMS; vm++)
		for (uint64_t g = 0; alive[vm - 1] && g < VM_PAGES; g++)
			check_gfn(vm, g, refs);
	for (uint64_t f = 0; f < NFRAMES; f++) {
		if (refs[f] != frame_table_refcount(&ft, (mfn_t){ f }))
			fail_msg("mfn %llu: %u PMAP entries, refcount %u", (unsigned long long)f, refs[f],
				 frame_table_refcount(&ft, (mfn_t){ f }));
		if (frame_used[f] && !refs[f])
			fail_msg("mfn %llu is allocated but nobody uses it (a leak)", (unsigned long long)f);
		users += refs[f];
	}
	check_table();
}

/* ---- the tests ---- */

static void test_equal_pages_merge_into_one_read_only_frame(void **state)
{
	(void)state;
	fill(1, 4, 77);
	fill(2, 9, 77);
	mfn_t keep = frame_of(1, 4);
	assert_int_equal(scan(1, 4), SHARE_HINTED);
	assert_int_equal(scan(2, 9), SHARE_MERGED);
	assert_int_equal(pmap_entry_state(entry(1, 4)), PMAP_SHARED);
	assert_int_equal(pmap_entry_state(entry(2, 9)), PMAP_SHARED);
	assert_int_equal(frame_of(2, 9).raw, keep.raw);
	assert_int_equal(frame_table_refcount(&ft, keep), 2);
	assert_false(cache[0][4].writable);
	assert_false(cache[1][9].writable);
	assert_int_equal(frames_in_use, 1); /* the duplicate went back */
	assert_int_equal(eng.totals.merges, 2);
	check();
	fill(3, 0, 77); /* a third copy joins the frame directly */
	assert_int_equal(scan(3, 0), SHARE_MERGED);
	assert_int_equal(frame_table_refcount(&ft, keep), 3);
	check();
}

/* The hinted page changes after it was hashed: the new page with its old
 * contents must not be merged with it (it is re-hashed first). */
static void test_a_hint_that_changed_is_not_trusted(void **state)
{
	(void)state;
	fill(1, 1, 5);
	assert_int_equal(scan(1, 1), SHARE_HINTED);
	write_word(1, 1, 100, 0xdead); /* private and writable: no fault */
	fill(2, 2, 5);
	assert_int_equal(scan(2, 2), SHARE_HINTED); /* the hint names vm2's page now */
	assert_int_equal(eng.totals.stale_hints, 1);
	assert_int_equal(pmap_entry_state(entry(1, 1)), PMAP_PRIVATE);
	fill(3, 3, 5);
	assert_int_equal(scan(3, 3), SHARE_MERGED);
	assert_int_equal(frame_of(3, 3).raw, frame_of(2, 2).raw);
	assert_int_equal(pmap_entry_state(entry(1, 1)), PMAP_PRIVATE);
	check();
}

/* The hinted page is gone (its VM ended), or shared by now, or freed and
 * reused: the PMAP state is checked, not only the hash. */
static void test_a_hint_whose_page_is_gone_is_stale(void **state)
{
	(void)state;
	fill(1, 1, 6);
	assert_int_equal(scan(1, 1), SHARE_HINTED);
	release(1);
	fill(2, 2, 6);
	assert_int_equal(scan(2, 2), SHARE_HINTED);
	assert_int_equal(eng.totals.stale_hints, 1);
	assert_int_equal(pmap_entry_state(entry(2, 2)), PMAP_PRIVATE);
	check();
}

/* An entry whose hash matches but whose frame holds other bytes (as a
 * real 64-bit collision would): the full comparison refuses to merge. */
static void test_a_hash_match_alone_never_shares(void **state)
{
	(void)state;
	fill(2, 2, 9);
	fill(3, 2, 9);
	scan(2, 2);
	scan(3, 2);
	mfn_t shared = frame_of(2, 2);
	/* Forge: file the shared frame under the hash of other contents. */
	fill(1, 1, 8);
	share_table_remove(&eng.table, share_table_find(&eng.table, page_hash(model[1][2]), 0));
	assert_non_null(share_table_add_frame(&eng.table, page_hash(model[0][1]), 0, shared, false));
	assert_int_equal(scan(1, 1), SHARE_COLLISION);
	assert_int_equal(eng.totals.collisions, 1);
	assert_int_equal(pmap_entry_state(entry(1, 1)), PMAP_PRIVATE);
	assert_int_equal(frame_table_refcount(&ft, shared), 2);
}

/* Code outside sharing (a balloon) drops both users of a shared frame and
 * frees it; the frame comes back as another page's private frame. Its old
 * entry must not be trusted: no merge into someone's private frame. */
static void test_a_frame_entry_whose_frame_was_taken_is_stale(void **state)
{
	(void)state;
	fill(1, 1, 50);
	fill(2, 1, 50);
	scan(1, 1);
	scan(2, 1);
	mfn_t shared = frame_of(1, 1);
	for (uint32_t vm = 1; vm <= 2; vm++) { /* what balloon_inflate_apply() does */
		assert_int_equal(pmap_set_ballooned(&pmaps[vm - 1], (gfn_t){ 1 }), 0);
		cache_drop(vm, (gfn_t){ 1 });
		frame_table_remove_user(&ft, shared, vm, (gfn_t){ 1 });
		memset(model[vm - 1][1], 0, sizeof(model[vm - 1][1]));
	}
	frame_free(shared);
	fill(3, 5, 50); /* vm3 gets the same frame back, with the same bytes */
	assert_int_equal(frame_of(3, 5).raw, shared.raw);
	fill(3, 6, 50);
	assert_int_equal(scan(3, 6), SHARE_HINTED); /* not merged into vm3 gfn 5's private frame */
	assert_int_equal(eng.totals.stale_frames, 1);
	assert_int_equal(pmap_entry_state(entry(3, 5)), PMAP_PRIVATE);
	assert_int_equal(scan(3, 5), SHARE_MERGED);
	check();
}

static void test_zero_pages_share_one_zero_frame(void **state)
{
	(void)state;
	fill(1, 0, 0);
	fill(1, 1, 0);
	fill(2, 5, 0);
	fill(3, 7, 0);
	fill(3, 8, 44);
	for (uint32_t vm = 1; vm <= 3; vm++)
		for (uint64_t g = 0; g < VM_PAGES; g++)
			scan(vm, g);
	mfn_t zero;
	assert_true(share_zero_frame(&eng, 0, &zero));
	assert_int_equal(frame_table_refcount(&ft, zero), 4);
	assert_int_equal(eng.totals.zero_frames, 1);
	assert_int_equal(eng.totals.zero_merges, 4);
	struct share_figures fig;
	share_vm_figures(&eng, &pmaps[0], 0, &fig);
	assert_int_equal(fig.zero, 2);
	assert_int_equal(fig.saved, 0);
	assert_int_equal(frames_in_use, 2); /* the zero frame and vm3's other page */
	check();
}

static void test_different_salts_never_share(void **state)
{
	(void)state;
	salt[0] = 1;
	salt[1] = 2;
	salt[2] = 1;
	for (uint32_t vm = 1; vm <= 3; vm++) {
		fill(vm, 3, 31);
		fill(vm, 4, 0);
	}
	for (uint32_t vm = 1; vm <= 3; vm++) {
		scan(vm, 3);
		scan(vm, 4);
	}
	assert_int_equal(pmap_entry_state(entry(2, 3)), PMAP_PRIVATE);
	assert_int_equal(pmap_entry_state(entry(2, 4)), PMAP_PRIVATE);
	assert_int_equal(frame_of(1, 3).raw, frame_of(3, 3).raw);
	assert_int_equal(frame_of(1, 4).raw, frame_of(3, 4).raw);
	assert_int_not_equal(frame_of(1, 3).raw, frame_of(2, 3).raw);
	mfn_t z;
	assert_false(share_zero_frame(&eng, 2, &z));
	check();
}

static void test_a_write_to_a_shared_page_gets_a_private_copy(void **state)
{
	(void)state;
	for (uint32_t vm = 1; vm <= 3; vm++) {
		fill(vm, 2, 12);
		scan(vm, 2);
		read_fault(vm, 2);
	}
	mfn_t shared = frame_of(1, 2);
	write_word(2, 2, 7, 1234);
	assert_int_equal(pmap_entry_state(entry(2, 2)), PMAP_PRIVATE);
	assert_int_not_equal(frame_of(2, 2).raw, shared.raw);
	assert_int_equal(frame_table_refcount(&ft, shared), 2);
	assert_int_equal(eng.totals.cow_copies, 1);
	check(); /* the others still read the old contents */
}

/* The last user of a frame writes: no copy, the frame becomes private and
 * leaves the table, so no later merge can map it while it is writable. */
static void test_the_last_user_gets_the_frame_back(void **state)
{
	(void)state;
	fill(1, 1, 21);
	fill(2, 1, 21);
	scan(1, 1);
	scan(2, 1);
	mfn_t shared = frame_of(1, 1);
	write_word(1, 1, 0, 1); /* copy: vm2 stays on the frame alone */
	assert_int_equal(frame_table_refcount(&ft, shared), 1);
	assert_int_equal(pmap_entry_state(entry(2, 1)), PMAP_SHARED);
	check();
	write_word(2, 1, 0, 2); /* the last user: reown */
	assert_int_equal(eng.totals.cow_reowns, 1);
	assert_int_equal(frame_of(2, 1).raw, shared.raw);
	assert_int_equal(pmap_entry_state(entry(2, 1)), PMAP_PRIVATE);
	assert_int_equal(eng.totals.frames, 0);
	fill(3, 1, 21); /* the old contents again: a hint, not a merge into vm2's frame */
	assert_int_equal(scan(3, 1), SHARE_HINTED);
	check();
}

static void test_a_copy_without_memory_changes_nothing(void **state)
{
	(void)state;
	fill(1, 1, 3);
	fill(2, 1, 3);
	scan(1, 1);
	scan(2, 1);
	no_memory = true;
	mfn_t f;
	assert_int_equal(engine_call(share_break(&eng, 1, 0, (gfn_t){ 1 }, &f)), -E_NO_MEMORY);
	assert_int_equal(pmap_entry_state(entry(1, 1)), PMAP_SHARED);
	no_memory = false;
	check();
}

static void test_release_frees_a_shared_frame_with_its_last_user(void **state)
{
	(void)state;
	for (uint32_t vm = 1; vm <= 3; vm++) {
		fill(vm, 6, 70);
		fill(vm, 7, 0);
		scan(vm, 6);
		scan(vm, 7);
	}
	assert_int_equal(frames_in_use, 2);
	release(1);
	release(2);
	assert_int_equal(frames_in_use, 2);
	check();
	release(3);
	assert_int_equal(frames_in_use, 0);
	assert_int_equal(eng.totals.frames, 0);
	assert_int_equal(eng.table.frames, 0);
}

static void test_figures_count_fractions_of_saved_frames(void **state)
{
	(void)state;
	for (uint64_t g = 0; g < 8; g++)
		for (uint32_t vm = 1; vm <= 3; vm++) {
			fill(vm, g, 100 + g);
			scan(vm, g);
		}
	struct share_figures fig;
	share_vm_figures(&eng, &pmaps[0], 0, &fig);
	assert_int_equal(fig.saved, 5); /* 8 pages * 2/3, rounded down */
	assert_int_equal(fig.zero, 0);
}

/* Many guests writing a few contents at random while the scanner merges
 * and writes break shares: after every step, the invariants and the bytes. */
static void test_random_merges_and_breaks_keep_every_byte(void **state)
{
	(void)state;
	srand(11);
	salt[2] = 9;
	for (int op = 0; op < 6000; op++) {
		uint32_t vm = 1 + (uint32_t)rand() % NVMS;
		uint64_t g = (uint64_t)rand() % VM_PAGES;
		switch (rand() % 4) {
		case 0: fill(vm, g, (uint64_t)rand() % 4); break; /* 0: zeros */
		case 1: write_word(vm, g, rand() % WORDS, (uint64_t)rand() % 2); break;
		case 2: read_fault(vm, g); break;
		default: scan(vm, g); break;
		}
		check();
	}
	assert_true(eng.totals.merges > 100);
	assert_true(eng.totals.cow_copies > 10);
	assert_true(eng.totals.cow_reowns > 10);
	assert_true(eng.totals.stale_hints > 10);
	for (uint32_t vm = 1; vm <= NVMS; vm++)
		release(vm);
	assert_int_equal(frames_in_use, 0);
	assert_int_equal(eng.totals.frames, 0);
}

/* ---- exercise 3.3: share_put(), by behaviour ----
 * These tests build the shared frames themselves, as a merge leaves them
 * (not through share_page(), whose merge is exercise 3.1), then play the
 * caller of share_put(): the gfn's PMAP entry leaves the frame and its
 * cached mapping goes, and only then is share_put() called. The fakes
 * above check the order at each call (frame_free: out of the table, no
 * user, nothing naming it); put() checks the PMAPs and the cache are left
 * alone and says how many frames went back. */

static uint64_t pattern(uint64_t seed, int i)
{
	return seed ? seed * 0x9e3779b97f4a7c15ull + (uint64_t)i * 0xbf58476d1ce4e5b9ull : 0;
}

/* A frame holding content `seed` (0: zeros), SHARED by the n (vms[i],
 * gfns[i]), listed in the table under key_salt and counted in totals. */
static mfn_t shared_by(uint64_t seed, uint64_t key_salt, const uint32_t *vms, const uint64_t *gfns, int n)
{
	mfn_t F;
	assert_int_equal(frame_alloc(&F), 0);
	for (int i = 0; i < WORDS; i++)
		mem[F.raw][i] = pattern(seed, i);
	for (int u = 0; u < n; u++) {
		struct pmap *pm = &pmaps[vms[u] - 1];
		assert_int_equal(pmap_set_private(pm, (gfn_t){ gfns[u] }, F), 0);
		assert_int_equal(pmap_set_shared(pm, (gfn_t){ gfns[u] }, F), 0);
		assert_int_equal(frame_table_add_user(&ft, F, vms[u], (gfn_t){ gfns[u] }), 0);
		memcpy(model[vms[u] - 1][gfns[u]], mem[F.raw], sizeof(mem[F.raw]));
	}
	bool zero = seed == 0;
	uint64_t hash = zero ? eng.zero_hash : page_hash(mem[F.raw]);
	assert_non_null(share_table_add_frame(&eng.table, hash, key_salt, F, zero));
	eng.totals.frames++;
	eng.totals.zero_frames += zero;
	return F;
}

/* The frame the table holds for F's contents under key_salt (~0: none). */
static uint64_t table_frame_for(mfn_t F, uint64_t key_salt)
{
	uint64_t hash = page_is_zero(mem[F.raw]) ? eng.zero_hash : page_hash(mem[F.raw]);
	const struct share_entry *e = share_table_find(&eng.table, hash, key_salt);
	return e && e->kind == SHARE_FRAME ? e->mfn : ~0ull;
}

/* share_put() as its caller calls it; the frames it gave back. */
static unsigned put(uint32_t vm, uint64_t gfn, mfn_t f, uint64_t key_salt)
{
	static pmap_entry_t pmap_before[NVMS][VM_PAGES];
	static __typeof__(cache) cache_before;
	memcpy(pmap_before, pmap_store, sizeof(pmap_before));
	memcpy(cache_before, cache, sizeof(cache_before));
	unsigned in_use = frames_in_use;
	memset(fresh, 0, sizeof(fresh));
	in_engine = true;
	share_put(&eng, vm, key_salt, (gfn_t){ gfn }, f);
	in_engine = false;
	if (memcmp(pmap_before, pmap_store, sizeof(pmap_before)))
		fail_because("share_put(vm%u, gfn %llu) changed a PMAP entry: the entry is its caller's, already "
			 "changed", vm, (unsigned long long)gfn);
	if (memcmp(cache_before, cache, sizeof(cache_before)))
		fail_because("share_put(vm%u, gfn %llu) changed the cached translations: they are its caller's",
			 vm, (unsigned long long)gfn);
	if (frames_in_use > in_use)
		fail_because("share_put(vm%u, gfn %llu) allocated a frame", vm, (unsigned long long)gfn);
	return in_use - frames_in_use;
}

/* The caller's part, then share_put(): (vm, gfn) leaves its shared frame. */
static unsigned leave(uint32_t vm, uint64_t gfn, uint64_t key_salt)
{
	mfn_t f = frame_of(vm, gfn);
	assert_int_equal(pmap_entry_state(entry(vm, gfn)), PMAP_SHARED);
	assert_int_equal(pmap_set_ballooned(&pmaps[vm - 1], (gfn_t){ gfn }), 0);
	cache[vm - 1][gfn].present = false;
	return put(vm, gfn, f, key_salt);
}

static void test_put_leaves_a_frame_others_still_use_shared(void **state)
{
	(void)state;
	uint32_t vms[] = { 1, 2 };
	uint64_t gfns[] = { 4, 9 };
	mfn_t F = shared_by(61, 0, vms, gfns, 2);
	expect_eq("frames given back when one of two users leaves", 0, leave(1, 4, 0));
	expect_eq("F's users in the frame table", 1, frame_table_refcount(&ft, F));
	expect_eq("vm1 gfn 4 still a user of F", 0, frame_has_user(F.raw, 1, 4));
	expect_eq("the frame the table holds for F's contents", F.raw, table_frame_for(F, 0));
	expect_eq("totals.frames", 1, eng.totals.frames);
	expect_eq("totals.bugs", 0, eng.totals.bugs);
	expect_eq("vm2 gfn 9 still SHARED", PMAP_SHARED, pmap_entry_state(entry(2, 9)));
	check();
}

static void test_the_last_user_takes_the_frame_out_of_the_table_and_frees_it(void **state)
{
	(void)state;
	uint32_t vms[] = { 1, 2, 3 };
	uint64_t gfns[] = { 4, 9, 4 };
	mfn_t F = shared_by(62, 0, vms, gfns, 3);
	mfn_t G = shared_by(63, 0, vms, (uint64_t[]){ 5, 10, 5 }, 3);
	expect_eq("frames given back by the first of three users", 0, leave(3, 4, 0));
	expect_eq("frames given back by the second of three users", 0, leave(1, 4, 0));
	check();
	expect_eq("frames given back by the last user", 1, leave(2, 9, 0));
	expect_eq("F still in use", 0, frame_used[F.raw]);
	expect_eq("the frame the table holds for F's contents (~0: none)", ~0ull, table_frame_for(F, 0));
	expect_eq("totals.frames", 1, eng.totals.frames);
	expect_eq("frames in the table", 1, eng.table.frames);
	expect_eq("the frame the table holds for G's contents", G.raw, table_frame_for(G, 0));
	expect_eq("totals.bugs", 0, eng.totals.bugs);
	check();
}

static void test_the_zero_frame_is_uncounted_with_its_last_user(void **state)
{
	(void)state;
	uint32_t vms[] = { 1, 2 };
	mfn_t Z = shared_by(0, 0, vms, (uint64_t[]){ 1, 2 }, 2);
	shared_by(64, 0, vms, (uint64_t[]){ 3, 3 }, 2);
	expect_eq("frames given back by the zero frame's first user", 0, leave(2, 2, 0));
	expect_eq("totals.zero_frames with a user left", 1, eng.totals.zero_frames);
	expect_eq("frames given back by the zero frame's last user", 1, leave(1, 1, 0));
	expect_eq("zero frame still in use", 0, frame_used[Z.raw]);
	expect_eq("totals.zero_frames", 0, eng.totals.zero_frames);
	expect_eq("totals.frames", 1, eng.totals.frames);
	mfn_t z;
	expect_eq("share_zero_frame() still finds one", 0, share_zero_frame(&eng, 0, &z));
	check();
}

static void test_a_gfn_that_is_not_a_user_is_a_bug_and_frees_nothing(void **state)
{
	(void)state;
	mfn_t F = shared_by(65, 0, (uint32_t[]){ 1, 2 }, (uint64_t[]){ 4, 9 }, 2);
	mfn_t G = shared_by(66, 0, (uint32_t[]){ 1 }, (uint64_t[]){ 6 }, 1);
	expect_eq("frames given back for vm3 gfn 2, no user of F", 0, put(3, 2, F, 0));
	expect_eq("totals.bugs", 1, eng.totals.bugs);
	expect_eq("F's users", 2, frame_table_refcount(&ft, F));
	/* G's one user is vm1 gfn 6: vm2 gfn 6 leaving is no last user. */
	expect_eq("frames given back for vm2 gfn 6, no user of G", 0, put(2, 6, G, 0));
	expect_eq("totals.bugs", 2, eng.totals.bugs);
	expect_eq("G's users", 1, frame_table_refcount(&ft, G));
	expect_eq("the frame the table holds for G's contents", G.raw, table_frame_for(G, 0));
	expect_eq("totals.frames", 2, eng.totals.frames);
}

static void test_a_last_user_whose_frame_the_table_lost_is_a_bug_and_frees_nothing(void **state)
{
	(void)state;
	mfn_t F = shared_by(67, 0, (uint32_t[]){ 1 }, (uint64_t[]){ 4 }, 1);
	mfn_t G = shared_by(68, 0, (uint32_t[]){ 2, 3 }, (uint64_t[]){ 4, 4 }, 2);
	assert_true(share_drop_frame(&eng, 0, F)); /* some other path took F out already */
	expect_eq("frames given back by F's last user, F not in the table", 0, leave(1, 4, 0));
	expect_eq("totals.bugs", 1, eng.totals.bugs);
	expect_eq("F still in use (a leak is safe, a free of an unknown frame is not)", 1, frame_used[F.raw]);
	expect_eq("the frame the table holds for G's contents", G.raw, table_frame_for(G, 0));
	expect_eq("totals.frames", 1, eng.totals.frames);
}

static void test_the_salt_is_part_of_the_frame_key(void **state)
{
	(void)state;
	/* Equal contents under two salts: two frames, two entries. */
	mfn_t F = shared_by(69, 1, (uint32_t[]){ 1, 3 }, (uint64_t[]){ 4, 4 }, 2);
	mfn_t G = shared_by(69, 2, (uint32_t[]){ 2 }, (uint64_t[]){ 4 }, 1);
	expect_eq("frames given back by G's last user (salt 2)", 1, leave(2, 4, 2));
	expect_eq("G still in use", 0, frame_used[G.raw]);
	expect_eq("the frame the table holds under salt 2 (~0: none)", ~0ull, table_frame_for(F, 2));
	expect_eq("the frame the table holds under salt 1", F.raw, table_frame_for(F, 1));
	expect_eq("totals.frames", 1, eng.totals.frames);
	expect_eq("totals.bugs", 0, eng.totals.bugs);
	expect_eq("frames given back by F's first user (salt 1)", 0, leave(1, 4, 1));
	expect_eq("frames given back by F's last user (salt 1)", 1, leave(3, 4, 1));
	expect_eq("totals.frames", 0, eng.totals.frames);
	check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_equal_pages_merge_into_one_read_only_frame, setup),
		cmocka_unit_test_setup(test_a_hint_that_changed_is_not_trusted, setup),
		cmocka_unit_test_setup(test_a_hint_whose_page_is_gone_is_stale, setup),
		cmocka_unit_test_setup(test_a_hash_match_alone_never_shares, setup),
		cmocka_unit_test_setup(test_a_frame_entry_whose_frame_was_taken_is_stale, setup),
		cmocka_unit_test_setup(test_zero_pages_share_one_zero_frame, setup),
		cmocka_unit_test_setup(test_different_salts_never_share, setup),
		cmocka_unit_test_setup(test_a_write_to_a_shared_page_gets_a_private_copy, setup),
		cmocka_unit_test_setup(test_the_last_user_gets_the_frame_back, setup),
		cmocka_unit_test_setup(test_a_copy_without_memory_changes_nothing, setup),
		cmocka_unit_test_setup(test_release_frees_a_shared_frame_with_its_last_user, setup),
		cmocka_unit_test_setup(test_figures_count_fractions_of_saved_frames, setup),
		cmocka_unit_test_setup(test_random_merges_and_breaks_keep_every_byte, setup),
		cmocka_unit_test_setup(test_put_leaves_a_frame_others_still_use_shared, setup),
		cmocka_unit_test_setup(test_the_last_user_takes_the_frame_out_of_the_table_and_frees_it, setup),
		cmocka_unit_test_setup(test_the_zero_frame_is_uncounted_with_its_last_user, setup),
		cmocka_unit_test_setup(test_a_gfn_that_is_not_a_user_is_a_bug_and_frees_nothing, setup),
		cmocka_unit_test_setup(test_a_last_user_whose_frame_the_table_lost_is_a_bug_and_frees_nothing, setup),
		cmocka_unit_test_setup(test_the_salt_is_part_of_the_frame_key, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
