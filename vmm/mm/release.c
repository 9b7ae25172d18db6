/* vmm/mm/release.c — a VM's memory given back when it ends
 * (vm_memory_release(), vmm/mm/memory.h): every frame, compressed object
 * and swap slot it holds goes back exactly once, each PMAP state by its
 * own way, then its nested page tables and its PMAP. Lab 2's exercise 2.3
 * (docs/labs/2-demand-paging.md); tests/unit/test_release.c runs it over
 * fakes of everything it calls.
 *
 * Each state's way back is the technique's that put the page there (the
 * design's "a frame's life", docs/design.md):
 *   PRIVATE     its one frame: the frame table's user removed, the frame
 *               freed (vm_frame_free()) once no user is left;
 *   SHARED      sharing's frame: share_release_gfn() drops this user, and
 *               the frame goes back with its last one (the share table
 *               must forget it first, so only sharing may free it);
 *   COMPRESSED  the object in the swap area: zswap_drop();
 *   SWAPPED     the slot on the swap disk: swap_release_gfn();
 *   UNTOUCHED, BALLOONED: nothing behind them.
 * A frame is unmapped from the nested tables before it can be freed: the
 * tables must never name a frame the allocator may give to someone else.
 * The nested TLB is flushed after the last unmap (TLB_CONTROL at the next
 * VMRUN, APM Vol. 2 15.16; INVEPT, SDM Vol. 3C 29.4.3), then the tables
 * are destroyed, then the PMAP's storage is freed and the PMAP left empty
 * (entries NULL: vm_with_memory() reads that as "holds no memory"). */
#include "vmm/mm/memory.h"
/* Above mm: a SHARED, COMPRESSED or SWAPPED gfn goes back through the
 * technique that holds it (tools/check-layers allows these three). */
#include "vmm/share/cow.h"
#include "vmm/swap/swap.h"
#include "vmm/zswap/zswap.h"
#include "kernel/lab.h"
#include "kernel/mem.h"

void vm_memory_release(struct vm *vm)
{
	/* LAB 2.3 demand-paging: design the release of a VM's memory: every
	 * frame, object and slot back exactly once, each PMAP state by its
	 * own way; a frame unmapped before it is freed; then one flush, the
	 * nested tables destroyed, the PMAP's storage freed and the PMAP
	 * empty. The specification and its invariants: the comment at the
	 * top of this file and docs/labs/2-demand-paging.md, exercise 2.3. */
	for (uint64_t g = 0; g < vm->pmap.npages; g++) {
		pmap_entry_t e = vm->pmap.entries[g];
		if (pmap_entry_state(e) == PMAP_COMPRESSED)
			zswap_drop(vm, (gfn_t){ g }, e);
		if (pmap_entry_state(e) == PMAP_SWAPPED)
			swap_release_gfn(vm, (gfn_t){ g });
		if (!pmap_entry_has_frame(e))
			continue; /* untouched, ballooned, compressed or swapped: no frame behind it */
		mfn_t f = pmap_entry_mfn(e);
		backend->unmap(vm, (gfn_t){ g });
		if (pmap_entry_state(e) == PMAP_SHARED)
			share_release_gfn(vm, (gfn_t){ g }, f); /* freed with its last user */
		else if (frame_table_remove_user(&frame_table, f, vm->id, (gfn_t){ g }) == 0)
			vm_frame_free(f);
	}
	backend->flush(vm);
	backend->vm_destroy(vm);
	mem_free_bytes(vm->pmap.entries, pmap_storage_bytes(vm->pmap.npages));
	vm->pmap.entries = NULL;
	vm->pmap.npages = 0;
	for (int st = 0; st < PMAP_STATE_COUNT; st++)
		vm->pmap.count[st] = 0;
	/* LAB 2.3 end. The skeleton has instead:
	 *	(void)LAB_TODO("demand-paging", "vm_memory_release");
	 *	(void)vm;
	 */
}
