/* vmm/cpu/xcr0.c — which XCR0 values XSETBV accepts.
 * See: SDM Vol. 1 (rev. 084) 13.3 "Enabling the XSAVE Feature Set and
 * XSAVE-Enabled Features"; Vol. 2C XSETBV, "Protected Mode Exceptions". */
#include "vmm/cpu/xcr0.h"

/* A group of components that must be enabled all together or not at all. */
static bool all_or_none(uint64_t value, uint64_t group)
{
	return (value & group) == 0 || (value & group) == group;
}

bool xcr0_valid(uint64_t value, uint64_t supported)
{
	if (value & ~supported)
		return false; /* a component this CPU does not have (or bit 63) */
	if (!(value & XCR0_X87))
		return false; /* x87 state can never be disabled */
	if ((value & XCR0_AVX) && !(value & XCR0_SSE))
		return false; /* YMM upper halves without the XMM registers */
	if (!all_or_none(value, XCR0_MPX) || !all_or_none(value, XCR0_AVX512) || !all_or_none(value, XCR0_AMX))
		return false;
	if ((value & XCR0_AVX512) && !(value & XCR0_AVX))
		return false; /* ZMM registers extend YMM */
	return true;
}
