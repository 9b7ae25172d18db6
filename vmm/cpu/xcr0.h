/* vmm/cpu/xcr0.h — the XCR0 bits (state components the XSAVE feature set
 * manages) and the rules XSETBV checks before it writes XCR0.
 * See: SDM Vol. 1 (rev. 084) 13.1 (state components), 13.3 (enabling
 * them); Vol. 2C XSETBV. Pure: compiled in the kernel and the unit tests. */
#ifndef MEMVISOR_VMM_XCR0_H
#define MEMVISOR_VMM_XCR0_H

#include "kernel/types.h"
#include "kernel/x86.h"



/* XCR0 at reset and after INIT: x87 only (SDM 13.3). */

/* True when XSETBV would write `value` into XCR0 on a CPU whose XSAVE
 * supports the components in `supported` (CPUID.(EAX=0DH,ECX=0):EDX:EAX);
 * false where XSETBV raises #GP(0). */
bool xcr0_valid(uint64_t value, uint64_t supported);

#endif
