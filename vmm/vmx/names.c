/* vmm/vmx/names.c — the SDM's words for VT-x numbers: VM-instruction
 * errors and basic exit reasons, for diagnostics.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 31.4 "VM Instruction Error
 * Numbers", Vol. 3D appendix C "VMX Basic Exit Reasons". */
#include "vmm/vmx/vmcs.h"
#include "vmm/vmx/arch.h"
#include "kernel/printf.h"

static const char *const instruction_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer (when attempting to deactivate the "
	       "dual-monitor treatment of SMIs and SMM)",
	[19] = "VMCALL with non-clear VMCS (when attempting to activate the dual-monitor treatment of SMIs and SMM)",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier (when attempting to activate the dual-monitor "
	       "treatment of SMIs and SMM)",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features (when attempting to activate the dual-monitor treatment "
	       "of SMIs and SMM)",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS (when attempting to return "
	       "from SMM)",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "Invalid operand to INVEPT/INVVPID",
};

static const char *const exit_reasons[VMX_EXIT_REASON_COUNT] = {
	[0] = "Exception or non-maskable interrupt (NMI)",
	[1] = "External interrupt",
	[2] = "Triple fault",
	[3] = "INIT signal",
	[4] = "Start-up IPI (SIPI)",
	[5] = "I/O system-management interrupt (SMI)",
	[6] = "Other SMI",
	[7] = "Interrupt window",
	[8] = "NMI window",
	[9] = "Task switch",
	[10] = "CPUID",
	[11] = "GETSEC",
	[12] = "HLT",
	[13] = "INVD",
	[14] = "INVLPG",
	[15] = "RDPMC",
	[16] = "RDTSC",
	[17] = "RSM",
	[18] = "VMCALL",
	[19] = "VMCLEAR",
	[20] = "VMLAUNCH",
	[21] = "VMPTRLD",
	[22] = "VMPTRST",
	[23] = "VMREAD",
	[24] = "VMRESUME",
	[25] = "VMWRITE",
	[26] = "VMXOFF",
	[27] = "VMXON",
	[28] = "Control-register accesses",
	[29] = "MOV DR",
	[30] = "I/O instruction",
	[31] = "RDMSR",
	[32] = "WRMSR",
	[33] = "VM-entry failure due to invalid guest state",
	[34] = "VM-entry failure due to MSR loading",
	[36] = "MWAIT",
	[37] = "Monitor trap flag",
	[39] = "MONITOR",
	[40] = "PAUSE",
	[41] = "VM-entry failure due to machine-check event",
	[43] = "TPR below threshold",
	[44] = "APIC access",
	[45] = "Virtualized EOI",
	[46] = "Access to GDTR or IDTR",
	[47] = "Access to LDTR or TR",
	[48] = "EPT violation",
	[49] = "EPT misconfiguration",
	[50] = "INVEPT",
	[51] = "RDTSCP",
	[52] = "VMX-preemption timer expired",
	[53] = "INVVPID",
	[54] = "WBINVD or WBNOINVD",
	[55] = "XSETBV",
	[56] = "APIC write",
	[57] = "RDRAND",
	[58] = "INVPCID",
	[59] = "VMFUNC",
	[60] = "ENCLS",
	[61] = "RDSEED",
	[62] = "Page-modification log full",
	[63] = "XSAVES",
	[64] = "XRSTORS",
	[65] = "PCONFIG",
	[66] = "SPP-related event",
	[67] = "UMWAIT",
	[68] = "TPAUSE",
	[69] = "LOADIWKEY",
	[70] = "ENCLV",
	[72] = "ENQCMD PASID translation failure",
	[73] = "ENQCMDS PASID translation failure",
	[74] = "Bus lock",
	[75] = "Instruction timeout",
	[76] = "SEAMCALL",
	[77] = "TDCALL",
	[78] = "RDMSRLIST",
	[79] = "WRMSRLIST",
};

const char *vmx_instruction_error_name(uint32_t error)
{
	if (error < ARRAY_SIZE(instruction_errors) && instruction_errors[error])
		return instruction_errors[error];
	return "(not a VM-instruction error number the SDM defines)";
}

const char *vmx_exit_reason_name(uint32_t basic_reason)
{
	if (basic_reason < ARRAY_SIZE(exit_reasons) && exit_reasons[basic_reason])
		return exit_reasons[basic_reason];
	return "(not a basic exit reason the SDM defines)";
}

void vmx_instruction_failed(const char *insn, uint64_t operand, enum vmx_status s)
{
	if (s == VMX_FAIL_INVALID)
		panic("%s %#llx failed: VMfailInvalid (no current VMCS, or a bad pointer)", insn,
		      (unsigned long long)operand);
	uint64_t error = 0;
	vmx_vmread(VM_INSTRUCTION_ERROR, &error);
	panic("%s %#llx failed: VM-instruction error %llu: %s", insn, (unsigned long long)operand,
	      (unsigned long long)error, vmx_instruction_error_name((uint32_t)error));
}
