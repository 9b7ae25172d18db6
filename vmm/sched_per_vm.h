/* vmm/sched_per_vm.h — what the scheduler (vmm/sched.h) keeps per VM
 * (struct vm's `sched`): a header of data only, so that vmm/vm.h can embed
 * it without the scheduler's functions. */
#ifndef MEMVISOR_VMM_SCHED_PER_VM_H
#define MEMVISOR_VMM_SCHED_PER_VM_H

#include "kernel/types.h"

struct vm_sched {
	int64_t credit;       /* TSC ticks it may still run this turn (< 0: owed) */
	uint64_t slice_start; /* TSC at the start of the running slice          */
	uint64_t cpu_tsc;     /* TSC ticks of all its slices                    */
	uint64_t slices;      /* slices it ran                                  */
	uint64_t sat_out;     /* turns it sat out to pay back an overrun        */
};

#endif
