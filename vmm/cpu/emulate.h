/* vmm/cpu/emulate.h — what every instruction the core emulates shares: where
 * it ends, the single-step trap it may owe, and the fault it may raise.
 * See: SDM (rev. 084) Vol. 3A 18.3.1.4 (single-step trap), Vol. 3C 28.1
 * (an instruction that exits has not completed: its traps are ours); AMD
 * APM Vol. 2 13.1.3.4, 15.7.1 (next RIP), 15.20 (event injection). */
#ifndef MEMVISOR_VMM_EMULATE_H
#define MEMVISOR_VMM_EMULATE_H

#include "vmm/vm.h"

/* True for an instruction exit whose length the backend left at 0. */
bool emulate_needs_length(const struct exit_record *exit);

/* For an instruction exit whose length the hardware did not give
 * (insn_len 0): reads the instruction at CS:RIP through the guest's page
 * tables, checks it is the one the exit names and sets exit->insn_len
 * (for EXIT_CR_WRITE also how it writes: MOV's source GPR, CLTS, LMSW).
 * Returns true when the handler may run; false when the instruction could
 * not be emulated — the VM was then stopped naming why, or (more than 15
 * bytes) given the #GP(0) hardware raises. */
bool emulate_insn_length(struct vcpu *vcpu, struct exit_record *exit);

/* Completes an emulated instruction: RIP moves past it, and if RFLAGS.TF
 * was set the guest gets the single-step #DB hardware would raise. */
void emulate_complete(struct vcpu *vcpu, const struct exit_record *exit);

/* The instruction faults instead: RIP stays on it, the guest's handler
 * for `vector` runs (error_code, or EXCEPTION_NO_ERROR_CODE). */
void emulate_fault(struct vcpu *vcpu, unsigned vector, int64_t error_code);

/* Reads len bytes at a guest linear address through the guest's paging.
 * Returns 0, or -E_* with *why saying what stopped the walk. */
int emulate_read_linear(struct vcpu *vcpu, uint64_t linear, void *buf, size_t len, const char **why);

#endif
