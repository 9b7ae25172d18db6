/* vmm/summary.c — the run's last lines: each VM's outcome and exits, the
 * scheduler's figures, what reclamation did, then the exit status. */
#include "vmm/summary.h"
#include "vmm/mm/fault_time.h"
#include "vmm/policy/policy.h"
#include "vmm/sched.h"
#include "vmm/swap/bench.h"
#include "vmm/time_use.h"
#include "vmm/vm.h"
#include "kernel/printf.h"
#include "kernel/shutdown.h"
#include "kernel/timer.h"

/* What each technique reclaimed over the whole run (docs/design.md,
 * "Memory states and the policy"). */
static void print_reclaimed(void)
{
	uint64_t merged = 0, ballooned = 0, stored = 0, same = 0, swapins = 0, waits = 0, outs = 0, ins = 0;
	uint64_t written_back = 0, errors = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		merged += vms[i].share.merges;
		ballooned += vms[i].balloon.released;
		stored += vms[i].zswap.stored;
		same += vms[i].zswap.stored_same;
		swapins += vms[i].zswap.swapins;
		waits += vms[i].stats.memory_waits;
		outs += vms[i].swap.outs;
		ins += vms[i].swap.ins;
		written_back += vms[i].swap.writeback;
		errors += vms[i].swap.errors;
	}
	kprintf("memvisor: reclaimed: sharing %llu pages, balloon %llu frames, compression %llu pages "
		"(%llu as one value), swap-ins %llu, swap %llu pages out and %llu in, %llu written back from the area, "
		"%llu errors, waits for memory %llu, memory state changes %llu\n",
		(unsigned long long)merged, (unsigned long long)ballooned, (unsigned long long)(stored + same),
		(unsigned long long)same, (unsigned long long)swapins, (unsigned long long)outs, (unsigned long long)ins,
		(unsigned long long)written_back, (unsigned long long)errors, (unsigned long long)waits,
		(unsigned long long)policy_state_changes());
}

/* The instructions memvisor kept from the machine (vmm/exit.c), for VMs
 * that ran any. */
static void print_emulated(const struct vm *vm)
{
	const uint64_t *e = vm->vcpu.exits;
	if (!(e[EXIT_INVD] | e[EXIT_WBINVD] | e[EXIT_RDPMC] | e[EXIT_CR_WRITE]))
		return;
	kprintf("memvisor: vm%u %-10s emulated: invd=%llu wbinvd=%llu rdpmc=%llu cr-write=%llu\n", vm->id, vm->name,
		(unsigned long long)e[EXIT_INVD], (unsigned long long)e[EXIT_WBINVD], (unsigned long long)e[EXIT_RDPMC],
		(unsigned long long)e[EXIT_CR_WRITE]);
}

/* The VM's traffic with the swap disk, for VMs that had any. */
static void print_swap(const struct vm *vm)
{
	const struct vm_swap *s = &vm->swap;
	if (!(s->outs | s->ins | s->writeback | s->reads | s->dropped | s->errors))
		return;
	kprintf("memvisor: vm%u %-10s swap: %llu out, %llu in, %llu written back from the area, %llu read in place, "
		"%llu dropped by the balloon, %llu errors\n", vm->id, vm->name, (unsigned long long)s->outs,
		(unsigned long long)s->ins, (unsigned long long)s->writeback, (unsigned long long)s->reads,
		(unsigned long long)s->dropped, (unsigned long long)s->errors);
}

void summary_print_and_shut_down(void)
{
	unsigned ok = 0, failed = 0, stopped = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		if (vm->state == VM_STOPPED)
			stopped++;
		else if (vm->exit_status)
			failed++;
		else
			ok++;
		kprintf("memvisor: vm%u %-10s %-9s exits: cpuid=%llu io=%llu hypercall=%llu npf=%llu interrupt=%llu "
			"cpu_ms=%llu\n",
			vm->id, vm->name, vm->state == VM_STOPPED ? "stopped" : vm->exit_status ? "failed" : "ok",
			(unsigned long long)vm->vcpu.exits[EXIT_CPUID], (unsigned long long)vm->vcpu.exits[EXIT_IO],
			(unsigned long long)vm->vcpu.exits[EXIT_HYPERCALL], (unsigned long long)vm->vcpu.exits[EXIT_NPF],
			(unsigned long long)vm->vcpu.exits[EXIT_INTERRUPT], (unsigned long long)sched_vm_cpu_ms(vm));
		print_emulated(vm);
		print_swap(vm);
	}
	sched_print_summary(timer_ms());
	time_use_print();
	print_reclaimed();
	fault_time_print();
	swap_bench_print();
	cpu_state_host_check();
	kprintf("memvisor: guests: %u ok, %u failed, %u stopped\n", ok, failed, stopped);
	if (failed)
		shutdown(STATUS_GUEST_FAILED, "guest-failed");
	if (stopped)
		shutdown(STATUS_GUEST_STOPPED, "guest-stopped");
	shutdown(STATUS_OK, "guests-done");
}
