/* guest/runtime/hypercall.h — calling memvisor (vmm/hypercall_abi.h §2, §4). */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm/hypercall_abi.h"

/* Looks for memvisor through CPUID and picks VMCALL or VMMCALL. */
void hc_init(void);
/* True if hc_init() found memvisor. */
bool hc_present(void);
/* True if hypercalls use AMD's VMMCALL, false for Intel's VMCALL (only
 * meaningful when hc_present()). */
bool hc_uses_vmmcall(void);
/* RAX = nr, RBX/RCX/RDX/RSI = a1..a4; returns RAX (>= 0 success, < 0 is
 * -HC_E_*). Without memvisor returns -HC_E_NOSYS and executes nothing:
 * VMCALL/VMMCALL outside a VM is #UD. */
int64_t hc_call(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);

#endif
