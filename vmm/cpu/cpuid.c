/* vmm/cpu/cpuid.c — what a guest's CPUID returns: the host's answer, with
 * hardware virtualisation and performance monitoring hidden, memvisor
 * announced (cpuid_guest_view(), vmm/cpu/cpuid_view.c), and the XSAVE
 * leaf sized for the guest's XCR0.
 * See: SDM Vol. 2A CPUID; APM Vol. 3 appendix E; the hypervisor leaves at
 * 0x40000000 follow the convention KVM and others use. */
#include "vmm/cpu/state.h"
#include "vmm/cpu/cpuid_view.h"
#include "vmm/cpu/cr_write.h"
#include "vmm/cpu/emulate.h"
#include "vmm/cpu/handlers.h"
#include "kernel/io.h"
#include "kernel/x86.h"

#define XSAVE_SUBLEAF_MAIN 0
#define XSAVE_SUBLEAF_FEATURES 1

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

void handle_cpuid(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vcpu_regs *r = &vcpu->regs;
	uint32_t leaf = (uint32_t)r->rax, sub = (uint32_t)r->rcx;
	struct cpuid_regs v;
	cpuid(leaf, sub, &v.a, &v.b, &v.c, &v.d);
	/* In a lab 1 skeleton the view is not written yet: the guest then sees
	 * the host's answer, VMX or SVM included (it said so once). */
	(void)cpuid_guest_view(leaf, sub, backend->get_control(vcpu, VCPU_CR4), &v);
	if (leaf == CPUID_XSAVE)
		xsave_leaf(vcpu, sub, &v.a, &v.b, &v.c, &v.d);
	r->rax = v.a;
	r->rbx = v.b;
	r->rcx = v.c;
	r->rdx = v.d;
	emulate_complete(vcpu, exit);
}
