/* vmm/vmx/dump.c — the VMCS, printed for a diagnostic: the guest state
 * that VM entry checks, the exit information, the controls, the host state.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 27.2-27.3 (the checks on
 * controls, host state and guest state), 28.2 (exit information). */
#include "vmm/vmx/vmx.h"
#include "kernel/printf.h"

struct dump_field {
	const char *name;
	enum vmcs_field field;
};

#define F(name, field) { name, field }

static const struct dump_field exit_info[] = {
	F("reason", EXIT_REASON), F("qualification", EXIT_QUALIFICATION),
	F("gpa", GUEST_PHYSICAL_ADDRESS), F("insn_len", VM_EXIT_INSTRUCTION_LENGTH),
	F("intr_info", VM_EXIT_INTERRUPTION_INFORMATION), F("idt_vectoring", IDT_VECTORING_INFORMATION_FIELD),
	F("vm_insn_error", VM_INSTRUCTION_ERROR),
};

static const struct dump_field guest_regs[] = {
	F("cr0", GUEST_CR0), F("cr0_shadow", CR0_READ_SHADOW), F("cr0_mask", CR0_GUEST_HOST_MASK),
	F("cr3", GUEST_CR3), F("cr4", GUEST_CR4), F("cr4_shadow", CR4_READ_SHADOW),
	F("cr4_mask", CR4_GUEST_HOST_MASK), F("dr7", GUEST_DR7), F("rip", GUEST_RIP),
	F("rsp", GUEST_RSP), F("rflags", GUEST_RFLAGS), F("efer", GUEST_IA32_EFER),
	F("gdtr_base", GUEST_GDTR_BASE), F("gdtr_limit", GUEST_GDTR_LIMIT), F("idtr_base", GUEST_IDTR_BASE),
	F("idtr_limit", GUEST_IDTR_LIMIT), F("debugctl", GUEST_IA32_DEBUGCTL),
	F("sysenter_esp", GUEST_IA32_SYSENTER_ESP), F("sysenter_eip", GUEST_IA32_SYSENTER_EIP),
};

static const struct dump_field guest_non_regs[] = {
	F("activity", GUEST_ACTIVITY_STATE), F("interruptibility", GUEST_INTERRUPTIBILITY_STATE),
	F("pending_dbg", GUEST_PENDING_DEBUG_EXCEPTIONS), F("vmcs_link", VMCS_LINK_POINTER),
};

static const struct dump_field controls[] = {
	F("pin", PIN_BASED_VM_EXECUTION_CONTROLS), F("primary", PRIMARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS),
	F("secondary", SECONDARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS), F("exit", PRIMARY_VM_EXIT_CONTROLS),
	F("entry", VM_ENTRY_CONTROLS), F("exceptions", EXCEPTION_BITMAP), F("eptp", EPT_POINTER),
	F("entry_intr_info", VM_ENTRY_INTERRUPTION_INFORMATION_FIELD), F("virtual_apic", VIRTUAL_APIC_ADDRESS),
	F("tpr_threshold", TPR_THRESHOLD),
};

static const struct dump_field host_state[] = {
	F("cr0", HOST_CR0), F("cr3", HOST_CR3), F("cr4", HOST_CR4), F("rip", HOST_RIP), F("rsp", HOST_RSP),
	F("cs", HOST_CS_SELECTOR), F("ss", HOST_SS_SELECTOR), F("ds", HOST_DS_SELECTOR),
	F("es", HOST_ES_SELECTOR), F("fs", HOST_FS_SELECTOR), F("gs", HOST_GS_SELECTOR),
	F("tr", HOST_TR_SELECTOR), F("fs_base", HOST_FS_BASE), F("gs_base", HOST_GS_BASE),
	F("tr_base", HOST_TR_BASE), F("gdtr_base", HOST_GDTR_BASE), F("idtr_base", HOST_IDTR_BASE),
	F("efer", HOST_IA32_EFER),
};

#define PER_LINE 4

/* VMREAD directly: a field this CPU lacks is shown, not fatal. */
static void dump_fields(const char *title, const struct dump_field *f, size_t n)
{
	kprintf("  %s:", title);
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		if (vmx_vmread(f[i].field, &v) == VMX_OK)
			kprintf(" %s=%#llx", f[i].name, (unsigned long long)v);
		else
			kprintf(" %s=(no such field)", f[i].name);
		if ((i + 1) % PER_LINE == 0 && i + 1 < n)
			kprintf("\n   ");
	}
	kprintf("\n");
}

static void dump_segments(void)
{
	for (int i = 0; i < VMX_GUEST_SEGMENTS; i++) {
		const struct vmx_segment *s = &vmx_guest_segments[i];
		uint64_t sel = 0, base = 0, limit = 0, ar = 0;
		vmx_vmread(s->selector, &sel);
		vmx_vmread(s->base, &base);
		vmx_vmread(s->limit, &limit);
		vmx_vmread(s->access_rights, &ar);
		kprintf("    %-4s sel=%#06llx base=%#llx limit=%#010llx ar=%#07llx%s\n", s->name,
			(unsigned long long)sel, (unsigned long long)base, (unsigned long long)limit,
			(unsigned long long)ar, (ar & AR_UNUSABLE) ? " (unusable)" : "");
	}
}

static void explain_entry_failure(uint64_t reason, uint64_t qual)
{
	if (!(reason & EXIT_REASON_ENTRY_FAILURE))
		return;
	kprintf("  VM-entry failure (%s): a check of SDM 27.3 on the guest state above failed",
		vmx_exit_reason_name(reason & EXIT_REASON_BASIC_MASK));
	if (qual == 4)
		kprintf(" (qualification 4: the VMCS link pointer is not all ones)");
	else if (qual == 2)
		kprintf(" (qualification 2: loading the PDPTEs failed)");
	kprintf(";\n  the usual ones: CR0/CR4 fixed bits (CR4.VMXE, CR0.NE), segments not accessed, TR unusable or\n"
		"  not busy, RFLAGS bit 1 clear, EFER.LMA != \"IA-32e mode guest\". Under Bochs, bochs.log names it.\n");
}

void vmx_dump(struct vcpu *vcpu)
{
	const struct vmx_vcpu *vv = vcpu->arch;
	vmx_load_vmcs(vcpu);
	uint64_t reason = 0, qual = 0, error = 0;
	vmx_vmread(EXIT_REASON, &reason);
	vmx_vmread(EXIT_QUALIFICATION, &qual);
	vmx_vmread(VM_INSTRUCTION_ERROR, &error);
	if (vv->entry_status == VMX_FAIL_VALID)
		kprintf("  vmx: no VM exit: %s failed with VM-instruction error %llu: %s\n",
			vv->launched ? "VMRESUME" : "VMLAUNCH", (unsigned long long)error,
			vmx_instruction_error_name((uint32_t)error));
	else
		kprintf("  vmx: exit reason %#llx: %s\n", (unsigned long long)reason,
			vmx_exit_reason_name(reason & EXIT_REASON_BASIC_MASK));
	dump_fields("exit", exit_info, ARRAY_SIZE(exit_info));
	dump_fields("guest", guest_regs, ARRAY_SIZE(guest_regs));
	kprintf("  guest, outside the VMCS: cr2=%#llx dr6=%#llx cr8=%#llx kernel_gs_base=%#llx xcr0=%#llx\n",
		(unsigned long long)vv->cr2, (unsigned long long)vv->dr6, (unsigned long long)vmx_guest_cr8(vv),
		(unsigned long long)vv->kernel_gs_base, (unsigned long long)vcpu->cpu.xcr0);
	dump_segments();
	dump_fields("guest", guest_non_regs, ARRAY_SIZE(guest_non_regs));
	dump_fields("controls", controls, ARRAY_SIZE(controls));
	dump_fields("host", host_state, ARRAY_SIZE(host_state));
	explain_entry_failure(reason, qual);
}
