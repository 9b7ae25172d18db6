/* vmm/cpu/cpuid_view.h — what a guest's CPUID shows, from the host's
 * answer: the rule of lab 1's exercise 1.3 (docs/labs/1-virt-on.md).
 * Pure: no CPUID, no MSR, no vCPU; compiled in the kernel and in
 * tests/unit/test_cpuid_view.c. handle_cpuid() (vmm/cpu/cpuid.c) asks the
 * host, calls cpuid_guest_view() and then sizes the XSAVE leaf.
 * See: SDM Vol. 2A CPUID; APM Vol. 3 appendix E. */
#ifndef MEMVISOR_VMM_CPUID_VIEW_H
#define MEMVISOR_VMM_CPUID_VIEW_H

#include "kernel/types.h"

/* One CPUID answer: EAX, EBX, ECX, EDX. */
struct cpuid_regs {
	uint32_t a, b, c, d;
};

/* Turns *r, the host's answer to CPUID (leaf, sub), into the guest's:
 *  - leaves 0x40000000-0x400000ff are memvisor's own: 0x40000000 gives
 *    CPUID_HYPERVISOR_MAX in EAX and the signature "memvisor" (zero
 *    padded to 12 bytes) in EBX, ECX, EDX; every other leaf of the range
 *    is all zeros; the host's answer there is never shown;
 *  - leaf 1: ECX without VMX, with the hypervisor bit (31), OSXSAVE as
 *    the guest's CR4.OSXSAVE;
 *  - leaf 7 subleaf 0: ECX's OSPKE as the guest's CR4.PKE;
 *  - leaf 0x80000001: ECX without SVM;
 *  - leaves 0x8000000a (SVM features) and 0xa (performance monitoring):
 *    all zeros;
 *  - every other bit of every leaf and subleaf: the host's.
 * Returns 0 (a lab skeleton: -E_NOT_IMPLEMENTED, *r unchanged). */
int cpuid_guest_view(uint32_t leaf, uint32_t sub, uint64_t guest_cr4, struct cpuid_regs *r);

#endif
