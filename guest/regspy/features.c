/* guest/regspy/features.c — CPUID for the registers regspy sets or reads,
 * and the CR0/CR4 bits that make them usable.
 * See: SDM Vol. 2A CPUID (leaves 1, 7, 0Dh); Vol. 3A 2.5. */
#include "features.h"
#include "kernel/io.h"
#include "vmm/cpu/cr_write.h" /* the CR0/CR4 bit names */
#include "kernel/x86.h"


void features_read(struct features *f)
{
	uint32_t a, b, c, d;
	*f = (struct features){ 0 };
	cpuid(0, 0, &a, &b, &c, &d);
	uint32_t max_leaf = a;
	cpuid(CPUID_FEATURES, 0, &a, &b, &c, &d);
	f->xsave = c & CPUID1_ECX_XSAVE;
	if (max_leaf >= CPUID_STRUCTURED_FEATURES) {
		cpuid(CPUID_STRUCTURED_FEATURES, 0, &a, &b, &c, &d);
		f->fsgsbase = b & CPUID7_EBX_FSGSBASE;
		f->pku = c & CPUID7_ECX_PKU;
	}
	if (f->xsave && max_leaf >= CPUID_XSAVE) {
		cpuid(CPUID_XSAVE, 0, &a, &b, &c, &d);
		f->xcr0 = ((uint64_t)d << 32) | a;
	}
}

void features_enable(const struct features *f)
{
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	cr4 |= (f->xsave ? CR4_OSXSAVE : 0) | (f->fsgsbase ? CR4_FSGSBASE : 0) | (f->pku ? CR4_PKE : 0);
	write_cr4(cr4);
}

void xsave_component(unsigned i, uint32_t *offset, uint32_t *size)
{
	uint32_t a, b, c, d;
	cpuid(CPUID_XSAVE, i, &a, &b, &c, &d);
	*size = a;
	*offset = b;
}

uint32_t xsave_size(void)
{
	uint32_t a, b, c, d;
	cpuid(CPUID_XSAVE, 0, &a, &b, &c, &d);
	return b;
}
