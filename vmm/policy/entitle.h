/* vmm/policy/entitle.h — each VM's entitlement: its part of the guests'
 * memory by shares, with idle pages charged more (ESX's idle memory tax;
 * Waldspurger, OSDI 2002, §5.1-5.2). Pure code: tests/unit/test_entitle.c.
 *
 * ESX reclaims from the VM with the fewest shares per page,
 *
 *            shares                       a pages active of P held,
 *   rho = -------------------------,      k = 1 / (1 - tau) for the tax
 *          P (f + k (1 - f)),  f = a/P    rate tau (idle_tax=, 75%: k = 4)
 *
 * so memory settles where every VM has the same rho. The entitlement E of
 * each VM is that point: the "adjusted pages" a + k (E - a) (or E while
 * E <= a) are proportional to its shares, E stays within [reservation,
 * limit], and the entitlements add up to the budget (or every VM is at its
 * limit). An idle VM is thus entitled to a quarter of what an equally
 * entitled busy one is, at 75%. */
#ifndef MEMVISOR_VMM_POLICY_ENTITLE_H
#define MEMVISOR_VMM_POLICY_ENTITLE_H

#include "kernel/types.h"

#define ENTITLE_TAX_MAX 99 /* 100% would make an idle page cost without bound */

struct entitle_vm {
	uint64_t shares;      /* in                                         */
	uint64_t reservation; /* in, pages: the least it is entitled to     */
	uint64_t limit;       /* in, pages: the most                        */
	uint64_t active;      /* in, pages: its active memory (active.h)    */
	uint64_t entitled;    /* out, pages                                 */
};

/* The pages one VM of v holds as "adjusted" pages at the tax rate:
 * active pages count 1, idle pages 100 / (100 - tax_pct); times 100. */
uint64_t entitle_adjusted_x100(uint64_t pages, uint64_t active, unsigned tax_pct);

/* Fills v[i].entitled for n VMs sharing `budget` pages at tax_pct (0 to
 * ENTITLE_TAX_MAX). Each is at least its reservation (the reservations
 * must add up to at most the budget, as guests= checks) and at most its
 * limit; what is left after whole pages are given out (less than one
 * page per VM) is not given. */
void entitle_compute(struct entitle_vm *v, unsigned n, uint64_t budget, unsigned tax_pct);

/* Whom reclamation takes `missing` pages from (README, "Whom memory is
 * taken from"): the VMs hold held[i] pages (resident); after the round
 * they should hold what each is entitled to of (their sum − missing), so
 * take[i] = held[i] − that entitlement. Each v[i]'s reservation and limit
 * are first lowered to held[i] (a VM holding less than its share keeps
 * all it holds, and the rest is taken from the others), so the takes add
 * up to `missing` (less than a page per VM more, from rounding) unless the
 * reservations stop it, and none takes a VM below its reservation. A VM
 * with the fewest shares per adjusted page held is taken from first and
 * most: ESX's rho. v[i].entitled is set to what it should hold. */
void entitle_reclaim_split(struct entitle_vm *v, const uint64_t *held, unsigned n, uint64_t missing,
			   unsigned tax_pct, uint64_t *take);

/* order[0..n) = 0..n-1 sorted by take[], the largest first (ties: the
 * lower index first): the order in which the clock visits the VMs. */
void entitle_take_order(const uint64_t *take, unsigned n, unsigned *order);

/* Runtime (vmm/policy/entitle_vms.c): out[i] for vms[i], in pages — the
 * running VMs' entitlements to guest_mem at idle_tax=, 0 for a VM that
 * ended. out has room for VM_MAX (vmm/vm.h). */
void policy_entitlements(uint64_t *out);

/* Runtime: take[i] for vms[i], in pages — entitle_reclaim_split() over
 * the frames the running VMs are charged (policy_vm_held(): private pages
 * and their part of the compressed area), at most what lies above each
 * one's reservation (alloc_reclaimable()), 0 for a VM that ended. take has
 * room for VM_MAX. */
void policy_reclaim_split(uint64_t missing, uint64_t *take);

#endif
