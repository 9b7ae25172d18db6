/* vmm/mm/check.c — the checker that PMAP, nested tables and frame table
 * tell one story (the invariants are listed in check.h). */
#include "vmm/mm/check.h"
#include "vmm/vm.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"

static check_violation_fn violation;

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
	if (!frame_table_has_user(&frame_table, f, vm->id, (gfn_t){ g }))
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
	struct vm *vm = vm_with_memory(vm_id);
	pmap_entry_t e;
	c->users++;
	if (!vm || pmap_get(&vm->pmap, gfn, &e) || !pmap_entry_has_frame(e) || pmap_entry_mfn(e).raw != c->frame.raw)
		violation("mfn %#llx lists vm%u gfn %#llx as a user, whose PMAP does not point back",
			  (unsigned long long)c->frame.raw, vm_id, (unsigned long long)gfn.raw);
	return true;
}

void mm_check_invariants(check_violation_fn report)
{
	violation = report;
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].pmap.entries)
			for (uint64_t g = 0; g < vms[i].pmap.npages; g++)
				check_gfn(&vms[i], g);
	for (uint64_t f = 0; f < frame_table.nframes; f++) {
		if (!frame_table.frames[f].refcount && frame_table.frames[f].rmap_head == RMAP_NONE)
			continue;
		struct backref_ctx c = { mfn(f), 0 };
		frame_table_for_each_user(&frame_table, mfn(f), check_backref, &c);
		if (c.users != frame_table.frames[f].refcount)
			violation("mfn %#llx has refcount %u but %u reverse-map entries", (unsigned long long)f,
				  frame_table.frames[f].refcount, c.users);
	}
}
