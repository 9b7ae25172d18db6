/* vmm/policy/limit.c — limit= enforced as memory pressure on that VM
 * alone (README, "Shares, reservation and limit"): a VM at its limit
 * waits at its next fault that would add a resident page
 * (vm_memory_at_limit(), vmm/mm/memory.c), and here, in every memory
 * state, its balloon is asked for what lies above the limit and the clock
 * compresses its cold pages (or sends them to the swap disk), ESX's order,
 * until it is LIMIT_HEADROOM pages below the limit again. Never below its
 * reservation (alloc_reclaimable()). */
#include "vmm/policy/policy.h"
#include "vmm/balloon/balloon.h"
#include "vmm/mm/memory.h"
#include "vmm/policy/alloc.h"
#include "vmm/swap/swap.h"
#include "vmm/vm.h"
#include "vmm/zswap/zswap.h"
#include "kernel/io.h"

/* Pages reclaimed below the limit at a time: room for the VM to run a
 * while before it waits again, not so much that it is emptied. */
#define LIMIT_HEADROOM 32
#define LIMIT_BATCH 64 /* pages compressed per VM per background step, as compress_cold() */

static bool has_limit(const struct vm *vm)
{
	return vm->state == VM_RUNNABLE && vm->alloc.limit < vm->pmap.npages;
}

/* A guest with a balloon driver is asked to keep all its memory above
 * the limit in its balloon, as ESX does: it then chooses what to give. */
static void limit_balloon(struct vm *vm)
{
	if (!vm->balloon.polls)
		return;
	uint64_t want = MIN(vm->pmap.npages - vm->alloc.limit, balloon_cap(vm));
	if (vm->balloon.target < want)
		balloon_set_target(vm, want, "limit=");
}

/* Pages to take now so that the VM is LIMIT_HEADROOM below its limit. */
static uint64_t over_limit(const struct vm *vm)
{
	uint64_t resident = vm_memory_resident(vm);
	uint64_t room = vm->alloc.limit > LIMIT_HEADROOM ? vm->alloc.limit - LIMIT_HEADROOM : 0;
	uint64_t over = resident > room ? resident - room : 0;
	return MIN(MIN(over, LIMIT_BATCH), alloc_reclaimable(&vm->alloc, resident));
}

/* Pages the clock took from the VM now (compressed or swapped). */
static uint64_t reclaim_from(struct vm *vm)
{
	uint64_t take = over_limit(vm);
	struct zswap_report r;
	if (!take || !zswap_enabled())
		return 0;
	struct zswap_outlets out = policy_outlets();
	if (zswap_compress_victims(vm, take, &out, &r))
		return 0;
	return r.shared + r.stored + r.same + r.swapped;
}

/* A VM whose working set does not fit its limit keeps pressing on it —
 * it waits there, or pages are taken from it — and what is taken comes
 * straight back (swap-ins), or nothing can be taken (incompressible pages,
 * no disk): it cycles the same few pages. So, counted since it was last
 * well under its limit (two headrooms): once LIMIT_STUCK_STEPS policy
 * steps found it waiting at its limit or took pages from it, and the pages
 * kept out of it meanwhile (taken less swapped back in) are no more than
 * LIMIT_STUCK_NET, it alone is the one to stop
 * (policy_stuck_at_limit(), vmm/vmm.c) — measured in work, like the
 * machine's thrashing (vmm/policy/policy.c). A VM that reads its pages
 * back only now and then keeps far more of them out, and goes on. */
#define LIMIT_STUCK_STEPS 200
#define LIMIT_STUCK_NET (2 * LIMIT_HEADROOM)

struct limit_watch {
	uint64_t steps;       /* steps it waited at its limit or gave pages */
	uint64_t taken;       /* pages taken from it                      */
	uint64_t swapins_at;  /* its swap-ins (zswap and disk) at the start */
};
static struct limit_watch watch[VM_MAX];

static uint64_t swapins(const struct vm *vm)
{
	return vm->zswap.swapins + vm->swap.ins;
}

static bool well_under_limit(const struct vm *vm)
{
	return vm_memory_resident(vm) + 2 * LIMIT_HEADROOM < vm->alloc.limit;
}

static void watch_step(uint32_t i, bool waited_at_limit, uint64_t took)
{
	struct limit_watch *w = &watch[i];
	if (!has_limit(&vms[i]) || well_under_limit(&vms[i])) {
		*w = (struct limit_watch){ 0, 0, swapins(&vms[i]) };
		return;
	}
	w->steps += waited_at_limit || took;
	w->taken += took;
}

uint64_t policy_enforce_limits(uint64_t deadline_tsc)
{
	uint64_t freed = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		uint64_t took = 0;
		bool waited_at_limit = has_limit(vm) && vm->waiting && vm_memory_at_limit(vm);
		if (has_limit(vm) && rdtsc() < deadline_tsc) {
			limit_balloon(vm);
			took = reclaim_from(vm);
			freed += took;
		}
		watch_step(i, waited_at_limit, took);
	}
	return freed;
}

struct vm *policy_stuck_at_limit(void)
{
	for (uint32_t i = 0; i < vm_count; i++) {
		struct limit_watch *w = &watch[i];
		uint64_t back = swapins(&vms[i]) - w->swapins_at;
		if (vms[i].state != VM_RUNNABLE || w->steps < LIMIT_STUCK_STEPS)
			continue;
		if (w->taken > back && w->taken - back > LIMIT_STUCK_NET)
			continue; /* it keeps pages out: progress, if slow */
		*w = (struct limit_watch){ 0, 0, swapins(&vms[i]) };
		return &vms[i];
	}
	return NULL;
}
