/* vmm/sched.h — who runs next and for how long: round robin over the VMs,
 * each slice measured on the TSC, memvisor's own time on the VM's exits
 * included, and fair over time by deficit accounting (vmm/sched.c).
 *
 *   round:   vm1 ──slice──▶ vm2 ──slice──▶ vm3 ──slice──▶ background ─┐
 *            ▲                                                        │
 *            └────────────────────────────────────────────────────────┘
 *
 *   A VM's credit grows by one quantum (slice_ms) at each of its turns, up
 *   to one quantum; its slice ends at the first exit after it has used its
 *   credit, and what it used is taken off:
 *
 *     credit  +q     run      used u        credit - u  (may go below 0:
 *     ──────▶ [ 0..q ] ──────▶ ─────────────▶ an overrun is paid back
 *                                             at its next turns)
 *
 *   Why "first exit after": memvisor regains the CPU only on an exit. A
 *   guest that exits often (CPUID, I/O, faults) is checked after every
 *   exit; one that never exits is taken back by the host's timer (SVM: the
 *   INTR intercept; VMX: the VMX-preemption timer, armed with the time
 *   left, because Bochs delivers no interrupt exit while the guest has
 *   RFLAGS.IF = 0). What memvisor spends handling a VM's exits is that
 *   VM's time: an exit storm buys its author nothing.
 *
 *   Background work (sharing's scanner, the balloon, compression, the
 *   memory-state policy) runs once a round, with a time budget of its own:
 *   background_pct of the time since it last ran, so that it takes at
 *   most that much of the CPU while any VM can run, and all it needs while
 *   every VM waits for memory or the memory state is hard or low (then
 *   reclamation is what the guests are waiting on).
 */
#ifndef MEMVISOR_VMM_SCHED_H
#define MEMVISOR_VMM_SCHED_H

#include "kernel/types.h"
#include "vmm/sched_per_vm.h"

struct vm;


/* The quantum from slice_ms and the measured TSC rate. */
void sched_init(void);

/* Its turn has come: adds a quantum to its credit. Returns true and starts
 * the slice (and vm->vcpu.deadline_tsc) if it has credit, false if it
 * sits this turn out paying back an overrun. */
bool sched_slice_begin(struct vm *vm);
/* After each exit: has the slice used up the VM's credit? */
bool sched_slice_over(const struct vm *vm);
/* The slice is over: charges the time used. */
void sched_slice_end(struct vm *vm);

/* Background work is about to run: its time budget, background_pct of
 * the time since it last ran (unbounded when `unbounded`: no VM can run
 * now). Returns the deadline, a TSC value (UINT64_MAX: none), which the
 * run loop hands to the steps that can take long (compression, aging
 * sweeps): they stop early once rdtsc() reaches it. */
uint64_t sched_background_begin(bool unbounded);
/* Background work is done: its time is charged. */
void sched_background_end(void);

/* CPU time in milliseconds: one VM's slices, memvisor's background work. */
uint64_t sched_vm_cpu_ms(const struct vm *vm);
uint64_t sched_background_ms(void);

/* Prints the scheduler's summary line (slices, switches, CPU shares). */
void sched_print_summary(uint64_t run_ms);

#endif
