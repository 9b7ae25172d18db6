/* vmm/swap/out_now.c — the monitor's `swap out VM N`: N of a VM's
 * resident private pages written to the swap disk now, lowest gfn first,
 * whatever memory pressure says — to watch the fault path bring them back
 * (labs, tests). Each goes the way of any swap-out (swap_out_gfn()). */
#include "vmm/swap/swap.h"
#include "kernel/errno.h"

uint64_t swap_out_now(struct vm *vm, uint64_t count, struct swap_out_now_report *r)
{
	*r = (struct swap_out_now_report){ 0 };
	uint64_t errors_before = swap_errors();
	for (uint64_t g = 0; g < vm->pmap.npages && r->written < count; g++) {
		if (pmap_entry_state(vm->pmap.entries[g]) != PMAP_PRIVATE)
			continue;
		if (swap_out_gfn(vm, (gfn_t){ g }) == -E_FULL) {
			r->disk_full = true;
			break;
		}
		r->written++;
	}
	/* The writes go out in clusters: a page whose write failed is back in
	 * memory, its slot retired, and is counted as such, not as written. */
	swap_out_flush();
	r->write_errors = swap_errors() - errors_before;
	r->written -= r->write_errors;
	return r->written;
}
