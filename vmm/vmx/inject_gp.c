/* vmm/vmx/inject_gp.c — minimal event injection: #GP(0) into the guest,
 * for instructions memvisor emulates and the guest got wrong (XSETBV).
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 25.8.3 (VM-entry controls
 * for event injection), 27.6 (event injection on VM entry). */
#include "vmx.h"

#define VECTOR_GP 13

/* Delivered through the guest's IDT at the next VM entry; RIP stays on the
 * instruction (a fault). Every VM exit clears the field's valid bit (SDM
 * 28.2, "updating VM-entry control fields"), so an event whose delivery
 * itself exited (an EPT violation on the guest's IDT or stack) is not
 * repeated: the instruction runs again and exits again instead. A guest in
 * real mode gets no error code (SDM 27.2.1.3). */
void vmx_inject_gp(struct vcpu *vcpu)
{
	vmx_load_vmcs(vcpu);
	bool protected_mode = vmx_get_control(vcpu, VCPU_CR0) & CR0_PE;
	uint32_t info = VECTOR_GP | ENTRY_INTR_TYPE_HARDWARE_EXCEPTION | ENTRY_INTR_VALID;
	if (protected_mode) {
		info |= ENTRY_INTR_DELIVER_ERROR_CODE;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	}
	vmcs_write32(VM_ENTRY_INTERRUPTION_INFORMATION_FIELD, info);
}
