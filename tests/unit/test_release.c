/* tests/unit/test_release.c — a VM's memory given back when it ends
 * (vmm/mm/release.c, vm_memory_release(); lab 2's exercise 2.3), hosted
 * with ASan/UBSan over a real PMAP and frame table. Machine frames, the
 * nested tables (a per-gfn record of what they map), sharing's table, the
 * swap area's objects and the swap disk's slots are fakes here; each fake
 * checks, when it is called, what must already be true then (a frame
 * freed is unmapped everywhere and has no user left, a flush comes after
 * the last unmap, nothing touches the tables once they are destroyed),
 * and the end state is checked against what the test built: every frame,
 * object and slot of the VM back exactly once, the other VM's untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fail_because.h"

#include "vmm/mm/memory.h"
#include "vmm/share/cow.h"
#include "vmm/swap/swap.h"
#include "vmm/zswap/zswap.h"
#include "kernel/errno.h"
#include "kernel/mem.h"

#define NVMS 2
#define VM_PAGES 24
#define NFRAMES 64
#define NHANDLES 64 /* compressed objects and swap slots: numbers below this */


/* ---- what release.c uses from the rest of the kernel ---- */
struct frame_table frame_table;
static struct frame_info finfo[NFRAMES];
static struct rmap_entry rmap[NVMS * VM_PAGES];

static struct vm vm_store[NVMS];
static pmap_entry_t pmap_store[NVMS][VM_PAGES];

static bool frame_used[NFRAMES];      /* allocated to a guest, not yet freed */
static unsigned frees[NFRAMES];       /* times vm_frame_free() was called on it */
static bool in_share_table[NFRAMES];  /* sharing's table names it (a SHARED frame) */
static uint64_t mapped[NVMS][VM_PAGES]; /* the nested tables: mfn + 1, or 0 */
static bool object_live[NHANDLES], slot_live[NHANDLES];
static unsigned object_drops[NHANDLES], slot_releases[NHANDLES];
static unsigned share_releases[NVMS][VM_PAGES];

/* What the backend saw, per VM. */
static struct {
	unsigned unmaps, flushes, destroys, storage_frees;
	bool flushed_since_unmap; /* a flush came after the last unmap */
	pmap_entry_t *storage;     /* what vm_memory_init() would have allocated */
} seen[NVMS];

static unsigned slot_of(const struct vm *vm)
{
	assert_true(vm >= vm_store && vm < vm_store + NVMS);
	return (unsigned)(vm - vm_store);
}

/* Which VM and gfn the nested tables map frame f for (vm -1: none). */
static void mapper_of(uint64_t f, int *vm, uint64_t *gfn)
{
	for (*vm = 0; *vm < NVMS; (*vm)++)
		for (*gfn = 0; *gfn < VM_PAGES; (*gfn)++)
			if (mapped[*vm][*gfn] == f + 1)
				return;
	*vm = -1;
}

void vm_frame_free(mfn_t f)
{
	if (f.raw >= NFRAMES || !frame_used[f.raw])
		fail_because("vm_frame_free(mfn %llu): expected a frame the guests hold, seen one %s",
			 (unsigned long long)f.raw,
			 f.raw >= NFRAMES ? "that no guest was given (not an mfn of a frame-holding entry?)"
					  : "already freed (freed twice)");
	uint32_t users = frame_table_refcount(&frame_table, f);
	if (users)
		fail_because("vm_frame_free(mfn %llu): expected no user left in the frame table, seen %u",
			 (unsigned long long)f.raw, users);
	int vm;
	uint64_t gfn;
	mapper_of(f.raw, &vm, &gfn);
	if (vm >= 0)
		fail_because("vm_frame_free(mfn %llu): expected it unmapped first, seen the nested tables of vm%d "
			 "still map gfn %llu to it",
			 (unsigned long long)f.raw, vm + 1, (unsigned long long)gfn);
	if (in_share_table[f.raw])
		fail_because("vm_frame_free(mfn %llu): a SHARED frame freed outside sharing: expected "
			 "share_release_gfn() to give it back with its last user, seen sharing's table still naming it",
			 (unsigned long long)f.raw);
	frame_used[f.raw] = false;
	frees[f.raw]++;
}

void mem_free_bytes(void *p, uint64_t bytes)
{
	for (unsigned v = 0; v < NVMS; v++)
		if (p == pmap_store[v]) {
			if (bytes != pmap_storage_bytes(VM_PAGES))
				fail_because("mem_free_bytes(vm%u's PMAP): expected %llu bytes, seen %llu", v + 1,
					 (unsigned long long)pmap_storage_bytes(VM_PAGES), (unsigned long long)bytes);
			if (!seen[v].destroys)
				fail_because("vm%u's PMAP freed before its nested tables were destroyed", v + 1);
			seen[v].storage_frees++;
			/* What the allocator would do: the storage is no longer the VM's. */
			memset(pmap_store[v], 0xa5, sizeof(pmap_store[v]));
			return;
		}
	fail_because("mem_free_bytes(%p, %llu): expected a VM's PMAP storage", p, (unsigned long long)bytes);
}

/* The entry of (vm, gfn) as the PMAP says now; fails once the storage is gone. */
static pmap_entry_t entry_now(struct vm *vm, gfn_t gfn, const char *who)
{
	unsigned v = slot_of(vm);
	if (seen[v].storage_frees)
		fail_because("%s(vm%u, gfn %llu) after the VM's PMAP was freed", who, v + 1, (unsigned long long)gfn.raw);
	assert_true(gfn.raw < VM_PAGES);
	pmap_entry_t e;
	assert_int_equal(pmap_get(&vm->pmap, gfn, &e), 0);
	return e;
}

static void tables_alive(unsigned v, const char *who)
{
	if (seen[v].destroys)
		fail_because("backend->%s(vm%u) after its nested tables were destroyed (vm_destroy)", who, v + 1);
}

void share_release_gfn(struct vm *vm, gfn_t gfn, mfn_t f)
{
	unsigned v = slot_of(vm);
	pmap_entry_t e = entry_now(vm, gfn, "share_release_gfn");
	if (pmap_entry_state(e) != PMAP_SHARED || pmap_entry_mfn(e).raw != f.raw)
		fail_because("share_release_gfn(vm%u, gfn %llu, mfn %llu): expected a SHARED gfn and its frame, "
			 "seen the PMAP say %s mfn %llu",
			 v + 1, (unsigned long long)gfn.raw, (unsigned long long)f.raw,
			 pmap_state_name(pmap_entry_state(e)), (unsigned long long)pmap_entry_mfn(e).raw);
	if (mapped[v][gfn.raw])
		fail_because("share_release_gfn(vm%u, gfn %llu): expected it unmapped first (its frame may go with "
			 "this user), seen the nested tables still map it",
			 v + 1, (unsigned long long)gfn.raw);
	share_releases[v][gfn.raw]++;
	/* What sharing does (vmm/share/cow.c, share_put()): the user dropped,
	 * the frame forgotten and freed with its last one. */
	int left = frame_table_remove_user(&frame_table, f, vm->id, gfn);
	if (left < 0)
		fail_because("share_release_gfn(vm%u, gfn %llu): not a user of mfn %llu (released twice?)", v + 1,
			 (unsigned long long)gfn.raw, (unsigned long long)f.raw);
	if (left == 0) {
		in_share_table[f.raw] = false;
		vm_frame_free(f);
	}
}

void zswap_drop(struct vm *vm, gfn_t gfn, pmap_entry_t e)
{
	unsigned v = slot_of(vm);
	pmap_entry_t now = entry_now(vm, gfn, "zswap_drop");
	if (pmap_entry_state(e) != PMAP_COMPRESSED || e.raw != now.raw)
		fail_because("zswap_drop(vm%u, gfn %llu, entry %#llx): expected the gfn's COMPRESSED entry, "
			 "seen the PMAP say %#llx (%s)",
			 v + 1, (unsigned long long)gfn.raw, (unsigned long long)e.raw, (unsigned long long)now.raw,
			 pmap_state_name(pmap_entry_state(now)));
	uint64_t h = pmap_entry_handle(e);
	assert_true(h < NHANDLES);
	object_drops[h]++;
	if (!object_live[h])
		fail_because("zswap_drop(vm%u, gfn %llu): object %llu dropped twice", v + 1, (unsigned long long)gfn.raw,
			 (unsigned long long)h);
	object_live[h] = false;
}

void swap_release_gfn(struct vm *vm, gfn_t gfn)
{
	unsigned v = slot_of(vm);
	pmap_entry_t e = entry_now(vm, gfn, "swap_release_gfn");
	if (pmap_entry_state(e) != PMAP_SWAPPED) /* swap.c ASSERTs it: memvisor would panic */
		fail_because("swap_release_gfn(vm%u, gfn %llu): expected a SWAPPED gfn, seen %s (memvisor panics)",
			 v + 1, (unsigned long long)gfn.raw, pmap_state_name(pmap_entry_state(e)));
	uint64_t s = pmap_entry_slot(e);
	assert_true(s < NHANDLES);
	slot_releases[s]++;
	slot_live[s] = false;
	/* What swap does (vmm/swap/swap.c): SWAPPED → UNTOUCHED, the slot freed. */
	assert_int_equal(pmap_release_swapped(&vm->pmap, gfn), 0);
}

static int fake_unmap(struct vm *vm, gfn_t gfn)
{
	unsigned v = slot_of(vm);
	tables_alive(v, "unmap");
	assert_true(gfn.raw < VM_PAGES);
	seen[v].unmaps++;
	seen[v].flushed_since_unmap = false;
	bool was = mapped[v][gfn.raw];
	mapped[v][gfn.raw] = 0;
	return was ? 0 : -E_NOT_FOUND;
}

static void fake_flush(struct vm *vm)
{
	unsigned v = slot_of(vm);
	tables_alive(v, "flush");
	seen[v].flushes++;
	seen[v].flushed_since_unmap = true;
}

static void fake_vm_destroy(struct vm *vm)
{
	unsigned v = slot_of(vm);
	tables_alive(v, "vm_destroy");
	if (!seen[v].flushed_since_unmap)
		fail_because("vm%u's nested tables destroyed with %s: expected backend->flush() after the last unmap "
			 "and before vm_destroy (the TLB may still hold the translations)",
			 v + 1, seen[v].flushes ? "an unmap after the last flush" : "no flush at all");
	for (unsigned g = 0; g < VM_PAGES; g++)
		if (mapped[v][g])
			fail_because("vm%u's nested tables destroyed while they still map gfn %u to mfn %llu, a frame "
				 "that was not unmapped",
				 v + 1, g, (unsigned long long)(mapped[v][g] - 1));
	seen[v].destroys++;
}

static const struct backend fake_backend = {
	.name = "fake",
	.unmap = fake_unmap,
	.flush = fake_flush,
	.vm_destroy = fake_vm_destroy,
};
const struct backend *backend = &fake_backend;

/* ---- building a VM's pages in each state ---- */
static uint64_t next_handle;

static uint64_t new_frame(void)
{
	for (uint64_t f = 0; f < NFRAMES; f++)
		if (!frame_used[f]) {
			frame_used[f] = true;
			return f;
		}
	fail_because("the test ran out of frames");
	return 0;
}

static struct vm *vm_of(unsigned v)
{
	return &vm_store[v];
}

static void make_private(unsigned v, uint64_t g, bool map)
{
	uint64_t f = new_frame();
	assert_int_equal(pmap_set_private(&vm_of(v)->pmap, (gfn_t){ g }, (mfn_t){ f }), 0);
	assert_int_equal(frame_table_add_user(&frame_table, (mfn_t){ f }, v + 1, (gfn_t){ g }), 0);
	if (map)
		mapped[v][g] = f + 1;
}

/* Gives each (vm, gfn) of the list one shared frame; returns it. */
static uint64_t make_shared(unsigned n, const unsigned *vms, const uint64_t *gfns)
{
	uint64_t f = new_frame();
	for (unsigned i = 0; i < n; i++) {
		struct pmap *pm = &vm_of(vms[i])->pmap;
		assert_int_equal(pmap_set_private(pm, (gfn_t){ gfns[i] }, (mfn_t){ f }), 0);
		assert_int_equal(pmap_set_shared(pm, (gfn_t){ gfns[i] }, (mfn_t){ f }), 0);
		assert_int_equal(frame_table_add_user(&frame_table, (mfn_t){ f }, vms[i] + 1, (gfn_t){ gfns[i] }), 0);
		mapped[vms[i]][gfns[i]] = f + 1;
	}
	in_share_table[f] = true;
	return f;
}

/* A page that was PRIVATE and now lives elsewhere: its frame went back. */
static void private_then(unsigned v, uint64_t g, enum pmap_state st)
{
	struct pmap *pm = &vm_of(v)->pmap;
	make_private(v, g, false);
	pmap_entry_t e;
	assert_int_equal(pmap_get(pm, (gfn_t){ g }, &e), 0);
	mfn_t f = pmap_entry_mfn(e);
	uint64_t h = next_handle++;
	assert_true(h < NHANDLES);
	if (st == PMAP_COMPRESSED) {
		assert_int_equal(pmap_set_compressed(pm, (gfn_t){ g }, h), 0);
		object_live[h] = true;
	} else if (st == PMAP_SWAPPED) {
		assert_int_equal(pmap_set_swapped(pm, (gfn_t){ g }, h), 0);
		slot_live[h] = true;
	} else {
		assert_int_equal(pmap_set_ballooned(pm, (gfn_t){ g }), 0);
	}
	assert_int_equal(frame_table_remove_user(&frame_table, f, v + 1, (gfn_t){ g }), 0);
	frame_used[f.raw] = false;
}

static void make_compressed(unsigned v, uint64_t g)
{
	private_then(v, g, PMAP_COMPRESSED);
}

static void make_swapped(unsigned v, uint64_t g)
{
	private_then(v, g, PMAP_SWAPPED);
}

static void make_ballooned(unsigned v, uint64_t g)
{
	private_then(v, g, PMAP_BALLOONED);
}

static int setup(void **state)
{
	(void)state;
	memset(frame_used, 0, sizeof(frame_used));
	memset(frees, 0, sizeof(frees));
	memset(in_share_table, 0, sizeof(in_share_table));
	memset(mapped, 0, sizeof(mapped));
	memset(object_live, 0, sizeof(object_live));
	memset(slot_live, 0, sizeof(slot_live));
	memset(object_drops, 0, sizeof(object_drops));
	memset(slot_releases, 0, sizeof(slot_releases));
	memset(share_releases, 0, sizeof(share_releases));
	memset(seen, 0, sizeof(seen));
	next_handle = 0;
	frame_table_init(&frame_table, finfo, NFRAMES, rmap, NVMS * VM_PAGES);
	for (unsigned v = 0; v < NVMS; v++) {
		memset(&vm_store[v], 0, sizeof(vm_store[v]));
		vm_store[v].id = v + 1;
		pmap_init(&vm_store[v].pmap, pmap_store[v], VM_PAGES);
		seen[v].storage = pmap_store[v];
	}
	return 0;
}

/* ---- what must hold once vm v was released ---- */

/* A copy of what the other VMs hold, to see that the release left it alone. */
static struct {
	pmap_entry_t pmap[NVMS][VM_PAGES];
	uint64_t mapped[NVMS][VM_PAGES];
	uint64_t pmap_count[NVMS][PMAP_STATE_COUNT];
} before;

static void release(unsigned v)
{
	memcpy(before.pmap, pmap_store, sizeof(pmap_store));
	memcpy(before.mapped, mapped, sizeof(mapped));
	for (unsigned w = 0; w < NVMS; w++)
		memcpy(before.pmap_count[w], vm_store[w].pmap.count, sizeof(before.pmap_count[w]));
	vm_memory_release(vm_of(v));
}

/* Every frame, object and slot of vm v went back once; what other VMs
 * still use is as it was; the tables are gone and the PMAP is empty. */
static void check_released(unsigned v)
{
	struct vm *vm = vm_of(v);
	if (seen[v].destroys != 1)
		fail_because("vm%u's nested tables: expected destroyed once (backend->vm_destroy), seen %u times", v + 1,
			 seen[v].destroys);
	if (seen[v].storage_frees != 1)
		fail_because("vm%u's PMAP storage: expected freed once (mem_free_bytes), seen %u times", v + 1,
			 seen[v].storage_frees);
	if (vm->pmap.entries != NULL || vm->pmap.npages != 0)
		fail_because("vm%u's PMAP after the release: expected entries NULL and npages 0 (\"holds no memory\"), "
			 "seen entries %p and npages %llu",
			 v + 1, (void *)vm->pmap.entries, (unsigned long long)vm->pmap.npages);
	for (int st = 0; st < PMAP_STATE_COUNT; st++)
		if (vm->pmap.count[st])
			fail_because("vm%u's PMAP after the release: expected 0 %s entries counted, seen %llu", v + 1,
				 pmap_state_name((enum pmap_state)st), (unsigned long long)vm->pmap.count[st]);
	for (unsigned g = 0; g < VM_PAGES; g++) {
		if (mapped[v][g])
			fail_because("vm%u gfn %u: expected unmapped after the release, seen mapped to mfn %llu", v + 1, g,
				 (unsigned long long)(mapped[v][g] - 1));
		pmap_entry_t e = before.pmap[v][g];
		if (pmap_entry_has_frame(e) &&
		    frame_table_has_user(&frame_table, pmap_entry_mfn(e), v + 1, (gfn_t){ g }))
			fail_because("vm%u gfn %u: expected no longer a user of mfn %llu in the frame table, seen still one",
				 v + 1, g, (unsigned long long)pmap_entry_mfn(e).raw);
		if (pmap_entry_state(e) == PMAP_SHARED && share_releases[v][g] != 1)
			fail_because("vm%u gfn %u (SHARED): expected share_release_gfn() once, seen %u times", v + 1, g,
				 share_releases[v][g]);
		if (pmap_entry_state(e) != PMAP_SHARED && share_releases[v][g])
			fail_because("vm%u gfn %u (%s): expected no share_release_gfn(), seen %u", v + 1, g,
				 pmap_state_name(pmap_entry_state(e)), share_releases[v][g]);
		if (pmap_entry_state(e) == PMAP_COMPRESSED && object_drops[pmap_entry_handle(e)] != 1)
			fail_because("vm%u gfn %u (COMPRESSED, object %llu): expected dropped once (zswap_drop), seen %u "
				 "times",
				 v + 1, g, (unsigned long long)pmap_entry_handle(e), object_drops[pmap_entry_handle(e)]);
		if (pmap_entry_state(e) == PMAP_SWAPPED && slot_releases[pmap_entry_slot(e)] != 1)
			fail_because("vm%u gfn %u (SWAPPED, slot %llu): expected released once (swap_release_gfn), seen %u "
				 "times",
				 v + 1, g, (unsigned long long)pmap_entry_slot(e), slot_releases[pmap_entry_slot(e)]);
	}
	/* A frame goes back when no VM uses it any more, and only then. */
	for (uint64_t f = 0; f < NFRAMES; f++) {
		uint32_t users = frame_table_refcount(&frame_table, (mfn_t){ f });
		if (frees[f] > 1)
			fail_because("mfn %llu: expected freed once, seen %u times", (unsigned long long)f, frees[f]);
		if (users && !frame_used[f])
			fail_because("mfn %llu: freed while the frame table still lists %u user(s) of another VM",
				 (unsigned long long)f, users);
		if (!users && frame_used[f])
			fail_because("mfn %llu: expected back (no user left), seen still allocated: a frame leaked",
				 (unsigned long long)f);
	}
	for (unsigned w = 0; w < NVMS; w++) {
		if (w == v || !vm_store[w].pmap.entries)
			continue;
		if (memcmp(before.pmap[w], pmap_store[w], sizeof(pmap_store[w])) ||
		    memcmp(before.pmap_count[w], vm_store[w].pmap.count, sizeof(before.pmap_count[w])))
			fail_because("vm%u's PMAP changed when vm%u was released", w + 1, v + 1);
		for (unsigned g = 0; g < VM_PAGES; g++)
			if (before.mapped[w][g] != mapped[w][g])
				fail_because("vm%u gfn %u's nested mapping changed when vm%u was released", w + 1, g, v + 1);
		if (seen[w].unmaps || seen[w].flushes || seen[w].destroys)
			fail_because("vm%u's nested tables touched when vm%u was released", w + 1, v + 1);
	}
}

static unsigned live_objects(void)
{
	unsigned n = 0;
	for (unsigned h = 0; h < NHANDLES; h++)
		n += object_live[h] + slot_live[h];
	return n;
}

/* ---- the tests ---- */

static unsigned frames_users_n(uint64_t f)
{
	return frame_table_refcount(&frame_table, (mfn_t){ f });
}


static void test_every_private_frame_goes_back_once_unmapped_first(void **state)
{
	(void)state;
	for (uint64_t g = 0; g < VM_PAGES; g += 2)
		make_private(0, g, true);
	release(0);
	check_released(0);
	for (uint64_t f = 0; f < VM_PAGES / 2; f++)
		if (frees[f] != 1)
			fail_because("mfn %llu (vm1's PRIVATE frame): expected freed once, seen %u", (unsigned long long)f,
				 frees[f]);
}

/* The PMAP is the truth, the nested tables a cache that may have been
 * dropped: a PRIVATE gfn the tables do not map holds its frame all the same. */
static void test_a_private_frame_the_tables_do_not_map_goes_back_too(void **state)
{
	(void)state;
	make_private(0, 3, false);
	make_private(0, 4, true);
	make_private(0, 9, false);
	release(0);
	check_released(0);
	for (uint64_t f = 0; f < 3; f++)
		if (frees[f] != 1)
			fail_because("mfn %llu: expected freed once, seen %u", (unsigned long long)f, frees[f]);
}

static void test_a_shared_frame_goes_back_with_its_last_user_only(void **state)
{
	(void)state;
	const unsigned vms[] = { 0, 1 };
	const uint64_t gfns[] = { 5, 7 };
	uint64_t f = make_shared(2, vms, gfns);
	make_private(1, 2, true);
	release(0);
	check_released(0);
	if (!frame_used[f] || frames_users_n(f) != 1)
		fail_because("mfn %llu shared by vm1 and vm2, vm1 released: expected still vm2's (1 user), seen %s with "
			 "%u user(s)",
			 (unsigned long long)f, frame_used[f] ? "allocated" : "freed", frames_users_n(f));
	release(1);
	check_released(1);
	if (frees[f] != 1)
		fail_because("mfn %llu: expected freed once with its last user (vm2), seen %u", (unsigned long long)f,
			 frees[f]);
}

/* Two gfns of one VM on one shared frame (a zero page, say): each gives
 * up its use, the frame goes back once. */
static void test_a_frame_shared_within_one_vm_goes_back_once(void **state)
{
	(void)state;
	const unsigned vms[] = { 0, 0, 0 };
	const uint64_t gfns[] = { 1, 2, 20 };
	uint64_t f = make_shared(3, vms, gfns);
	release(0);
	check_released(0);
	if (frees[f] != 1)
		fail_because("mfn %llu shared by 3 gfns of vm1: expected freed once, seen %u", (unsigned long long)f,
			 frees[f]);
}

static void test_every_compressed_object_is_dropped_once(void **state)
{
	(void)state;
	make_compressed(0, 0);
	make_compressed(0, 11);
	make_compressed(0, VM_PAGES - 1);
	make_compressed(1, 11);
	release(0);
	check_released(0);
	if (live_objects() != 1)
		fail_because("objects left after vm1's release: expected 1 (vm2's), seen %u", live_objects());
}

static void test_every_swap_slot_is_released_once(void **state)
{
	(void)state;
	make_swapped(0, 1);
	make_swapped(0, 12);
	make_swapped(0, VM_PAGES - 1);
	make_swapped(1, 1);
	release(0);
	check_released(0);
	if (live_objects() != 1)
		fail_because("slots left after vm1's release: expected 1 (vm2's), seen %u", live_objects());
}

/* UNTOUCHED and BALLOONED entries have nothing behind them: nothing is
 * freed, dropped or released for them. */
static void test_untouched_and_ballooned_gfns_give_nothing_back(void **state)
{
	(void)state;
	make_ballooned(0, 2);
	make_ballooned(0, 3);
	make_ballooned(0, VM_PAGES - 1);
	unsigned before_frees = 0;
	for (uint64_t f = 0; f < NFRAMES; f++)
		before_frees += frees[f];
	release(0);
	check_released(0);
	unsigned after_frees = 0;
	for (uint64_t f = 0; f < NFRAMES; f++)
		after_frees += frees[f];
	if (after_frees != before_frees)
		fail_because("a VM with only UNTOUCHED and BALLOONED gfns: expected no frame freed, seen %u",
			 after_frees - before_frees);
	for (unsigned h = 0; h < NHANDLES; h++)
		if (object_drops[h] || slot_releases[h])
			fail_because("a VM with only UNTOUCHED and BALLOONED gfns: expected nothing dropped or released, "
				 "seen handle %u dropped %u and slot released %u times",
				 h, object_drops[h], slot_releases[h]);
}

/* One flush after the last unmap, then the tables destroyed, then the
 * PMAP freed (the fakes check the order as it happens). */
static void test_the_tables_are_flushed_after_the_last_unmap_then_destroyed(void **state)
{
	(void)state;
	make_private(0, 0, true);
	const unsigned vms[] = { 0 };
	const uint64_t gfns[] = { VM_PAGES - 1 };
	make_shared(1, vms, gfns);
	release(0);
	check_released(0);
	if (seen[0].flushes < 1 || !seen[0].flushed_since_unmap)
		fail_because("vm1: expected a flush after its last unmap, seen %u flush(es), %s", seen[0].flushes,
			 seen[0].flushed_since_unmap ? "the last after the last unmap" : "an unmap after the last");
}

/* A VM that never touched a page still has tables and a PMAP to give back. */
static void test_an_empty_vm_gives_back_its_tables_and_pmap(void **state)
{
	(void)state;
	release(1);
	check_released(1);
}

/* Both VMs with pages in every state, at random; one released, then the
 * other: after both, nothing is left anywhere. */
static void test_random_mixes_of_every_state_leave_nothing_behind(void **state)
{
	uint64_t rng = 0x2545f4914f6cdd1dull;
	for (int round = 0; round < 300; round++) {
		setup(state);
		for (unsigned v = 0; v < NVMS; v++)
			for (uint64_t g = 0; g < VM_PAGES; g++) {
				rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
				pmap_entry_t e;
				assert_int_equal(pmap_get(&vm_of(v)->pmap, (gfn_t){ g }, &e), 0);
				if (pmap_entry_state(e) != PMAP_UNTOUCHED)
					continue;
				switch (rng % 8) {
				case 0: break; /* untouched */
				case 1: make_private(v, g, true); break;
				case 2: make_private(v, g, false); break;
				case 3: make_ballooned(v, g); break;
				case 4: if (next_handle < NHANDLES) make_compressed(v, g); break;
				case 5: if (next_handle < NHANDLES) make_swapped(v, g); break;
				default: { /* shared with one to three other gfns, of either VM */
					unsigned vms[4] = { v }, n = 1;
					uint64_t gfns[4] = { g };
					for (unsigned k = 0; k < 1 + (rng >> 8) % 3; k++) {
						unsigned w = (unsigned)(rng >> (12 + k)) % NVMS;
						uint64_t h = (rng >> (16 + 5 * k)) % VM_PAGES;
						pmap_entry_t o;
						assert_int_equal(pmap_get(&vm_of(w)->pmap, (gfn_t){ h }, &o), 0);
						bool dup = false;
						for (unsigned i = 0; i < n; i++)
							dup |= vms[i] == w && gfns[i] == h;
						if (!dup && pmap_entry_state(o) == PMAP_UNTOUCHED)
							vms[n] = w, gfns[n++] = h;
					}
					make_shared(n, vms, gfns);
				}
				}
			}
		unsigned first = (unsigned)(rng >> 40) % NVMS;
		release(first);
		check_released(first);
		release(1 - first);
		check_released(1 - first);
		for (uint64_t f = 0; f < NFRAMES; f++)
			if (frame_used[f] || frames_users_n(f))
				fail_because("round %d: mfn %llu left after both VMs were released (%u users)", round,
					 (unsigned long long)f, frames_users_n(f));
		if (live_objects())
			fail_because("round %d: %u objects or slots left after both VMs were released", round,
				 live_objects());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_private_frame_goes_back_once_unmapped_first, setup),
		cmocka_unit_test_setup(test_a_private_frame_the_tables_do_not_map_goes_back_too, setup),
		cmocka_unit_test_setup(test_a_shared_frame_goes_back_with_its_last_user_only, setup),
		cmocka_unit_test_setup(test_a_frame_shared_within_one_vm_goes_back_once, setup),
		cmocka_unit_test_setup(test_every_compressed_object_is_dropped_once, setup),
		cmocka_unit_test_setup(test_every_swap_slot_is_released_once, setup),
		cmocka_unit_test_setup(test_untouched_and_ballooned_gfns_give_nothing_back, setup),
		cmocka_unit_test_setup(test_the_tables_are_flushed_after_the_last_unmap_then_destroyed, setup),
		cmocka_unit_test_setup(test_an_empty_vm_gives_back_its_tables_and_pmap, setup),
		cmocka_unit_test_setup(test_random_mixes_of_every_state_leave_nothing_behind, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
