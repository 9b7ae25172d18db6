/* vmm/cpuid.c — what a guest's CPUID returns: the host's answer, with
 * hardware virtualisation and performance monitoring hidden, memvisor
 * announced.
 * See: SDM Vol. 2A CPUID; APM Vol. 3 appendix E; the hypervisor leaves at
 * 0x40000000 follow the convention KVM and others use. */
#include "emulate.h"
#include "exit.h"
#include "../kernel/io.h"
#include "../kernel/string.h"

#define CPUID_FEATURES 1
#define CPUID_PERFMON 0xau /* architectural performance monitoring (SDM Vol. 2A CPUID, leaf 0AH) */
#define CPUID1_ECX_VMX BIT(5)
#define CPUID1_ECX_HYPERVISOR BIT(31)
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_ECX_SVM BIT(2)
#define CPUID_SVM_FEATURES 0x8000000au

static void signature(uint32_t *b, uint32_t *c, uint32_t *d)
{
	char sig[12] = { 0 };
	memcpy(sig, CPUID_HYPERVISOR_SIGNATURE, sizeof(CPUID_HYPERVISOR_SIGNATURE) - 1);
	memcpy(b, sig, 4);
	memcpy(c, sig + 4, 4);
	memcpy(d, sig + 8, 4);
}

void handle_cpuid(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vcpu_regs *r = &vcpu->regs;
	uint32_t leaf = (uint32_t)r->rax, sub = (uint32_t)r->rcx, a, b, c, d;
	if (leaf >= CPUID_HYPERVISOR_BASE && leaf <= CPUID_HYPERVISOR_BASE + 0xff) {
		a = b = c = d = 0;
		if (leaf == CPUID_HYPERVISOR_BASE) {
			a = CPUID_HYPERVISOR_MAX;
			signature(&b, &c, &d);
		}
	} else {
		cpuid(leaf, sub, &a, &b, &c, &d);
		if (leaf == CPUID_FEATURES)
			c = (c & ~(uint32_t)CPUID1_ECX_VMX) | (uint32_t)CPUID1_ECX_HYPERVISOR;
		else if (leaf == CPUID_EXT_FEATURES)
			c &= ~(uint32_t)CPUID_EXT_ECX_SVM;
		else if (leaf == CPUID_SVM_FEATURES)
			a = b = c = d = 0;
		else if (leaf == CPUID_PERFMON)
			a = b = c = d = 0; /* version 0: no counters, RDPMC is #GP (vmm/exit.c) */
	}
	r->rax = a;
	r->rbx = b;
	r->rcx = c;
	r->rdx = d;
	emulate_complete(vcpu, exit);
}
