/* vmm/cpu/xcr0.h — the XCR0 bits (state components the XSAVE feature set
 * manages) and the rules XSETBV checks before it writes XCR0.
 * See: SDM Vol. 1 (rev. 084) 13.1 (state components), 13.3 (enabling
 * them); Vol. 2C XSETBV. Pure: compiled in the kernel and the unit tests. */
#ifndef MEMVISOR_VMM_XCR0_H
#define MEMVISOR_VMM_XCR0_H

#include "kernel/types.h"

#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)      /* upper halves of YMM0-15  */
#define XCR0_BNDREGS BIT(3)  /* MPX                      */
#define XCR0_BNDCSR BIT(4)   /* MPX                      */
#define XCR0_OPMASK BIT(5)   /* AVX-512 k0-k7            */
#define XCR0_ZMM_HI256 BIT(6)
#define XCR0_HI16_ZMM BIT(7)
#define XCR0_PKRU BIT(9)
#define XCR0_TILECFG BIT(17) /* AMX                      */
#define XCR0_TILEDATA BIT(18)

#define XCR0_MPX (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_AMX (XCR0_TILECFG | XCR0_TILEDATA)

/* XCR0 at reset and after INIT: x87 only (SDM 13.3). */
#define XCR0_RESET XCR0_X87

/* True when XSETBV would write `value` into XCR0 on a CPU whose XSAVE
 * supports the components in `supported` (CPUID.(EAX=0DH,ECX=0):EDX:EAX);
 * false where XSETBV raises #GP(0). */
bool xcr0_valid(uint64_t value, uint64_t supported);

#endif
