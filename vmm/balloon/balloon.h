/* vmm/balloon/balloon.h — the balloon, memvisor's side (see
 * docs/background.md, "Ballooning": ESX's vmmemctl; the ABI is
 * vmm/hypercall_abi.h §5, the guest's driver guest/runtime/balloon.c).
 *
 * memvisor cannot tell which of a guest's pages the guest still needs; the
 * guest can. So memvisor sets a target, the guest's driver allocates that
 * many pages from its own allocator, pins them and hands their gfns over,
 * and memvisor frees the machine frames behind them:
 *
 *   monitor `balloon VM N`,      target      driver polls HC_BALLOON_TARGET,
 *   balloon= schedule, (policy) ──► (pages) ──► allocates pages, sends batches
 *                                              HC_BALLOON_INFLATE / _DEFLATE
 *   PMAP: PRIVATE/SHARED ──inflate──► BALLOONED ──deflate──► PRIVATE (zeroed)
 *                                         └──touched anyway──► PRIVATE (zeroed, warning)
 *
 * The balloon's size is the PMAP's count of BALLOONED entries (the truth),
 * never a counter of its own; it never exceeds balloon_max_pct of the VM.
 * The memory-state policy sets targets too (vmm/policy/policy.c), spread by the
 * free memory the guests report.
 */
#ifndef MEMVISOR_VMM_BALLOON_H
#define MEMVISOR_VMM_BALLOON_H

#include "kernel/types.h"
#include "vmm/balloon/per_vm.h"
#include "vmm/mm/check.h"

struct vm;


/* balloon_max_pct of the VM, in pages. */
uint64_t balloon_cap(const struct vm *vm);
/* Pages ballooned now (the PMAP's count). */
uint64_t balloon_size(const struct vm *vm);

/* Sets the target and logs it with `why`. Returns 0, or -E_RANGE when
 * `pages` exceeds the cap (nothing changes). */
int balloon_set_target(struct vm *vm, uint64_t pages, const char *why);

/* The hypercalls (§5); each returns what RAX gets. */
int64_t balloon_hc_target(struct vm *vm);
int64_t balloon_hc_inflate(struct vm *vm, uint64_t batch_gpa, uint64_t count);
int64_t balloon_hc_deflate(struct vm *vm, uint64_t batch_gpa, uint64_t count);
int64_t balloon_hc_stats(struct vm *vm, uint64_t free_pages, uint64_t total_pages);

/* The fault path for a BALLOONED gfn (vmm/mm/memory.c): the guest touched a
 * page it gave away. It gets a fresh zero frame — never the old contents,
 * which are gone — and memvisor counts a warning. 0 or -E_NO_MEMORY. */
int balloon_touch(struct vm *vm, gfn_t gfn, mfn_t *out);

/* No balloon above its cap (vmm/balloon/check.c). */
void balloon_check_invariants(check_violation_fn violation);

/* One line about the VM's balloon, for the monitor. */
void balloon_print(const struct vm *vm);

#endif
