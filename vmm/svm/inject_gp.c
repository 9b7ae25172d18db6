/* vmm/svm/inject_gp.c — minimal event injection: #GP(0) into the guest,
 * for instructions memvisor emulates and the guest got wrong (XSETBV).
 * See: APM Vol. 2 (rev. 3.42) 15.20 "Event Injection". */
#include "svm.h"

#define VECTOR_GP 13

void svm_inject_gp(struct vcpu *vcpu)
{
	struct svm_vcpu *sv = vcpu->arch;
	/* An exception with error code 0, delivered through the guest's IDT at
	 * the next VMRUN; RIP stays on the instruction (a fault). */
	sv->vmcb->control.event_inject = VECTOR_GP | EVENTINJ_TYPE_EXCEPTION | EVENTINJ_EV | EVENTINJ_V |
					 (0ull << EVENTINJ_ERROR_CODE_SHIFT);
}

/* After a #VMEXIT: the event was delivered or, if its delivery exited
 * (e.g. a nested page fault on the guest's IDT or stack), the faulting
 * instruction runs again and exits again. Either way it must not be
 * injected a second time. */
void svm_inject_done(struct vmcb *vmcb)
{
	vmcb->control.event_inject = 0;
}
