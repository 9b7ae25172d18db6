/* vmm/policy/active.c — sampling each VM's active memory (see active.h;
 * Waldspurger, OSDI 2002, §5.3): a period's sample unmapped, and at its
 * end the touched fraction read back from the nested tables. The fault
 * path needs nothing of its own: a sampled page is PRIVATE, so a touch
 * takes make_resident()'s first case (vmm/mm/memory.c) and is mapped again
 * as it was, and "mapped again" is what "touched" means here. Unmapping
 * needs the flush that follows (backend->unmap, then ->flush): the TLB
 * may still hold the translation (AMD APM Vol. 2 15.16, TLB_CONTROL; Intel
 * SDM Vol. 3C 29.4.3, INVEPT). */
#include "vmm/policy/active.h"
#include "vmm/vm.h"
#include "kernel/options.h"
#include "kernel/random.h"
#include "kernel/timer.h"

/* A gfn whose PMAP entry is PRIVATE: the pages sampled and estimated. */
static bool is_private(const struct vm *vm, uint64_t g)
{
	return pmap_entry_state(vm->pmap.entries[g]) == PMAP_PRIVATE;
}

/* Picks min(active_samples, PRIVATE pages) of the VM's PRIVATE gfns, each
 * as likely as any other, in one pass (Knuth's selection sampling, TAOCP
 * vol. 2, 3.4.2, Algorithm S), unmaps them and flushes the VM's cached
 * translations once. */
static void sample_start(struct vm *vm)
{
	struct vm_active *a = &vm->active;
	uint64_t left = vm->pmap.count[PMAP_PRIVATE], need = MIN(MIN(options.active_samples, left), ACTIVE_SAMPLES_MAX);
	uint64_t rng = xorshift64_seed(splitmix64_mix((uint64_t)vm->id << 32 ^ a->periods ^ a->period_start_tsc));
	a->nsampled = 0;
	a->period_start_tsc = vm->sched.cpu_tsc;
	for (uint64_t g = 0; g < vm->pmap.npages && need; g++) {
		if (!is_private(vm, g))
			continue;
		rng = xorshift64(rng);
		if (rng % left < need) {
			a->sampled[a->nsampled++] = (uint32_t)g;
			backend->unmap(vm, (gfn_t){ g });
			need--;
		}
		left--;
	}
	if (a->nsampled)
		backend->flush(vm);
}

/* The period's estimate: of the sampled gfns still PRIVATE (a page
 * compressed, ballooned or shared meanwhile is left out), those mapped
 * again were touched. */
static void sample_end(struct vm *vm)
{
	struct vm_active *a = &vm->active;
	uint64_t touched = 0, valid = 0;
	for (uint32_t i = 0; i < a->nsampled; i++) {
		gfn_t g = { a->sampled[i] };
		mfn_t m;
		unsigned prot;
		if (!is_private(vm, g.raw))
			continue;
		valid++;
		touched += backend->lookup(vm, g, &m, &prot) == 0;
	}
	if (valid)
		active_average(a, active_period_estimate(touched, valid, vm->pmap.count[PMAP_PRIVATE]));
}

void active_step(void)
{
	if (!options.active_samples)
		return;
	uint64_t period = options.active_period_ms * tsc_khz();
	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		if (vm->state != VM_RUNNABLE || !vm->pmap.entries)
			continue;
		if (vm->active.nsampled && vm->sched.cpu_tsc - vm->active.period_start_tsc < period)
			continue; /* the period goes on: measured in the VM's own time */
		if (vm->active.nsampled)
			sample_end(vm);
		sample_start(vm);
	}
}
