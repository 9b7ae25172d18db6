/* vmm/swap/out_now.c — the monitor's `swap out VM N`: N of a VM's
 * resident private pages written to the swap disk now, lowest gfn first,
 * whatever memory pressure says — to watch the fault path bring them back
 * (labs, tests). Each goes the way of any swap-out (swap_out_gfn()). */
#include "vmm/swap/swap.h"
#include "kernel/errno.h"

uint64_t swap_out_now(struct vm *vm, uint64_t count, struct swap_out_now_report *r)
{
	*r = (struct swap_out_now_report){ 0 };
	for (uint64_t g = 0; g < vm->pmap.npages && r->written < count; g++) {
		if (pmap_entry_state(vm->pmap.entries[g]) != PMAP_PRIVATE)
			continue;
		int rc = swap_out_gfn(vm, (gfn_t){ g });
		if (rc == -E_FULL) {
			r->disk_full = true;
			break;
		}
		if (rc == -E_IO)
			r->write_errors++; /* the slot retired, the page kept: on to the next */
		else
			r->written++;
	}
	return r->written;
}
