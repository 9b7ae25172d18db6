/* vmm/vmx/decode.c — from a VM exit (or a failed VM entry) to the neutral
 * exit record the core dispatches on.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 28.2.1 "Basic VM-Exit
 * Information" (exit reason, qualifications for I/O and EPT violations),
 * 27.8 "VM-Entry Failures During or After Loading Guest State", 31.4
 * (VM-instruction errors); Vol. 3D appendix C (exit reasons). */
#include "vmm/vmx/vmx.h"
#include "kernel/printf.h"

#define VM_ERROR_INVALID_CONTROLS 7
#define VM_ERROR_INVALID_HOST_STATE 8

static uint64_t insn_len(void) { return vmcs_read32(VM_EXIT_INSTRUCTION_LENGTH); }

static void decode_io(struct exit_record *e, uint64_t qual)
{
	e->reason = EXIT_IO;
	e->io.port = (uint16_t)(qual >> IO_QUAL_PORT_SHIFT);
	e->io.size = (uint8_t)((qual & IO_QUAL_SIZE_MASK) + 1);
	e->io.in = qual & IO_QUAL_IN;
	e->io.string = qual & (IO_QUAL_STRING | IO_QUAL_REP);
	e->insn_len = insn_len();
}

static void decode_ept_violation(struct exit_record *e, uint64_t qual)
{
	e->reason = EXIT_NPF;
	e->npf.gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	e->npf.write = qual & EPT_QUAL_WRITE;
	e->npf.fetch = qual & EPT_QUAL_FETCH;
	/* Bits 5:3 are the rights the entry gave: any set means it was present. */
	e->npf.present = qual & (EPT_QUAL_WAS_READABLE | EPT_QUAL_WAS_WRITABLE | EPT_QUAL_WAS_EXECUTABLE);
	e->vendor_info2 = e->npf.gpa;
}

/* An entry is a misconfiguration (not a violation) when its bits make no
 * sense: W without R, a reserved memory type, reserved bits set. The VM
 * stops; the walk shows which entry it was. */
static void decode_ept_misconfiguration(struct vcpu *vcpu, struct exit_record *e)
{
	e->vendor_info2 = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	vmx_ept_print_walk(vcpu->vm, e->vendor_info2);
}

/* Bits of CR0/CR4 the guest may not set: those VMX operation cannot have
 * 1 (FIXED1 clear, SDM A.7-A.8) and CR4.VMXE, since the guest's CPUID
 * shows no VMX (vmm/cpu/cpuid.c), so to the guest it is reserved. The
 * FIXED1 MSRs describe bits 31:0 only. */

static uint64_t cr_reserved(unsigned cr)
{
	if (cr == 0)
		return ~vmx_caps.cr0_fixed1 & UINT32_MAX;
	return (~vmx_caps.cr4_fixed1 & UINT32_MAX) | CR4_VMXE;
}

/* MOV to CR0/CR4, CLTS and LMSW exit when they would change a bit the
 * guest/host mask gives the host (SDM 26.1.3). Others stay EXIT_UNEXPECTED:
 * memvisor sets no CR3/CR8 exiting. */
static void decode_cr_access(struct vcpu *vcpu, struct exit_record *e, uint64_t qual)
{
	unsigned cr = qual & CR_QUAL_NUMBER_MASK, access = (qual >> CR_QUAL_ACCESS_SHIFT) & CR_QUAL_ACCESS_MASK;
	if ((cr != 0 && cr != 4) || access == CR_QUAL_ACCESS_MOV_FROM || (cr == 4 && access != CR_QUAL_ACCESS_MOV_TO))
		return;
	e->reason = EXIT_CR_WRITE;
	e->insn_len = insn_len();
	e->cr.reg = cr == 0 ? VCPU_CR0 : VCPU_CR4;
	e->cr.reserved = cr_reserved(cr);
	if (access == CR_QUAL_ACCESS_MOV_TO) {
		e->cr.access = CR_ACCESS_MOV_TO;
		e->cr.source = vcpu_gpr(&vcpu->regs, (qual >> CR_QUAL_GPR_SHIFT) & CR_QUAL_GPR_MASK);
	} else if (access == CR_QUAL_ACCESS_CLTS) {
		e->cr.access = CR_ACCESS_CLTS;
	} else {
		e->cr.access = CR_ACCESS_LMSW;
		e->cr.source = (qual >> CR_QUAL_LMSW_SOURCE_SHIFT) & CR_QUAL_LMSW_SOURCE_MASK;
	}
}

static void decode_insn(struct exit_record *e, enum exit_reason reason)
{
	e->reason = reason;
	e->insn_len = insn_len();
}

void vmx_decode_exit(struct vcpu *vcpu, struct exit_record *e)
{
	uint32_t reason = vmcs_read32(EXIT_REASON), basic = reason & EXIT_REASON_BASIC_MASK;
	uint64_t qual = vmcs_read_natural(EXIT_QUALIFICATION);
	*e = (struct exit_record){ .reason = EXIT_UNEXPECTED, .vendor_code = reason, .vendor_info1 = qual,
				   .vendor_name = vmx_exit_reason_name(basic) };
	if (reason & EXIT_REASON_ENTRY_FAILURE) {
		e->reason = EXIT_ENTRY_FAILED; /* basic reason 33, 34 or 41 */
		return;
	}
	switch (basic) {
	case VMX_EXIT_CPUID: decode_insn(e, EXIT_CPUID); break;
	case VMX_EXIT_HLT: decode_insn(e, EXIT_HLT); break;
	case VMX_EXIT_VMCALL: decode_insn(e, EXIT_HYPERCALL); break;
	case VMX_EXIT_INVD: decode_insn(e, EXIT_INVD); break;
	case VMX_EXIT_WBINVD: decode_insn(e, EXIT_WBINVD); break;
	case VMX_EXIT_RDPMC: decode_insn(e, EXIT_RDPMC); break;
	case VMX_EXIT_CONTROL_REGISTER_ACCESS: decode_cr_access(vcpu, e, qual); break;
	case VMX_EXIT_XSETBV: decode_insn(e, EXIT_XSETBV); break;
	case VMX_EXIT_IO_INSTRUCTION: decode_io(e, qual); break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		e->reason = EXIT_MSR;
		e->msr.index = (uint32_t)vcpu->regs.rcx;
		e->msr.write = basic == VMX_EXIT_WRMSR;
		e->insn_len = insn_len();
		break;
	case VMX_EXIT_EPT_VIOLATION: decode_ept_violation(e, qual); break;
	case VMX_EXIT_EPT_MISCONFIGURATION: decode_ept_misconfiguration(vcpu, e); break;
	case VMX_EXIT_TRIPLE_FAULT: e->reason = EXIT_SHUTDOWN; break;
	case VMX_EXIT_EXTERNAL_INTERRUPT: e->reason = EXIT_INTERRUPT; break;
	case VMX_EXIT_VMX_PREEMPTION_TIMER_EXPIRED: e->reason = EXIT_INTERRUPT; break; /* see controls.c */
	case VMX_EXIT_EXCEPTION_OR_NMI: e->vendor_info2 = vmcs_read32(VM_EXIT_INTERRUPTION_INFORMATION); break;
	default: break; /* EXIT_UNEXPECTED, named as the SDM names it */
	}
}

void vmx_decode_entry_fail(enum vmx_status s, bool launched, struct exit_record *e)
{
	const char *insn = launched ? "VMRESUME" : "VMLAUNCH";
	*e = (struct exit_record){ .reason = EXIT_ENTRY_FAILED };
	if (s == VMX_FAIL_INVALID) {
		e->vendor_name = "VMfailInvalid (no current VMCS)";
		kprintf("memvisor: vmx: %s failed: %s\n", insn, e->vendor_name);
		return;
	}
	uint32_t error = vmcs_read32(VM_INSTRUCTION_ERROR);
	e->vendor_code = error;
	e->vendor_name = vmx_instruction_error_name(error);
	kprintf("memvisor: vmx: %s failed: VM-instruction error %u: %s\n", insn, error, e->vendor_name);
	if (error == VM_ERROR_INVALID_CONTROLS || error == VM_ERROR_INVALID_HOST_STATE)
		kprintf("memvisor: vmx: SDM 27.2 lists these checks; under Bochs, bochs.log names the one that failed\n");
}
