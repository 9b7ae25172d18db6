/* vmm/vmx/entry_state.c — the current VMCS read back with VMREAD into the
 * struct the entry checks run over (entry_check.h), and the check itself
 * before VMLAUNCH/VMRESUME under option entry_check.
 * Every rule runs before VMLAUNCH and before any entry after memvisor
 * wrote a VMCS field (a control register, an injected event, a control);
 * otherwise the VMCS holds what the CPU saved at the exit plus RSP, RIP,
 * RFLAGS and the timer, and only the rules on RIP and RFLAGS run, over the
 * ten fields they read. A full read is ~100 VMREADs, which Bochs makes
 * dear: this keeps the common exit (CPUID, I/O, a fault) cheap.
 * A field exists only when the CPU supports what it belongs to (SDM Vol.
 * 3D B, A.3-A.5): VMREAD of one that does not fails, so such a field is
 * read only when its control's allowed-1 bit is set, else taken as 0.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 27.2-27.3, 31.3 VMREAD. */
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/entry_check.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/string.h"

static bool may(uint64_t cap, uint64_t bit) { return (cap >> CTLS_ALLOWED1_SHIFT) & bit; }

static void read_caps(struct vmx_entry_caps *c)
{
	*c = (struct vmx_entry_caps){ .basic = vmx_caps.basic, .pinbased = vmx_caps.pinbased, .procbased = vmx_caps.procbased,
				      .procbased2 = vmx_caps.procbased2, .exit = vmx_caps.exit,
				      .entry = vmx_caps.entry, .misc = vmx_caps.misc,
				      .cr0_fixed0 = vmx_caps.cr0_fixed0, .cr0_fixed1 = vmx_caps.cr0_fixed1,
				      .cr4_fixed0 = vmx_caps.cr4_fixed0, .cr4_fixed1 = vmx_caps.cr4_fixed1,
				      .ept_vpid = vmx_caps.ept_vpid, .maxphyaddr = vmx_caps.maxphyaddr };
}

static void read_controls(struct vmx_entry_state *s, const struct vmx_vcpu *vv)
{
	const struct vmx_caps *c = &vmx_caps;
	s->pinbased = vmcs_read32(PIN_BASED_VM_EXECUTION_CONTROLS);
	s->procbased = vmcs_read32(PRIMARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS);
	if (may(c->procbased, PROC_ACTIVATE_SECONDARY_CONTROLS))
		s->procbased2 = vmcs_read32(SECONDARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS);
	s->exit = vmcs_read32(PRIMARY_VM_EXIT_CONTROLS);
	s->entry = vmcs_read32(VM_ENTRY_CONTROLS);
	s->cr3_target_count = vmcs_read32(CR3_TARGET_COUNT);
	if (may(c->procbased, PROC_USE_TPR_SHADOW)) {
		s->tpr_threshold = vmcs_read32(TPR_THRESHOLD);
		s->virtual_apic = vmcs_read64(VIRTUAL_APIC_ADDRESS);
		/* The page memvisor gave this vCPU (guest_regs.c), not the VMCS field's. */
		s->vtpr = ((const uint8_t *)mfn_to_virt(vv->virtual_apic))[VIRTUAL_APIC_VTPR];
	}
	s->io_bitmap_a = vmcs_read64(ADDRESS_OF_IO_BITMAP_A);
	s->io_bitmap_b = vmcs_read64(ADDRESS_OF_IO_BITMAP_B);
	if (may(c->procbased, PROC_USE_MSR_BITMAPS))
		s->msr_bitmaps = vmcs_read64(ADDRESS_OF_MSR_BITMAPS);
	if (may(c->procbased2, PROC2_ENABLE_EPT))
		s->eptp = vmcs_read64(EPT_POINTER);
	if (may(c->procbased2, PROC2_ENABLE_VPID))
		s->vpid = vmcs_read16(VIRTUAL_PROCESSOR_IDENTIFIER);
	s->exit_msr_store_count = vmcs_read32(VM_EXIT_MSR_STORE_COUNT);
	s->exit_msr_load_count = vmcs_read32(VM_EXIT_MSR_LOAD_COUNT);
	s->entry_msr_load_count = vmcs_read32(VM_ENTRY_MSR_LOAD_COUNT);
	s->exit_msr_store_addr = vmcs_read64(VM_EXIT_MSR_STORE_ADDRESS);
	s->exit_msr_load_addr = vmcs_read64(VM_EXIT_MSR_LOAD_ADDRESS);
	s->entry_msr_load_addr = vmcs_read64(VM_ENTRY_MSR_LOAD_ADDRESS);
	s->entry_intr_info = vmcs_read32(VM_ENTRY_INTERRUPTION_INFORMATION_FIELD);
	s->entry_exception_error_code = vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE);
	s->entry_instruction_length = vmcs_read32(VM_ENTRY_INSTRUCTION_LENGTH);
}

static void read_host(struct vmx_entry_state *s)
{
	s->host_cr0 = vmcs_read_natural(HOST_CR0);
	s->host_cr3 = vmcs_read_natural(HOST_CR3);
	s->host_cr4 = vmcs_read_natural(HOST_CR4);
	s->host_es = vmcs_read16(HOST_ES_SELECTOR);
	s->host_cs = vmcs_read16(HOST_CS_SELECTOR);
	s->host_ss = vmcs_read16(HOST_SS_SELECTOR);
	s->host_ds = vmcs_read16(HOST_DS_SELECTOR);
	s->host_fs = vmcs_read16(HOST_FS_SELECTOR);
	s->host_gs = vmcs_read16(HOST_GS_SELECTOR);
	s->host_tr = vmcs_read16(HOST_TR_SELECTOR);
	s->host_fs_base = vmcs_read_natural(HOST_FS_BASE);
	s->host_gs_base = vmcs_read_natural(HOST_GS_BASE);
	s->host_tr_base = vmcs_read_natural(HOST_TR_BASE);
	s->host_gdtr_base = vmcs_read_natural(HOST_GDTR_BASE);
	s->host_idtr_base = vmcs_read_natural(HOST_IDTR_BASE);
	s->host_sysenter_esp = vmcs_read_natural(HOST_IA32_SYSENTER_ESP);
	s->host_sysenter_eip = vmcs_read_natural(HOST_IA32_SYSENTER_EIP);
	if (may(vmx_caps.exit, EXIT_LOAD_IA32_EFER))
		s->host_efer = vmcs_read64(HOST_IA32_EFER);
	if (may(vmx_caps.exit, EXIT_LOAD_IA32_PAT))
		s->host_pat = vmcs_read64(HOST_IA32_PAT);
	s->host_rip = vmcs_read_natural(HOST_RIP);
}

static void read_guest(struct vmx_entry_state *s)
{
	s->cr0 = vmcs_read_natural(GUEST_CR0);
	s->cr3 = vmcs_read_natural(GUEST_CR3);
	s->cr4 = vmcs_read_natural(GUEST_CR4);
	s->dr7 = vmcs_read_natural(GUEST_DR7);
	s->debugctl = vmcs_read64(GUEST_IA32_DEBUGCTL);
	if (may(vmx_caps.entry, ENTRY_LOAD_IA32_EFER))
		s->efer = vmcs_read64(GUEST_IA32_EFER);
	if (may(vmx_caps.entry, ENTRY_LOAD_IA32_PAT))
		s->pat = vmcs_read64(GUEST_IA32_PAT);
	s->sysenter_esp = vmcs_read_natural(GUEST_IA32_SYSENTER_ESP);
	s->sysenter_eip = vmcs_read_natural(GUEST_IA32_SYSENTER_EIP);
	for (int i = 0; i < VMX_SEGMENT_COUNT; i++) {
		const struct vmx_segment *f = &vmx_guest_segments[i];
		s->seg[i] = (struct vmx_entry_segment){ vmcs_read16(f->selector), vmcs_read_natural(f->base),
							vmcs_read32(f->limit), vmcs_read32(f->access_rights) };
	}
	s->gdtr_base = vmcs_read_natural(GUEST_GDTR_BASE);
	s->idtr_base = vmcs_read_natural(GUEST_IDTR_BASE);
	s->gdtr_limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idtr_limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->rip = vmcs_read_natural(GUEST_RIP);
	s->rflags = vmcs_read_natural(GUEST_RFLAGS);
	s->pending_debug = vmcs_read_natural(GUEST_PENDING_DEBUG_EXCEPTIONS);
	s->link_pointer = vmcs_read64(VMCS_LINK_POINTER);
	s->activity = vmcs_read32(GUEST_ACTIVITY_STATE);
	s->interruptibility = vmcs_read32(GUEST_INTERRUPTIBILITY_STATE);
	if (may(vmx_caps.procbased2, PROC2_ENABLE_EPT)) {
		static const enum vmcs_field pdpte[] = { GUEST_PDPTE0, GUEST_PDPTE1, GUEST_PDPTE2, GUEST_PDPTE3 };
		for (int i = 0; i < 4; i++)
			s->pdpte[i] = vmcs_read64(pdpte[i]);
	}
}

void vmx_entry_state_read(struct vmx_entry_state *s, const struct vmx_vcpu *vv)
{
	*s = (struct vmx_entry_state){ 0 };
	read_caps(&s->caps);
	read_controls(s, vv);
	read_host(s);
	read_guest(s);
}

uint64_t vmx_vmcs_writes;

/* What vmx_entry_check_rip_rflags() reads (entry_check.h). */
static void read_rip_rflags(struct vmx_entry_state *s)
{
	s->rip = vmcs_read_natural(GUEST_RIP);
	s->rflags = vmcs_read_natural(GUEST_RFLAGS);
	s->entry = vmcs_read32(VM_ENTRY_CONTROLS);
	s->seg[VMX_CS].access_rights = vmcs_read32(GUEST_CS_ACCESS_RIGHTS);
	s->cr0 = vmcs_read_natural(GUEST_CR0);
	s->entry_intr_info = vmcs_read32(VM_ENTRY_INTERRUPTION_INFORMATION_FIELD);
	s->interruptibility = vmcs_read32(GUEST_INTERRUPTIBILITY_STATE);
	s->activity = vmcs_read32(GUEST_ACTIVITY_STATE);
	s->debugctl = vmcs_read64(GUEST_IA32_DEBUGCTL);
	s->pending_debug = vmcs_read_natural(GUEST_PENDING_DEBUG_EXCEPTIONS);
}

static char rule_text[160]; /* "rule (section)": one entry at a time */
static struct vmx_entry_state state; /* 0.6 KiB: off the stack */

static const char *describe(const struct vmx_entry_rule *r)
{
	if (!r)
		return NULL;
	ksnprintf(rule_text, sizeof(rule_text), "%s (%s)", r->name, r->section);
	return rule_text;
}

/* A broken rule stops the VM as a failed VM entry would, but by name. */
bool vmx_entry_refused(struct vmx_vcpu *vv, struct exit_record *exit)
{
	if (!options.entry_check)
		return false;
	const struct vmx_entry_rule *r;
	if (!vv->launched || vv->checked_at_writes != vmx_vmcs_writes) {
		vmx_entry_state_read(&state, vv);
		r = vmx_entry_check(&state);
	} else {
		read_rip_rflags(&state);
		r = vmx_entry_check_rip_rflags(&state);
	}
	vv->checked_at_writes = vmx_vmcs_writes;
	const char *rule = describe(r);
	if (!rule)
		return false;
	*exit = (struct exit_record){ .reason = EXIT_ENTRY_FAILED, .entry_check_rule = rule,
				      .vendor_name = "entry check" };
	return true;
}

/* Each non-zero field by name: C initializers for
 * tests/unit/test_vmx_entry_check.c. */
static void print_state(const struct vmx_entry_state *s)
{
	for (size_t i = 0; i < vmx_entry_field_count; i++) {
		const struct vmx_entry_field *f = &vmx_entry_fields[i];
		uint64_t v = 0;
		memcpy(&v, (const uint8_t *)s + f->offset, f->size); /* little-endian: the low bytes */
		if (v)
			kprintf("# entry-state: { \"%s\", %#llx },\n", f->name, (unsigned long long)v);
	}
}

const char *vmx_entry_check_vcpu(struct vcpu *vcpu, bool print)
{
	vmx_load_vmcs(vcpu);
	vmx_entry_state_read(&state, vcpu->arch);
	if (print)
		print_state(&state);
	return describe(vmx_entry_check(&state));
}
