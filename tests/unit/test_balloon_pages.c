/* tests/unit/test_balloon_pages.c — deflate (vmm/balloon/pages.c): fresh
 * frames mapped back, and all or nothing. Hosted with ASan/UBSan, with a
 * fake machine. Inflate — lab 4's exercise 4.3 — is graded by
 * tests/unit/test_balloon_inflate.c. */
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

static struct balloon_inflated inflate(struct world *w, struct pmap *pm, uint32_t vm_id, const uint64_t *gfns,
				       uint32_t n)
{
	return balloon_inflate_apply(pm, &w->ft, vm_id, gfns, n, &w->ops, scratch);
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
		cmocka_unit_test(test_deflate_gives_fresh_mapped_frames),
		cmocka_unit_test(test_deflate_without_enough_frames_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
