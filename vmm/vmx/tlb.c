/* vmm/vmx/tlb.c — what the CPU caches of a guest's translations, and how
 * memvisor invalidates it: INVEPT and INVVPID with the types
 * IA32_VMX_EPT_VPID_CAP reports, and a VPID per vCPU.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 29.1 "Virtual-Processor
 * Identifiers (VPIDs)", 29.4 "Caching Translation Information" (29.4.1
 * linear, guest-physical and combined mappings; 29.4.3 invalidating them),
 * 31.3 INVEPT and INVVPID; Vol. 3D A.10 (IA32_VMX_EPT_VPID_CAP).
 *
 * Without VPIDs every VM entry and exit invalidates the linear and
 * combined mappings (SDM 29.4.3.1), so a guest starts each entry with an
 * empty TLB. With "enable VPID" they are tagged with the VMCS's VPID and
 * survive the exit: cheaper, but whatever a MOV to CR0/CR3/CR4 executed by
 * the guest itself would have flushed (SDM 4.10.4.1) must now be flushed
 * by memvisor when it makes that change for the guest, and a VPID handed to
 * a new vCPU must not carry the entries of the one before. Emulators do not
 * show a missing flush: Bochs and QEMU rarely keep stale entries where
 * hardware does. */
#include "vmm/vmx/vmx.h"

static bool allowed1(uint64_t cap, uint64_t bit) { return (cap >> CTLS_ALLOWED1_SHIFT) & bit; }

/* Single-context touches only this VM's EPT; all-context is the fallback
 * every CPU with INVEPT may lack instead (A.10 bits 25, 26). vmx.c refuses
 * a CPU with neither. */
uint64_t vmx_invept_type(const struct vmx_caps *c)
{
	if (c->ept_vpid & EPT_CAP_INVEPT_SINGLE_CONTEXT)
		return INVEPT_SINGLE_CONTEXT;
	if (c->ept_vpid & EPT_CAP_INVEPT_ALL_CONTEXT)
		return INVEPT_ALL_CONTEXT;
	return 0;
}

/* INVVPID exists when A.10 bit 32 is 1; of its types memvisor uses
 * single-context (bit 41), else all-context (bit 42). 0: neither. */
uint64_t vmx_invvpid_type(const struct vmx_caps *c)
{
	if (!(c->ept_vpid & VPID_CAP_INVVPID))
		return 0;
	if (c->ept_vpid & VPID_CAP_INVVPID_SINGLE_CONTEXT)
		return INVVPID_SINGLE_CONTEXT;
	if (c->ept_vpid & VPID_CAP_INVVPID_ALL_CONTEXT)
		return INVVPID_ALL_CONTEXT;
	return 0;
}

/* VPIDs only where the control may be 1 and INVVPID can flush them:
 * a VPID that could never be invalidated would keep stale entries. */
bool vmx_vpid_usable(const struct vmx_caps *c)
{
	return allowed1(c->procbased, PROC_ACTIVATE_SECONDARY_CONTROLS) &&
	       allowed1(c->procbased2, PROC2_ENABLE_VPID) && vmx_invvpid_type(c);
}

/* One vCPU per VM: the VM's id (1..VM_MAX) is unique among live vCPUs
 * and never 0, which VM entry refuses with "enable VPID" (SDM 27.2.1.1)
 * and which is the host's own tag. */
uint16_t vmx_vpid(const struct vm *vm) { return (uint16_t)vm->id; }

void vmx_flush_vpid(const struct vm *vm)
{
	if (!(vmx_controls.procbased2 & PROC2_ENABLE_VPID))
		return; /* every entry flushes VPID 0 (SDM 29.4.3.1) */
	uint16_t vpid = vmx_vpid(vm);
	enum vmx_status s = vmx_invvpid(vmx_invvpid_type(&vmx_caps), vpid);
	if (s != VMX_OK)
		vmx_instruction_failed("INVVPID", vpid, s);
}
