/* vmm/cpu/xsetbv.c — XSETBV, emulated: each guest has its own XCR0, checked as
 * the CPU checks it, and the real XCR0 is the guest's only while it runs
 * (vmm/cpu/state.c). VMX always exits on XSETBV; SVM intercepts it.
 * See: SDM Vol. 2C (rev. 084) XSETBV; Vol. 1 13.3; APM Vol. 2 15.9. */
#include "vmm/cpu/state.h"
#include "vmm/cpu/emulate.h"
#include "vmm/cpu/handlers.h"
#include "vmm/cpu/xcr0.h"
#include "kernel/cpu_regs.h"

/* #UD (CR4.OSXSAVE = 0) and #GP at CPL > 0 come before the exit (SDM
 * 26.1.1, APM 15.9: instruction intercepts are checked after those), so
 * what is left are the value checks: a wrong XCR number or an XCR0 the CPU
 * would refuse is #GP(0), and the instruction is not done. */
void handle_xsetbv(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vcpu_regs *r = &vcpu->regs;
	uint32_t xcr = (uint32_t)r->rcx;
	uint64_t value = ((uint64_t)(uint32_t)r->rdx << 32) | (uint32_t)r->rax;
	if (xcr != XCR_XCR0 || !xcr0_valid(value, cpu_state_xcr0_offered())) {
		emulate_fault(vcpu, VECTOR_GP, 0); /* RIP stays */
		return;
	}
	vcpu->cpu.xcr0 = value;
	emulate_complete(vcpu, exit);
}
