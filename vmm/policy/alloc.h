/* vmm/policy/alloc.h — the per-VM allocation settings of guests= (ESX's
 * shares, reservation and limit; Waldspurger, OSDI 2002, §5), parsed and
 * checked; pure code (tests/unit/test_alloc.c).
 *
 *   guests=NAME:SIZE:shares=low|normal|high|N:reservation=SIZE:limit=SIZE
 *
 *   0 ........ reservation ............ limit ........ SIZE (the VM's memory)
 *   |<- never reclaimed ->|<- reclaimable ->|<- never resident ->|
 *
 * shares: low, normal (the default) and high are 500, 1000 and 2000 per
 * GiB of the VM's memory, as ESX's; a number is the VM's shares outright.
 * reservation and limit: sizes in 4 KiB pages of the VM's *resident*
 * memory — its PRIVATE and SHARED gfns (a shared page is still the VM's to
 * use: sharing saves frames, it takes nothing away from the VM). */
#ifndef MEMVISOR_VMM_POLICY_ALLOC_H
#define MEMVISOR_VMM_POLICY_ALLOC_H

#include "kernel/types.h"
#include "vmm/policy/per_vm.h"

#define ALLOC_SHARES_LOW 500     /* per GiB of the VM's memory */
#define ALLOC_SHARES_NORMAL 1000
#define ALLOC_SHARES_HIGH 2000
#define ALLOC_SHARES_MAX 1000000000ull

/* The defaults for a VM of mem_bytes: normal shares, no reservation, the
 * limit its whole memory. */
void alloc_defaults(struct vm_alloc *a, uint64_t mem_bytes);

/* One key=value word of guests=: 1 when it was shares=, reservation= or
 * limit= (a->... set), 0 when it is none of them (the guest's), or
 * -E_INVAL with msg saying what was expected and what was seen. */
int alloc_parse_word(struct vm_alloc *a, const char *word, uint64_t mem_bytes, char *msg, size_t size);

/* The VM's settings against each other and its memory: 0, or -E_INVAL
 * with msg (reservation above limit, limit above the VM's memory). */
int alloc_check_vm(const struct vm_alloc *a, uint64_t mem_bytes, char *msg, size_t size);

/* The reservations of all VMs (in pages) against guest_mem (budget, in
 * pages): 0, or -E_RANGE with msg. */
int alloc_check_reservations(uint64_t reserved, uint64_t budget, char *msg, size_t size);

/* Pages of `resident` the policy may still take: what is above the
 * reservation. */
uint64_t alloc_reclaimable(const struct vm_alloc *a, uint64_t resident);

#endif
