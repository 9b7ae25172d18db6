/* vmm/mm/invariants.c — the checker that PMAP, nested tables and frame table
 * tell one story:
 *   1. a gfn the PMAP calls PRIVATE/SHARED names a frame that the frame
 *      table lists (vm, gfn) as a user of, and the allocator calls in use;
 *   2. the nested tables map a gfn only to the frame its PMAP entry names,
 *      and never map a gfn whose PMAP entry holds no frame (the cache may
 *      lack entries, never disagree);
 *   3. a shared frame is mapped read-only; a private one read/write;
 *   4. every frame's refcount equals its number of reverse-map entries, and
 *      each of those points back through its VM's PMAP;
 *   5. a ballooned gfn is never mapped (2) and its entry keeps no frame
 *      number that a later bug could use; no balloon exceeds its cap;
 *   6. page sharing (vmm/share/share.h): a private frame has one user; a shared
 *      frame may have one too (the others broke away), and all its users
 *      map it SHARED and have one salt; the share table names each shared
 *      frame under the hash of its contents (unchanged since the merge:
 *      read-only works) and its zero flag is right;
 *   7. the compressed swap area (vmm/zswap/check.c): each compressed gfn's
 *      handle names a live object that names it back, one object per gfn,
 *      and each VM's share adds up and stays within its cap.
 * Tests run it; so does the run loop whenever a VM ends. */
#include "vmm/vmm.h"
#include "vmm/vm.h"
#include "vmm/share/page_hash.h"
#include "vmm/share/scan.h"
#include "vmm/zswap/zswap.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/printf.h"

#define REPORT_MAX 10

static unsigned violations;

__attribute__((format(printf, 1, 2))) static void violation(const char *fmt, ...)
{
	if (violations++ < REPORT_MAX) {
		char msg[200];
		va_list ap;
		va_start(ap, fmt);
		kvsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		kprintf("memvisor: invariant: %s\n", msg);
	}
}

/* The VM with that id while it still holds memory; NULL otherwise. */
static struct vm *live_vm(uint32_t id)
{
	struct vm *vm = vm_by_id(id);
	return vm && vm->pmap.entries ? vm : NULL;
}

struct user_search {
	uint32_t vm_id;
	uint64_t gfn;
	bool found;
};

static bool match_user(uint32_t vm_id, gfn_t gfn, void *ctx)
{
	struct user_search *s = ctx;
	s->found = vm_id == s->vm_id && gfn.raw == s->gfn;
	return !s->found;
}

static void check_gfn(struct vm *vm, uint64_t g)
{
	pmap_entry_t e = vm->pmap.entries[g];
	mfn_t mapped;
	unsigned prot;
	bool is_mapped = backend->lookup(vm, (gfn_t){ g }, &mapped, &prot) == 0;
	if (!pmap_entry_has_frame(e)) {
		if (is_mapped)
			violation("vm%u gfn %#llx is %s in the PMAP but mapped to mfn %#llx", vm->id,
				  (unsigned long long)g, pmap_state_name(pmap_entry_state(e)), (unsigned long long)mapped.raw);
		if (pmap_entry_state(e) == PMAP_BALLOONED && e.raw != PMAP_BALLOONED)
			violation("vm%u gfn %#llx is ballooned but its entry still holds %#llx", vm->id,
				  (unsigned long long)g, (unsigned long long)e.raw);
		return;
	}
	mfn_t f = pmap_entry_mfn(e);
	struct user_search s = { vm->id, g, false };
	frame_table_for_each_user(&frame_table, f, match_user, &s);
	if (!s.found)
		violation("vm%u gfn %#llx -> mfn %#llx, but the frame's reverse map lacks it", vm->id,
			  (unsigned long long)g, (unsigned long long)f.raw);
	if (frames_is_free(&machine_frames, f))
		violation("vm%u gfn %#llx -> mfn %#llx, which the allocator calls free", vm->id, (unsigned long long)g,
			  (unsigned long long)f.raw);
	if (is_mapped && mapped.raw != f.raw)
		violation("vm%u gfn %#llx: PMAP says mfn %#llx, nested tables say %#llx", vm->id,
			  (unsigned long long)g, (unsigned long long)f.raw, (unsigned long long)mapped.raw);
	bool shared = pmap_entry_state(e) == PMAP_SHARED;
	if (is_mapped && shared && (prot & NPT_WRITE))
		violation("vm%u gfn %#llx is shared but mapped writable", vm->id, (unsigned long long)g);
}

struct backref_ctx {
	mfn_t frame;
	uint32_t users;
};

static bool check_backref(uint32_t vm_id, gfn_t gfn, void *ctx)
{
	struct backref_ctx *c = ctx;
	struct vm *vm = live_vm(vm_id);
	pmap_entry_t e;
	c->users++;
	if (!vm || pmap_get(&vm->pmap, gfn, &e) || !pmap_entry_has_frame(e) || pmap_entry_mfn(e).raw != c->frame.raw)
		violation("mfn %#llx lists vm%u gfn %#llx as a user, whose PMAP does not point back",
			  (unsigned long long)c->frame.raw, vm_id, (unsigned long long)gfn.raw);
	return true;
}

struct salt_check {
	mfn_t frame;
	uint64_t salt;
	uint32_t users;
};

static bool check_sharer(uint32_t vm_id, gfn_t gfn, void *ctx)
{
	struct salt_check *c = ctx;
	struct vm *vm = live_vm(vm_id);
	pmap_entry_t e;
	c->users++;
	if (!vm || pmap_get(&vm->pmap, gfn, &e) || pmap_entry_state(e) != PMAP_SHARED)
		violation("shared mfn %#llx is used by vm%u gfn %#llx, which is not SHARED", (unsigned long long)c->frame.raw,
			  vm_id, (unsigned long long)gfn.raw);
	else if (vm->share.off || vm->share.salt != c->salt)
		violation("shared mfn %#llx (salt %llu) is used by vm%u, salt %llu%s", (unsigned long long)c->frame.raw,
			  (unsigned long long)c->salt, vm_id, (unsigned long long)vm->share.salt,
			  vm->share.off ? ", share=off" : "");
	return true;
}

/* 6: every FRAME entry of the share table; returns the users they have. */
static uint64_t check_share_table(void)
{
	uint64_t users = 0, frames = 0;
	const struct share_table *t = &share_engine.table;
	for (uint32_t i = 0; t->slots && i < t->nslots; i++) {
		const struct share_entry *e = &t->slots[i];
		if (e->kind != SHARE_FRAME)
			continue;
		const void *page = mfn_to_virt((mfn_t){ e->mfn });
		bool zero = page_is_zero(page);
		if (zero != e->zero || (zero ? share_engine.zero_hash : page_hash(page)) != e->hash)
			violation("shared mfn %#llx no longer holds what it held when merged", (unsigned long long)e->mfn);
		struct salt_check c = { { e->mfn }, e->salt, 0 };
		frame_table_for_each_user(&frame_table, c.frame, check_sharer, &c);
		if (!c.users)
			violation("the share table names mfn %#llx, which has no users", (unsigned long long)e->mfn);
		users += c.users;
		frames++;
	}
	if (frames != share_engine.totals.frames)
		violation("the share table holds %llu frames, its count says %llu", (unsigned long long)frames,
			  (unsigned long long)share_engine.totals.frames);
	return users;
}

/* 6: private frames have one user; every SHARED gfn is a table frame's. */
static void check_sharing(void)
{
	uint64_t shared = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		for (uint64_t g = 0; vm->pmap.entries && g < vm->pmap.npages; g++) {
			pmap_entry_t e = vm->pmap.entries[g];
			shared += pmap_entry_state(e) == PMAP_SHARED;
			if (pmap_entry_state(e) == PMAP_PRIVATE && frame_table_refcount(&frame_table, pmap_entry_mfn(e)) != 1)
				violation("vm%u gfn %#llx is private on mfn %#llx, which has %u users", vm->id,
					  (unsigned long long)g, (unsigned long long)pmap_entry_mfn(e).raw,
					  frame_table_refcount(&frame_table, pmap_entry_mfn(e)));
		}
	}
	uint64_t in_table = check_share_table();
	if (in_table != shared)
		violation("%llu gfns are SHARED but the share table's frames have %llu users", (unsigned long long)shared,
			  (unsigned long long)in_table);
}

unsigned vmm_check_invariants(void)
{
	violations = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].pmap.entries)
			for (uint64_t g = 0; g < vms[i].pmap.npages; g++)
				check_gfn(&vms[i], g);
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].pmap.entries && balloon_size(&vms[i]) > balloon_cap(&vms[i]))
			violation("vm%u's balloon holds %llu pages, above its cap of %llu", vms[i].id,
				  (unsigned long long)balloon_size(&vms[i]), (unsigned long long)balloon_cap(&vms[i]));
	for (uint64_t f = 0; f < frame_table.nframes; f++) {
		if (!frame_table.frames[f].refcount && frame_table.frames[f].rmap_head == RMAP_NONE)
			continue;
		struct backref_ctx c = { mfn(f), 0 };
		frame_table_for_each_user(&frame_table, mfn(f), check_backref, &c);
		if (c.users != frame_table.frames[f].refcount)
			violation("mfn %#llx has refcount %u but %u reverse-map entries", (unsigned long long)f,
				  frame_table.frames[f].refcount, c.users);
	}
	check_sharing();
	zswap_check_invariants(violation);
	return violations;
}
