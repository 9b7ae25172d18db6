/* vmm/swap/check.c — host swap's part of the invariant checker
 * (vmm/check.c):
 *   1. every SWAPPED gfn's slot is allocated and its recorded owner is
 *      that same VM and gfn (so no two gfns share a slot);
 *   2. the allocated slots are exactly as many as the SWAPPED gfns (and
 *      the cluster's slots not handed out yet), so none is allocated
 *      without an owner;
 *   3. a slot marked free has no owner recorded;
 *   4. a VM waiting for a swap-in (read_wait.c) waits for a gfn that is
 *      still SWAPPED to the slot being read, into a frame no PMAP names
 *      yet (no user in the frame table).
 * A swapped gfn has no frame and is never mapped: the general check of a
 * gfn without a frame (vmm/mm/check.c) covers that. */
#include "vmm/swap/swap.h"
#include "vmm/swap/internal.h"

static uint64_t check_vm(struct vm *vm, swap_violation_fn violation)
{
	uint64_t n = 0;
	for (uint64_t g = 0; vm->pmap.entries && vm->pmap.count[PMAP_SWAPPED] && g < vm->pmap.npages; g++) {
		pmap_entry_t e = vm->pmap.entries[g];
		if (pmap_entry_state(e) != PMAP_SWAPPED)
			continue;
		uint64_t slot = pmap_entry_slot(e);
		n++;
		if (!swap_slot_allocated(slot))
			violation("vm%u gfn %#llx is swapped to slot %llu, which is not allocated", vm->id,
				  (unsigned long long)g, (unsigned long long)slot);
		else if (swap_slot_owner(slot) != SWAP_OWNER(vm->id, g))
			violation("vm%u gfn %#llx is swapped to slot %llu, whose owner is %#llx", vm->id,
				  (unsigned long long)g, (unsigned long long)slot,
				  (unsigned long long)swap_slot_owner(slot));
	}
	return n;
}

static void check_wait(struct vm *vm, swap_violation_fn violation)
{
	const struct swap_wait *w = &vm->swap.wait;
	pmap_entry_t e;
	if (!w->waiting)
		return;
	if (pmap_get(&vm->pmap, w->gfn, &e) || pmap_entry_state(e) != PMAP_SWAPPED || pmap_entry_slot(e) != w->slot)
		violation("vm%u waits for a swap-in of gfn %#llx from slot %llu, which the PMAP does not say",
			  vm->id, (unsigned long long)w->gfn.raw, (unsigned long long)w->slot);
	if (frame_table_refcount(&frame_table, w->frame))
		violation("vm%u's swap-in of gfn %#llx reads into mfn %#llx, which already has users", vm->id,
			  (unsigned long long)w->gfn.raw, (unsigned long long)w->frame.raw);
}

void swap_check_invariants(swap_violation_fn violation)
{
	uint64_t swapped = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		swapped += check_vm(&vms[i], violation);
		check_wait(&vms[i], violation);
	}
	/* Slots of the cluster's run not handed out yet are allocated too
	 * (cluster.c); the run loop gives them back after each clock pass. */
	if (swapped + swap_cluster_reserved() != swap_slots_used())
		violation("swap: %llu slots allocated for %llu swapped gfns and %llu reserved",
			  (unsigned long long)swap_slots_used(), (unsigned long long)swapped,
			  (unsigned long long)swap_cluster_reserved());
	for (uint64_t s = 0; s < swap_slots_total(); s++)
		if (!swap_slot_allocated(s) && swap_slot_owner(s))
			violation("swap: free slot %llu still names owner %#llx", (unsigned long long)s,
				  (unsigned long long)swap_slot_owner(s));
}
