/* vmm/svm/cr4.c — the CR4 bits a guest may set under SVM: those of the
 * features its CPUID shows (the host's, vmm/cpu/cpuid.c passes them through).
 * Any other bit is reserved, and MOV to CR4 with it set is #GP(0).
 * QEMU TCG lets an AMD guest set CR4.VMXE (Intel's bit), after which
 * VMRUN refuses the guest state: memvisor intercepts CR4 writes and
 * checks them itself (vmm/cpu/cr_write.c).
 * See: APM Vol. 2 (rev. 3.42) 3.1.3 "CR4 Register", 15.9 (CR write
 * intercepts); SDM Vol. 2A CPUID (leaf 1, leaf 7 bit positions). */
#include "vmm/svm/svm.h"
#include "kernel/io.h"
#include "kernel/x86.h"

/* VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT: every x86-64 CPU. */
#define CR4_BASELINE                                                                                   \
	(CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | \
	 CR4_OSXMMEXCPT)

struct cr4_feature {
	uint64_t cr4_bit;
	uint32_t leaf;
	char reg; /* 'b', 'c': the CPUID output register */
	uint32_t bit;
};

static const struct cr4_feature features[] = {
	{ CR4_UMIP, CPUID_STRUCTURED_FEATURES, 'c', BIT(2) },
	{ CR4_LA57, CPUID_STRUCTURED_FEATURES, 'c', BIT(16) },
	{ CR4_FSGSBASE, CPUID_STRUCTURED_FEATURES, 'b', CPUID7_EBX_FSGSBASE },
	{ CR4_PCIDE, CPUID_FEATURES, 'c', BIT(17) },
	{ CR4_OSXSAVE, CPUID_FEATURES, 'c', CPUID1_ECX_XSAVE },
	{ CR4_SMEP, CPUID_STRUCTURED_FEATURES, 'b', BIT(7) },
	{ CR4_SMAP, CPUID_STRUCTURED_FEATURES, 'b', BIT(20) },
	{ CR4_PKE, CPUID_STRUCTURED_FEATURES, 'c', CPUID7_ECX_PKU },
	{ CR4_CET, CPUID_STRUCTURED_FEATURES, 'c', BIT(7) },  /* CET (shadow stacks) */
};

uint64_t svm_cr4_reserved(void)
{
	uint32_t max, a, b, c, d;
	cpuid(CPUID_VENDOR, 0, &max, &b, &c, &d);
	uint64_t allowed = CR4_BASELINE;
	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		const struct cr4_feature *f = &features[i];
		if (f->leaf > max)
			continue;
		cpuid(f->leaf, 0, &a, &b, &c, &d);
		if ((f->reg == 'b' ? b : c) & f->bit)
			allowed |= f->cr4_bit;
	}
	return ~allowed;
}
