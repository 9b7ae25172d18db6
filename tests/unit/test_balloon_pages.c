/* tests/unit/test_balloon_pages.c — what an accepted balloon batch does
 * (vmm/balloon/pages.c): the release decision for private and shared
 * frames, the order PMAP → cache → flush → free, and deflate's all or
 * nothing. Hosted with ASan/UBSan, with a fake machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/balloon/pages.h"
#include "kernel/errno.h"

#define PAGES 64
#define FRAMES 64
#define RMAP 128
#define EVENTS_MAX 256
#define VM1 1
#define VM2 2

/* The fake machine: which frames are free, and what happened in order. */
struct machine {
	bool in_use[FRAMES];
	uint64_t frees, allocs, flushes;
	char events[EVENTS_MAX]; /* 'u'nmap 'm'ap 'f'lush 'x' free 'a'lloc */
	unsigned nevents;
	uint64_t alloc_limit; /* allocations still allowed */
};

static pmap_entry_t storage1[PAGES], storage2[PAGES];
static struct frame_info frames[FRAMES];
static struct rmap_entry rmap[RMAP];
static uint64_t scratch[PAGES];

static void event(struct machine *m, char e)
{
	if (m->nevents < EVENTS_MAX - 1)
		m->events[m->nevents++] = e;
}

static void fake_unmap(void *ctx, gfn_t gfn) { (void)gfn; event(ctx, 'u'); }

/* The handles of compressed copies dropped, in order ('d'). */
static uint64_t dropped[PAGES];
static unsigned ndropped;

static void fake_drop(void *ctx, gfn_t gfn, pmap_entry_t e)
{
	(void)gfn;
	if (pmap_entry_state(e) != PMAP_COMPRESSED)
		fail_msg("dropped the copy of gfn %llu, whose entry is not COMPRESSED", (unsigned long long)gfn.raw);
	dropped[ndropped++] = pmap_entry_handle(e);
	event(ctx, 'd');
}
static void fake_map(void *ctx, gfn_t gfn, mfn_t f) { (void)gfn; (void)f; event(ctx, 'm'); }
static void fake_flush(void *ctx) { struct machine *m = ctx; m->flushes++; event(m, 'f'); }

static void fake_free(void *ctx, mfn_t f)
{
	struct machine *m = ctx;
	if (f.raw >= FRAMES || !m->in_use[f.raw])
		fail_msg("freed mfn %llu, which is not in use", (unsigned long long)f.raw);
	m->in_use[f.raw] = false;
	m->frees++;
	event(m, 'x');
}

static int fake_alloc(void *ctx, mfn_t *out)
{
	struct machine *m = ctx;
	if (!m->alloc_limit)
		return -E_NO_MEMORY;
	for (uint64_t f = 0; f < FRAMES; f++) {
		if (m->in_use[f])
			continue;
		m->in_use[f] = true;
		m->alloc_limit--;
		m->allocs++;
		event(m, 'a');
		*out = mfn(f);
		return 0;
	}
	return -E_NO_MEMORY;
}

struct world {
	struct machine m;
	struct balloon_ops ops;
	struct pmap vm1, vm2;
	struct frame_table ft;
};

static void setup(struct world *w)
{
	memset(&w->m, 0, sizeof(w->m));
	w->m.alloc_limit = FRAMES;
	w->ops = (struct balloon_ops){ &w->m, fake_unmap, fake_map, fake_flush, fake_free, fake_alloc, fake_drop };
	ndropped = 0;
	pmap_init(&w->vm1, storage1, PAGES);
	pmap_init(&w->vm2, storage2, PAGES);
	frame_table_init(&w->ft, frames, FRAMES, rmap, RMAP);
}

/* gfn of vm (vm_id) gets frame f: private, or shared when `shared`. */
static void give(struct world *w, struct pmap *pm, uint32_t vm_id, uint64_t gfn, uint64_t f, bool shared)
{
	w->m.in_use[f] = true;
	assert_int_equal(pmap_set_private(pm, (gfn_t){ gfn }, mfn(f)), 0);
	if (shared) /* as a merge makes it: only a PRIVATE page becomes SHARED */
		assert_int_equal(pmap_set_shared(pm, (gfn_t){ gfn }, mfn(f)), 0);
	assert_int_equal(frame_table_add_user(&w->ft, mfn(f), vm_id, (gfn_t){ gfn }), 0);
}

static enum pmap_state state_of(const struct pmap *pm, uint64_t gfn)
{
	pmap_entry_t e;
	pmap_get(pm, (gfn_t){ gfn }, &e);
	return pmap_entry_state(e);
}

static struct balloon_inflated inflate(struct world *w, struct pmap *pm, uint32_t vm_id, const uint64_t *gfns,
				       uint32_t n)
{
	return balloon_inflate_apply(pm, &w->ft, vm_id, gfns, n, &w->ops, scratch);
}

static void test_private_pages_free_one_frame_each(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	for (uint64_t g = 0; g < 4; g++)
		give(&w, &w.vm1, VM1, g, 10 + g, false);
	uint64_t gfns[] = { 0, 1, 2, 3 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 4);
	assert_int_equal(r.frames_freed, 4);
	assert_int_equal(r.rmap_missing, 0);
	assert_int_equal(w.m.frees, 4);
	assert_int_equal(w.vm1.count[PMAP_BALLOONED], 4);
	for (uint64_t g = 0; g < 4; g++) {
		assert_int_equal(state_of(&w.vm1, g), PMAP_BALLOONED);
		assert_false(w.m.in_use[10 + g]);
		assert_int_equal(frame_table_refcount(&w.ft, mfn(10 + g)), 0);
	}
	/* PMAP and cache per page, then one flush, and only then the frees. */
	w.m.events[w.m.nevents] = 0;
	assert_string_equal(w.m.events, "uuuufxxxx");
}

/* A page memvisor compressed after the driver's touch: the gfn becomes
 * BALLOONED and its compressed copy is dropped, once, with the handle the
 * PMAP held; no frame is freed for it (none held it) and nothing is
 * unmapped (it was not mapped). */
static void test_a_compressed_page_drops_its_copy(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	give(&w, &w.vm1, VM1, 0, 10, false);
	give(&w, &w.vm1, VM1, 1, 11, false);
	assert_int_equal(pmap_set_compressed(&w.vm1, (gfn_t){ 1 }, 0x77), 0);
	assert_int_equal(frame_table_remove_user(&w.ft, mfn(11), VM1, (gfn_t){ 1 }), 0);
	w.m.in_use[11] = false; /* zswap freed it when it compressed the page */
	uint64_t gfns[] = { 0, 1 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 2);
	assert_int_equal(r.frames_freed, 1);
	assert_int_equal(r.compressed_dropped, 1);
	assert_int_equal(r.rmap_missing, 0);
	assert_int_equal(ndropped, 1);
	assert_int_equal(dropped[0], 0x77);
	assert_int_equal(state_of(&w.vm1, 1), PMAP_BALLOONED);
	assert_int_equal(w.vm1.count[PMAP_COMPRESSED], 0);
	assert_int_equal(w.vm1.count[PMAP_BALLOONED], 2);
	w.m.events[w.m.nevents] = 0;
	assert_string_equal(w.m.events, "udfx");
}

/* Frame 20 is shared by vm1 gfns 5 and 6 and vm2 gfn 9 (refcount 3):
 * it is freed when the last of the three is ballooned, not before. */
static void test_a_shared_frame_is_freed_by_its_last_user(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	give(&w, &w.vm1, VM1, 5, 20, true);
	give(&w, &w.vm1, VM1, 6, 20, true);
	give(&w, &w.vm2, VM2, 9, 20, true);
	uint64_t a[] = { 5 }, b[] = { 6 }, c[] = { 9 };
	assert_int_equal(inflate(&w, &w.vm1, VM1, a, 1).frames_freed, 0);
	assert_int_equal(frame_table_refcount(&w.ft, mfn(20)), 2);
	assert_int_equal(inflate(&w, &w.vm1, VM1, b, 1).frames_freed, 0);
	assert_true(w.m.in_use[20]);
	assert_int_equal(state_of(&w.vm2, 9), PMAP_SHARED); /* the other VM is not touched */
	assert_int_equal(inflate(&w, &w.vm2, VM2, c, 1).frames_freed, 1);
	assert_false(w.m.in_use[20]);
	assert_int_equal(w.m.frees, 1);
}

/* Two gfns of one batch on one shared frame: freed once, not twice. */
static void test_both_users_in_one_batch(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	give(&w, &w.vm1, VM1, 1, 30, false);
	give(&w, &w.vm1, VM1, 2, 31, true);
	give(&w, &w.vm1, VM1, 3, 31, true);
	give(&w, &w.vm2, VM2, 4, 32, true);
	give(&w, &w.vm1, VM1, 4, 32, true);
	uint64_t gfns[] = { 1, 2, 3, 4 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 4);
	assert_int_equal(r.frames_freed, 2); /* 30 and 31; 32 still has vm2 */
	assert_int_equal(w.m.frees, 2);
	assert_true(w.m.in_use[32]);
	assert_int_equal(frame_table_refcount(&w.ft, mfn(32)), 1);
}

static void test_a_missing_reverse_map_entry_is_counted(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	w.m.in_use[40] = true;
	pmap_set_private(&w.vm1, (gfn_t){ 7 }, mfn(40)); /* no frame-table user: a broken invariant */
	uint64_t gfns[] = { 7 };
	struct balloon_inflated r = inflate(&w, &w.vm1, VM1, gfns, 1);
	assert_int_equal(r.rmap_missing, 1);
	assert_int_equal(r.frames_freed, 0); /* never free what the table does not vouch for */
}

static void test_deflate_gives_fresh_mapped_frames(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	give(&w, &w.vm1, VM1, 8, 50, false);
	uint64_t gfns[] = { 8 };
	inflate(&w, &w.vm1, VM1, gfns, 1);
	w.m.nevents = 0;
	uint32_t failed;
	assert_int_equal(balloon_deflate_apply(&w.vm1, &w.ft, VM1, gfns, 1, &w.ops, scratch, &failed), 0);
	assert_int_equal(failed, 0);
	pmap_entry_t e;
	pmap_get(&w.vm1, (gfn_t){ 8 }, &e);
	assert_int_equal(pmap_entry_state(e), PMAP_PRIVATE);
	assert_true(w.m.in_use[pmap_entry_mfn(e).raw]);
	assert_int_equal(frame_table_refcount(&w.ft, pmap_entry_mfn(e)), 1);
	w.m.events[w.m.nevents] = 0;
	assert_string_equal(w.m.events, "am");
}

static void test_deflate_without_enough_frames_changes_nothing(void **state)
{
	(void)state;
	struct world w;
	setup(&w);
	for (uint64_t g = 0; g < 3; g++)
		give(&w, &w.vm1, VM1, g, 10 + g, false);
	uint64_t gfns[] = { 0, 1, 2 };
	inflate(&w, &w.vm1, VM1, gfns, 3);
	pmap_entry_t before[PAGES];
	memcpy(before, storage1, sizeof(before));
	uint32_t rmap_used = w.ft.rmap_used, failed;
	w.m.alloc_limit = 2; /* one frame short */
	assert_int_equal(balloon_deflate_apply(&w.vm1, &w.ft, VM1, gfns, 3, &w.ops, scratch, &failed), -E_NO_MEMORY);
	assert_memory_equal(before, storage1, sizeof(before));
	assert_int_equal(w.ft.rmap_used, rmap_used);
	assert_int_equal(w.m.allocs, 2);
	assert_int_equal(w.m.frees, 3 + 2); /* the inflate's, then both it got back */
	for (uint64_t f = 0; f < FRAMES; f++)
		assert_false(w.m.in_use[f]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_pages_free_one_frame_each),
		cmocka_unit_test(test_a_compressed_page_drops_its_copy),
		cmocka_unit_test(test_a_shared_frame_is_freed_by_its_last_user),
		cmocka_unit_test(test_both_users_in_one_batch),
		cmocka_unit_test(test_a_missing_reverse_map_entry_is_counted),
		cmocka_unit_test(test_deflate_gives_fresh_mapped_frames),
		cmocka_unit_test(test_deflate_without_enough_frames_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
