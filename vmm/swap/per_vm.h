/* vmm/swap/per_vm.h — what each VM keeps for host swap (vmm/swap/swap.c):
 * its counters (stats.h's swap_* keys, the summary's swap line), and the
 * read it waits for. Its pages on disk are its PMAP's SWAPPED entries. */
#ifndef MEMVISOR_VMM_SWAP_VM_H
#define MEMVISOR_VMM_SWAP_VM_H

#include "kernel/types.h"

/* A swap-in the VM waits for off the CPU (vmm/swap/read_wait.c): the gfn
 * stays SWAPPED, its slot allocated and owned, until the read is checked;
 * `frame` is a frame of the budget that nothing else names yet. */
struct swap_wait {
	bool waiting;       /* queued or in flight: the VM is not run       */
	gfn_t gfn;
	uint64_t slot;
	mfn_t frame;        /* the read goes straight into it               */
	uint64_t start_tsc; /* the fault, for the swap-in's latency         */
	uint64_t others_slices; /* the other VMs' slices when it was queued */
};

struct vm_swap {
	uint64_t outs;   /* pages written to the swap disk, in all */
	uint64_t ins;    /* pages read back on a fault, in all      */
	uint64_t writeback; /* compressed pages written to disk, in all */
	uint64_t reads;  /* pages read for memvisor and left on disk (swap_read()) */
	uint64_t dropped; /* swapped pages the balloon took: slot freed unread */
	uint64_t errors; /* reads or writes the disk failed         */
	uint64_t waits;  /* swap-ins it waited for off the CPU      */
	uint64_t waits_others_ran; /* ... while another VM ran a slice */
	struct swap_wait wait;
};

#endif
