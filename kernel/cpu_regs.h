/* kernel/cpu_regs.h — debug registers, XCR0, CR8 and the x87/SSE/AVX save
 * instructions: what memvisor switches between guests and what the guests
 * set (guest/regspy). Freestanding: used by the kernel and the guests.
 * See: SDM Vol. 3A (rev. 084) 18.2 (debug registers), Vol. 1 13.3 (XCR0),
 * 10.5 (FXSAVE), 13.7-13.8 (XSAVE, XRSTOR); Vol. 2 (XGETBV, XSETBV). */
#ifndef MEMVISOR_CPU_REGS_H
#define MEMVISOR_CPU_REGS_H

#include "kernel/types.h"
#include "kernel/x86.h"

#define DEFINE_DR_ACCESSORS(n)                                                  \
	static inline uint64_t read_dr##n(void)                                 \
	{                                                                       \
		uint64_t v;                                                     \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));               \
		return v;                                                       \
	}                                                                       \
	static inline void write_dr##n(uint64_t v)                              \
	{                                                                       \
		__asm__ volatile("mov %0, %%db" #n : : "r"(v));                 \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
DEFINE_DR_ACCESSORS(6)
DEFINE_DR_ACCESSORS(7)

/* DR6 at reset, and with no debug condition recorded (SDM Vol. 3A 18.2.3). */

/* CR8 is the task-priority register in 64-bit mode (SDM Vol. 3A 11.8.6). */
static inline uint64_t read_cr8(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}
static inline void write_cr8(uint64_t v) { __asm__ volatile("mov %0, %%cr8" : : "r"(v) : "memory"); }

/* XCR0 = XCR number 0; both need CR4.OSXSAVE = 1. */
#define XCR_XCR0 0
static inline uint64_t xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* The save image: 512 bytes in FXSAVE's layout, then (XSAVE only) the
 * 64-byte header and the extended components. Must be 64-byte aligned
 * for XSAVE, 16 for FXSAVE. `mask` selects components (EDX:EAX). */
static inline void fxsave(void *area) { __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory"); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory"); }
static inline void xsave(void *area, uint64_t mask)
{
	__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)) : "memory");
}
static inline void xrstor(const void *area, uint64_t mask)
{
	__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)) : "memory");
}

#endif
