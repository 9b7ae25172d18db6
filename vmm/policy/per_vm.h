/* vmm/policy/per_vm.h — what the policy keeps per VM (struct vm's `alloc`
 * and `active`): data only, for vmm/vm.h to embed. The settings come from
 * guests= (vmm/policy/alloc.h), the estimate from sampling
 * (vmm/policy/active.h). Counts are in 4 KiB pages. */
#ifndef MEMVISOR_VMM_POLICY_PER_VM_H
#define MEMVISOR_VMM_POLICY_PER_VM_H

#include "kernel/types.h"

/* ESX's three per-VM allocation settings (README: "Shares, reservation
 * and limit"). A VM's resident pages are its PRIVATE and SHARED gfns: the
 * pages it can use without anything being brought back. */
struct vm_alloc {
	uint64_t shares;      /* its claim against the others'             */
	uint64_t reservation; /* the policy never reclaims it below this   */
	uint64_t limit;       /* it never holds more resident than this    */
};

/* Most gfns sampled per VM and period (active_samples=). */
#define ACTIVE_SAMPLES_MAX 1024

/* Active memory by sampling (vmm/policy/active.h): the gfns unmapped this
 * period, and the estimates so far. */
struct vm_active {
	uint32_t sampled[ACTIVE_SAMPLES_MAX]; /* gfns unmapped at the period's start */
	uint32_t nsampled;
	uint64_t period_start_tsc; /* the VM's CPU time (sched.cpu_tsc) then   */
	uint64_t periods;          /* periods measured                          */
	uint64_t last;             /* the last period's estimate, in pages      */
	uint64_t fast, slow;       /* moving averages, pages << ACTIVE_FIX_SHIFT */
};

#endif
