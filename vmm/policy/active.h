/* vmm/policy/active.h — each VM's active memory, estimated by statistical
 * sampling as ESX does (Waldspurger, OSDI 2002, §5.3; docs/background.md,
 * "Working sets"):
 *
 *   period start: n random resident PRIVATE gfns unmapped from the nested
 *                 tables (NPT / EPT), the TLB flushed
 *   meanwhile:    a touch of one faults; the fault path maps it again (a
 *                 PRIVATE page: state unchanged, nothing copied)
 *   period end:   touched = the sampled gfns mapped again;
 *                 estimate = touched / n x resident PRIVATE pages
 *   smoothed:     fast and slow moving averages; active = the larger
 *
 * A period is active_period_ms of the VM's own CPU time: a VM that did not
 * run could not have touched anything. active_samples=0 turns it off.
 * Unmapping rather than the accessed bits, on both backends: the clock
 * (vmm/zswap/clock.c) reads and clears those bits for its own aging, and
 * sampling through the same bits would blur both; EPT without A/D bits
 * (older Bochs models) has none at all; and a cleared bit is only seen
 * again once the TLB no longer holds the translation (AMD APM Vol. 2
 * 15.25.6, Intel SDM Vol. 3C 29.3.5), which needs the same flush anyway.
 *
 * The arithmetic (active_period_estimate(), active_average(),
 * active_pages()) is pure code, tests/unit/test_active.c; the sampling is
 * vmm/policy/active.c. */
#ifndef MEMVISOR_VMM_POLICY_ACTIVE_H
#define MEMVISOR_VMM_POLICY_ACTIVE_H

#include "kernel/types.h"
#include "vmm/policy/per_vm.h"

#define ACTIVE_FIX_SHIFT 8  /* the averages keep 8 bits of fraction       */
#define ACTIVE_FAST_SHIFT 2 /* fast average: 1/4 of each new period's estimate */
#define ACTIVE_SLOW_SHIFT 3 /* slow average: 1/8                          */

/* One period: `touched` of `sampled` pages were touched, of `resident`;
 * the estimate in pages, rounded to the nearest (0 when nothing sampled). */
uint64_t active_period_estimate(uint64_t touched, uint64_t sampled, uint64_t resident);
/* Folds a period's estimate into the averages (the first one sets both). */
void active_average(struct vm_active *a, uint64_t estimate);
/* The estimate shown and used: the larger average, in pages. The fast one
 * follows a VM that starts using more at once; the slow one keeps a VM
 * that has just gone quiet counted active a while longer. */
uint64_t active_pages(const struct vm_active *a);

struct vm;
/* Ends each running VM's period whose time has come (the estimate
 * updated) and starts the next (a new sample unmapped); between time
 * slices. */
void active_step(void);

#endif
