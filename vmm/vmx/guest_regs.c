/* vmm/vmx/guest_regs.c — the guest registers a VM entry/exit does not
 * switch, switched by hand around vmx_world_switch() (the table is in
 * vmx.h): CR2, DR6, IA32_KERNEL_GS_BASE here, DR0-DR3, XCR0 and the
 * x87/SSE state in vmm/cpu/state.c; and the virtual-APIC page that holds
 * the guest's CR8.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 27.3.2 (what VM entry
 * loads), 28.3 and 28.5 (what a VM exit saves and loads), 30.1.1 and 30.3
 * (virtual-APIC page, MOV to/from CR8 with the TPR shadow). */
#include "vmm/vmx/vmx.h"
#include "kernel/cpu_regs.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"

#define TPR_THRESHOLD_NONE 0   /* VTPR never falls below 0: no TPR exits */

int vmx_guest_regs_init(struct vmx_vcpu *vv)
{
	if (mem_try_alloc_zeroed(&vv->virtual_apic))
		return -E_NO_MEMORY;
	/* A zeroed page: VTPR = 0, the TPR at reset. */
	vmcs_write64(VIRTUAL_APIC_ADDRESS, mfn_to_mpa(vv->virtual_apic).raw);
	vmcs_write32(TPR_THRESHOLD, TPR_THRESHOLD_NONE);
	vv->cr2 = 0;
	vv->dr6 = DR6_INIT;
	vv->kernel_gs_base = 0;
	return 0;
}

void vmx_guest_regs_destroy(struct vmx_vcpu *vv)
{
	mem_free_frame(vv->virtual_apic);
}

uint64_t vmx_guest_cr8(const struct vmx_vcpu *vv)
{
	const uint8_t *page = mfn_to_virt(vv->virtual_apic);
	return page[VIRTUAL_APIC_VTPR] >> 4;
}

/* With interrupts off: a host handler must not run on guest values. */
void vmx_guest_regs_enter(struct vcpu *vcpu, struct vmx_vcpu *vv)
{
	cpu_state_enter(vcpu);
	vv->host_kernel_gs_base = rdmsr(MSR_IA32_KERNEL_GS_BASE);
	wrmsr(MSR_IA32_KERNEL_GS_BASE, vv->kernel_gs_base);
	write_dr6(vv->dr6);
	write_cr2(vv->cr2);
}

void vmx_guest_regs_leave(struct vcpu *vcpu, struct vmx_vcpu *vv)
{
	vv->cr2 = read_cr2();
	vv->dr6 = read_dr6();
	/* SWAPGS in the guest changes the MSR itself, without an exit. */
	vv->kernel_gs_base = rdmsr(MSR_IA32_KERNEL_GS_BASE);
	wrmsr(MSR_IA32_KERNEL_GS_BASE, vv->host_kernel_gs_base);
	cpu_state_leave(vcpu); /* also puts the host's DR6 back */
}
