/* guest/regspy/regs.c — DR0-DR3, DR6, DR7, CR2, CR8, XCR0, FS/GS bases,
 * IA32_KERNEL_GS_BASE (through SWAPGS: WRMSR would exit) and PKRU.
 * See: SDM Vol. 3A (rev. 084) 18.2 (debug registers), 11.8.6 (CR8),
 * Vol. 1 13.3 (XCR0), Vol. 2 RDFSBASE/WRGSBASE/SWAPGS/RDPKRU/WRPKRU. */
#include "regs.h"
#include "kernel/cpu_regs.h"
#include "kernel/io.h"
#include "kernel/x86.h"

#define PLANTED_BREAKPOINT 0xdead0000ull /* never executed by anyone */
#define XCR0_FROM_CPUID 0     /* scalar_planted() fills it in */

static uint64_t rdfsbase(void)
{
	uint64_t v;
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}
static void wrfsbase(uint64_t v) { __asm__ volatile("wrfsbase %0" : : "r"(v)); }
static uint64_t rdgsbase(void)
{
	uint64_t v;
	__asm__ volatile("rdgsbase %0" : "=r"(v));
	return v;
}
static void wrgsbase(uint64_t v) { __asm__ volatile("wrgsbase %0" : : "r"(v)); }

/* SWAPGS exchanges GS.base and IA32_KERNEL_GS_BASE: between two of them
 * GS.base is the MSR's value (interrupts are off in the guest). */
static uint64_t read_kernel_gs_base(void)
{
	uint64_t v;
	__asm__ volatile("swapgs; rdgsbase %0; swapgs" : "=r"(v));
	return v;
}
static void write_kernel_gs_base(uint64_t v) { __asm__ volatile("swapgs; wrgsbase %0; swapgs" : : "r"(v)); }

static uint64_t rdpkru(void)
{
	uint32_t v, d;
	__asm__ volatile("rdpkru" : "=a"(v), "=d"(d) : "c"(0));
	return v;
}
static void wrpkru(uint64_t v) { __asm__ volatile("wrpkru" : : "a"((uint32_t)v), "c"(0), "d"(0)); }

static uint64_t read_xcr0(void) { return xgetbv(XCR_XCR0); }
static void write_xcr0(uint64_t v) { xsetbv(XCR_XCR0, v); }

static bool always(const struct features *f) { (void)f; return true; }
static bool has_xsave(const struct features *f) { return f->xsave; }
static bool has_fsgsbase(const struct features *f) { return f->fsgsbase; }
static bool has_pku(const struct features *f) { return f->pku; }

const struct scalar_reg scalar_regs[] = {
	{ "DR0", always, read_dr0, write_dr0, 0, PLANTED_BREAKPOINT },
	{ "DR1", always, read_dr1, write_dr1, 0, PLANTED_BREAKPOINT + 0x100 },
	{ "DR2", always, read_dr2, write_dr2, 0, PLANTED_BREAKPOINT + 0x200 },
	{ "DR3", always, read_dr3, write_dr3, 0, PLANTED_BREAKPOINT + 0x300 },
	{ "DR6", always, read_dr6, write_dr6, DR6_INIT, DR6_INIT | DR6_B0_B3 },
	{ "DR7", always, read_dr7, write_dr7, DR7_INIT, DR7_INIT | DR7_L0_L3 },
	{ "CR2", always, read_cr2, write_cr2, 0, 0xc0ffee000ull },
	/* 15 masks every interrupt class: the worst a guest can do to a TPR. */
	{ "CR8", always, read_cr8, write_cr8, 0, 0xf },
	{ "XCR0", has_xsave, read_xcr0, write_xcr0, 1, XCR0_FROM_CPUID },
	{ "FS_BASE", has_fsgsbase, rdfsbase, wrfsbase, 0, 0x7f00f5f50000ull },
	{ "GS_BASE", has_fsgsbase, rdgsbase, wrgsbase, 0, 0x7f0065650000ull },
	{ "KERNEL_GS_BASE", has_fsgsbase, read_kernel_gs_base, write_kernel_gs_base, 0, 0x7f004b4b0000ull },
	{ "PKRU", has_pku, rdpkru, wrpkru, 0, 0x55555554ull }, /* key 0 left open */
};
const unsigned scalar_reg_count = sizeof(scalar_regs) / sizeof(scalar_regs[0]);

uint64_t scalar_planted(const struct scalar_reg *r, const struct features *f)
{
	return r->write == write_xcr0 ? f->xcr0 : r->planted;
}
