/* vmm/cpu/cpuid.c — what a guest's CPUID returns: the host's answer, with
 * hardware virtualisation and performance monitoring hidden, memvisor
 * announced.
 * See: SDM Vol. 2A CPUID; APM Vol. 3 appendix E; the hypervisor leaves at
 * 0x40000000 follow the convention KVM and others use. */
#include "vmm/cpu/state.h"
#include "vmm/cpu/cr_write.h"
#include "vmm/cpu/emulate.h"
#include "vmm/cpu/handlers.h"
#include "kernel/io.h"
#include "kernel/string.h"
#include "kernel/x86.h"

#define XSAVE_SUBLEAF_MAIN 0
#define XSAVE_SUBLEAF_FEATURES 1

/* A flag CPUID computes from CR4: the guest's CR4, not the host's. */
static uint32_t cr4_flag(uint32_t reg, uint32_t flag, struct vcpu *vcpu, uint64_t cr4_bit)
{
	bool set = backend->get_control(vcpu, VCPU_CR4) & cr4_bit;
	return (reg & ~flag) | (set ? flag : 0);
}

/* Leaf 0Dh as the guest's XCR0 would make it: only the components memvisor
 * saves (vmm/cpu/state.c), sizes for the guest's XCR0 (SDM Vol. 1 13.2). */
static void xsave_leaf(struct vcpu *vcpu, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	uint64_t offered = cpu_state_xcr0_offered();
	if (sub == XSAVE_SUBLEAF_MAIN) {
		*a &= (uint32_t)offered;
		*d &= (uint32_t)(offered >> 32);
		*b = cpu_state_xsave_size(vcpu->cpu.xcr0);
		*c = cpu_state_xsave_size(offered);
	} else if (sub > XSAVE_SUBLEAF_FEATURES && (sub >= 64 || !(offered & BIT(sub)))) {
		*a = *b = *c = *d = 0;
	}
}

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
		if (leaf == CPUID_FEATURES) {
			c = (c & ~(uint32_t)CPUID1_ECX_VMX) | (uint32_t)CPUID1_ECX_HYPERVISOR;
			c = cr4_flag(c, CPUID1_ECX_OSXSAVE, vcpu, CR4_OSXSAVE);
		} else if (leaf == CPUID_STRUCTURED_FEATURES && sub == 0)
			c = cr4_flag(c, CPUID7_ECX_OSPKE, vcpu, CR4_PKE);
		else if (leaf == CPUID_XSAVE)
			xsave_leaf(vcpu, sub, &a, &b, &c, &d);
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
