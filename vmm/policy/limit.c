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
	uint64_t resident = vm_memory_resident(vm), room = vm->alloc.limit > LIMIT_HEADROOM ? vm->alloc.limit - LIMIT_HEADROOM : 0;
	uint64_t over = resident > room ? resident - room : 0;
	return MIN(MIN(over, LIMIT_BATCH), alloc_reclaimable(&vm->alloc, resident));
}

uint64_t policy_enforce_limits(uint64_t deadline_tsc)
{
	uint64_t freed = 0;
	for (uint32_t i = 0; i < vm_count && rdtsc() < deadline_tsc; i++) {
		struct vm *vm = &vms[i];
		if (!has_limit(vm))
			continue;
		limit_balloon(vm);
		uint64_t take = over_limit(vm);
		struct zswap_report r;
		if (!take || !zswap_enabled())
			continue;
		zswap_spill_fn spill = swap_has_room() ? swap_out_gfn : NULL;
		if (zswap_compress_victims(vm, take, spill, &r) == 0)
			freed += r.stored + r.same + r.swapped;
	}
	return freed;
}
