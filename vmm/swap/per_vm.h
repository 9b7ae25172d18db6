/* vmm/swap/per_vm.h — what each VM keeps for host swap (vmm/swap/swap.c):
 * its counters (stats.h's swap_* keys, the summary's swap line). Its pages
 * on disk are its PMAP's SWAPPED entries. */
#ifndef MEMVISOR_VMM_SWAP_VM_H
#define MEMVISOR_VMM_SWAP_VM_H

#include "kernel/types.h"

struct vm_swap {
	uint64_t outs;   /* pages written to the swap disk, in all */
	uint64_t ins;    /* pages read back on a fault, in all      */
	uint64_t writeback; /* compressed pages written to disk, in all */
	uint64_t reads;  /* pages read for memvisor and left on disk (swap_read()) */
	uint64_t dropped; /* swapped pages the balloon took: slot freed unread */
	uint64_t errors; /* reads or writes the disk failed         */
};

#endif
