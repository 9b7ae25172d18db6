/* vmm/cpu/cr_write.h — a guest's write to CR0 or CR4 that memvisor completes
 * itself (VMX: it changed a bit the guest/host masks give the host, SDM
 * Vol. 3C 26.3), checked as MOV to CR checks it. The checks are pure, so
 * tests/unit/test_cr_write.c runs them hosted.
 * See: SDM (rev. 084) Vol. 3A 2.5 (control registers), Vol. 2B "MOV—Move
 * to/from Control Registers" (its #GP(0) list), Vol. 3A 10.8.5 (IA-32e
 * mode activation). */
#ifndef MEMVISOR_VMM_CR_WRITE_H
#define MEMVISOR_VMM_CR_WRITE_H

#include "kernel/types.h"
#include "kernel/x86.h"


/* What the checks look at: the registers as the guest sees them. */
struct cr_state {
	uint64_t cr0, cr3, cr4, efer;
	bool code64; /* running 64-bit code (IA-32e mode, CS.L = 1) */
};

/* Each returns 0 with the value the register takes in *result, or
 *   -E_INVAL          the write raises #GP(0) (*why says which rule)
 *   -E_NOT_SUPPORTED  a valid write memvisor does not complete: entering
 *                     PAE paging outside IA-32e mode, which needs the
 *                     PDPTEs loaded on the guest's behalf (SDM 4.4.1)
 * `reserved`: bits this CPU does not let the guest set, on top of the
 * architectural ones. */
int cr0_write_check(const struct cr_state *s, uint64_t value, uint64_t reserved, uint64_t *result,
		    const char **why);
int cr4_write_check(const struct cr_state *s, uint64_t value, uint64_t reserved, uint64_t *result,
		    const char **why);

/* The CR0 value CLTS and LMSW write (SDM Vol. 2A CLTS, Vol. 2B LMSW:
 * LMSW loads PE, MP, EM, TS and can set PE but not clear it). */
uint64_t cr0_after_clts(uint64_t cr0);
uint64_t cr0_after_lmsw(uint64_t cr0, uint64_t source);

#endif
