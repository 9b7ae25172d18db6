/* tests/unit/test_vmx_entry_check.c — the VM-entry checks
 * (vmm/vmx/entry_check.c, SDM Vol. 3C 27.2, 27.3.1): the VMCS states
 * memvisor really entered with (captured under Bochs corei7_skylake_x by
 * tools/entry-states) pass every rule, and for each rule a state built from
 * them to break that rule alone is refused by that rule and no other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/vmx/arch.h"
#include "vmm/vmx/entry_check.h"

struct captured {
	const char *field;
	uint64_t value;
};
static const struct captured skylake_first_entry[] = {
#include "tests/unit/data/vmx_bochs_skylake_first_entry.inc"
};
static const struct captured skylake_after_exits[] = {
#include "tests/unit/data/vmx_bochs_skylake_after_exits.inc"
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct vmx_entry_state s;

static void load(const struct captured *c, size_t n)
{
	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < n; i++) {
		const struct vmx_entry_field *f = NULL;
		for (size_t j = 0; j < vmx_entry_field_count && !f; j++)
			if (!strcmp(vmx_entry_fields[j].name, c[i].field))
				f = &vmx_entry_fields[j];
		if (!f)
			print_error("captured field \"%s\" is not in vmx_entry_fields\n", c[i].field);
		assert_non_null(f);
		memcpy((uint8_t *)&s + f->offset, &c[i].value, f->size); /* little-endian: the low bytes */
	}
}
static void load_first(void) { load(skylake_first_entry, COUNT(skylake_first_entry)); }

static size_t broken_rules(char *out, size_t size)
{
	size_t count = 0;
	out[0] = '\0';
	for (size_t i = 0; i < vmx_entry_rule_count; i++)
		if (vmx_entry_rules[i].violated(&s)) {
			count++;
			strncat(out, "[", size - strlen(out) - 1);
			strncat(out, vmx_entry_rules[i].name, size - strlen(out) - 1);
			strncat(out, "] ", size - strlen(out) - 1);
		}
	return count;
}

static void expect_passes(const char *what)
{
	char broken[4096];
	if (broken_rules(broken, sizeof(broken))) {
		print_error("%s: expected to pass every rule, breaks %s\n", what, broken);
		fail();
	}
	assert_null(vmx_entry_check(&s));
}

static void test_captured_states_pass(void **state)
{
	(void)state;
	load_first();
	expect_passes("Bochs skylake first entry");
	load(skylake_after_exits, COUNT(skylake_after_exits));
	expect_passes("Bochs skylake after exits");
}

/* Bochs' corei7_skylake_x allows "enable VPID" and has INVVPID (its
 * IA32_VMX_EPT_VPID_CAP bits 32, 41, 42): the states memvisor builds there
 * use a VPID, which is never 0 (SDM 27.2.1.1, 29.1). */
static void test_captured_states_use_a_vpid(void **state)
{
	(void)state;
	const struct captured *states[] = { skylake_first_entry, skylake_after_exits };
	const size_t counts[] = { COUNT(skylake_first_entry), COUNT(skylake_after_exits) };
	for (size_t i = 0; i < 2; i++) {
		load(states[i], counts[i]);
		assert_true(s.caps.ept_vpid & VPID_CAP_INVVPID);
		if (!(s.procbased2 & PROC2_ENABLE_VPID) || s.vpid == 0)
			print_error("state %zu: expected enable VPID and VPID != 0, seen procbased2 %#x, vpid %u\n", i,
				    (unsigned)s.procbased2, (unsigned)s.vpid);
		assert_true(s.procbased2 & PROC2_ENABLE_VPID);
		assert_int_not_equal(s.vpid, 0);
	}
}

/* The field table covers every field once: no two overlap, and what they
 * leave uncovered is padding — gaps shorter than 8 bytes (a forgotten
 * 64-bit field would leave 8). */
static void test_field_table_covers_the_state(void **state)
{
	(void)state;
	uint8_t seen[sizeof(struct vmx_entry_state)] = { 0 };
	for (size_t i = 0; i < vmx_entry_field_count; i++) {
		const struct vmx_entry_field *f = &vmx_entry_fields[i];
		assert_true(f->offset + f->size <= sizeof(seen));
		for (size_t b = f->offset; b < f->offset + f->size; b++) {
			assert_int_equal(seen[b], 0);
			seen[b] = 1;
		}
	}
	size_t gap = 0;
	for (size_t b = 0; b < sizeof(seen); b++) {
		gap = seen[b] ? 0 : gap + 1;
		if (gap >= 8)
			print_error("bytes %zu-%zu of struct vmx_entry_state are in no field\n", b - 7, b);
		assert_true(gap < 8);
	}
}

/* ---- one case per rule: the first-entry state changed to break it ---- */
#define CASE(fn) static void fn(struct vmx_entry_state *v)
static void set_type(struct vmx_entry_segment *g, unsigned type)
{
	g->access_rights = (g->access_rights & ~AR_TYPE_MASK) | type;
}
static void set_dpl(struct vmx_entry_segment *g, unsigned d)
{
	g->access_rights = (g->access_rights & ~(AR_DPL_MASK << AR_DPL_SHIFT)) | (d << AR_DPL_SHIFT);
}
static void restricted(struct vmx_entry_state *v) { v->procbased2 &= ~PROC2_UNRESTRICTED_GUEST; v->cr0 |= CR0_PG; }
static void ia32e_mode(struct vmx_entry_state *v)
{
	v->entry |= ENTRY_IA32E_MODE_GUEST;
	v->efer = EFER_LME | EFER_LMA;
	v->cr0 |= CR0_PG;
	v->cr4 |= CR4_PAE;
}
static void virtual_8086_segments(struct vmx_entry_state *v)
{
	static const int six[] = { VMX_CS, VMX_SS, VMX_DS, VMX_ES, VMX_FS, VMX_GS };
	for (size_t i = 0; i < COUNT(six); i++) {
		struct vmx_entry_segment *g = &v->seg[six[i]];
		*g = (struct vmx_entry_segment){ g->selector, (uint64_t)g->selector << 4, 0xffff, AR_VIRTUAL_8086 };
	}
}
CASE(pin_must_be_1) { v->pinbased &= ~BIT(1); }
CASE(proc_may_not_be_1) { v->procbased |= BIT(0); }
CASE(proc2_may_not_be_1) { v->procbased2 |= BIT(31); }
CASE(five_cr3_targets) { v->cr3_target_count = 5; }
CASE(io_bitmap_unaligned) { v->io_bitmap_a |= 0x800; }
CASE(msr_bitmap_unaligned) { v->msr_bitmaps |= 0x10; }
CASE(virtual_apic_beyond) { v->virtual_apic = BIT(v->caps.maxphyaddr); }
CASE(tpr_threshold_high) { v->tpr_threshold = 0x10; }
CASE(threshold_above_vtpr) { v->tpr_threshold = 3; v->vtpr = 0x20; }
CASE(virtual_nmis_alone) { v->pinbased = (v->pinbased & ~PIN_NMI_EXITING) | PIN_VIRTUAL_NMIS; }
CASE(nmi_window_alone) { v->pinbased &= ~PIN_VIRTUAL_NMIS; v->procbased |= PROC_NMI_WINDOW_EXITING; }
CASE(vpid_zero) { v->procbased2 |= PROC2_ENABLE_VPID; v->vpid = 0; }
CASE(eptp_wc) { v->eptp = (v->eptp & ~EPTP_MEMORY_TYPE_MASK) | 1; }
CASE(eptp_3_levels)
{
	v->eptp = (v->eptp & ~(EPTP_WALK_LENGTH_MASK << EPTP_WALK_LENGTH_SHIFT)) | (2 << EPTP_WALK_LENGTH_SHIFT);
}
CASE(eptp_ad_no_cap) { v->eptp |= EPTP_ENABLE_AD; v->caps.ept_vpid &= ~EPT_CAP_AD; }
CASE(eptp_bit7) { v->eptp |= BIT(7); }
CASE(ug_without_ept) { v->procbased2 &= ~PROC2_ENABLE_EPT; }
CASE(exit_must_be_1) { v->exit &= ~BIT(0); }
CASE(save_timer_alone) { v->pinbased &= ~PIN_ACTIVATE_VMX_PREEMPTION_TIMER; v->exit |= EXIT_SAVE_PREEMPTION_TIMER; }
CASE(exit_store_unaligned) { v->exit_msr_store_count = 1; v->exit_msr_store_addr = 0x1008; }
CASE(exit_load_beyond) { v->exit_msr_load_count = 1; v->exit_msr_load_addr = BIT(v->caps.maxphyaddr) - 8; }
CASE(entry_must_be_1) { v->entry &= ~BIT(0); }
CASE(event_type_1) { v->entry_intr_info = INTR_INFO_VALID | (1u << 8); }
CASE(nmi_vector_3) { v->entry_intr_info = INTR_INFO_VALID | INTR_INFO_TYPE_NMI | 3; }
CASE(ud_with_error_code)
{
	v->entry_intr_info = INTR_INFO_VALID | INTR_INFO_TYPE_HARDWARE_EXCEPTION | INTR_INFO_DELIVER_ERROR_CODE | 6;
}
CASE(event_bit12) { v->entry_intr_info = INTR_INFO_VALID | INTR_INFO_TYPE_HARDWARE_EXCEPTION | BIT(12) | 6; }
CASE(int_length_16)
{
	v->entry_intr_info = INTR_INFO_VALID | INTR_INFO_TYPE_SOFTWARE_INTERRUPT | 0x80;
	v->entry_instruction_length = 16;
}
CASE(entry_load_unaligned) { v->entry_msr_load_count = 1; v->entry_msr_load_addr = 0x1004; }
CASE(host_cr0_no_pe) { v->host_cr0 &= ~CR0_PE; }
CASE(host_cr4_no_vmxe) { v->host_cr4 &= ~CR4_VMXE; }
CASE(host_cet_no_wp) { v->caps.cr4_fixed1 |= CR4_CET; v->host_cr4 |= CR4_CET; v->host_cr0 &= ~CR0_WP; }
CASE(host_cr3_beyond) { v->host_cr3 = BIT(v->caps.maxphyaddr); }
CASE(host_sysenter_eip) { v->host_sysenter_eip = BIT(47); }
CASE(host_pat_2) { v->exit |= EXIT_LOAD_IA32_PAT; v->host_pat = 2; }
CASE(host_efer_no_lma) { v->host_efer &= ~EFER_LMA; }
CASE(host_ds_rpl) { v->host_ds |= 3; }
CASE(host_tr_null) { v->host_tr = 0; }
CASE(host_fs_base) { v->host_fs_base = BIT(47); }
CASE(host_size_0) { v->exit &= ~EXIT_HOST_ADDRESS_SPACE_SIZE; v->host_efer = 0; }
CASE(host_rip) { v->host_rip = BIT(47); }
CASE(cr0_no_ne) { v->cr0 &= ~CR0_NE; }
CASE(pg_without_pe) { v->cr0 = (v->cr0 | CR0_PG) & ~CR0_PE; }
CASE(cr4_no_vmxe) { v->cr4 &= ~CR4_VMXE; }
CASE(guest_cet_no_wp) { v->caps.cr4_fixed1 |= CR4_CET; v->cr4 |= CR4_CET; v->cr0 &= ~CR0_WP; }
CASE(debugctl_bit2) { v->debugctl = BIT(2); }
CASE(ia32e_no_paging) { v->entry |= ENTRY_IA32E_MODE_GUEST; v->efer = EFER_LME | EFER_LMA; }
CASE(pcide_32bit) { v->cr4 |= CR4_PCIDE; }
CASE(cr3_beyond) { v->cr3 = BIT(v->caps.maxphyaddr); }
CASE(dr7_upper) { v->dr7 |= BIT(32); }
CASE(sysenter_esp) { v->sysenter_esp = BIT(50); }
CASE(guest_pat_3) { v->entry |= ENTRY_LOAD_IA32_PAT; v->pat = 3; }
CASE(efer_bit9) { v->efer = BIT(9); }
CASE(lma_outside_ia32e) { v->efer = EFER_LMA; }
CASE(tr_ti) { v->seg[VMX_TR].selector |= 4; }
CASE(ldtr_ti) { v->seg[VMX_LDTR] = (struct vmx_entry_segment){ 0x24, 0, 0xffff, AR_TYPE_LDT | AR_P }; }
CASE(cs_rpl_1) { restricted(v); v->seg[VMX_CS].selector |= 1; }
CASE(vm_flag_alone) { v->rflags |= BIT(17); }
CASE(ds_base_high) { v->seg[VMX_DS].base = BIT(32); }
CASE(cs_type_1) { set_type(&v->seg[VMX_CS], 1); }
CASE(ss_code) { set_type(&v->seg[VMX_SS], AR_TYPE_CODE_XR_ACCESSED); }
CASE(ds_unaccessed) { set_type(&v->seg[VMX_DS], 2); }
CASE(ds_no_s) { v->seg[VMX_DS].access_rights &= ~AR_S; }
CASE(es_not_present) { v->seg[VMX_ES].access_rights &= ~AR_P; }
CASE(fs_bit8) { v->seg[VMX_FS].access_rights |= BIT(8); }
CASE(gs_granularity) { v->seg[VMX_GS].limit = 0xffff0000; }
CASE(cs_dpl_1) { set_dpl(&v->seg[VMX_CS], 1); }
CASE(ss_dpl_real_mode) { v->cr0 &= ~CR0_PE; set_type(&v->seg[VMX_CS], 0xf); set_dpl(&v->seg[VMX_SS], 1); }
CASE(ds_rpl_above_dpl) { restricted(v); v->seg[VMX_DS].selector |= 1; }
CASE(cs_l_and_d) { ia32e_mode(v); v->seg[VMX_CS].access_rights |= AR_L | AR_DB; }
CASE(tr_available) { set_type(&v->seg[VMX_TR], 9); }
CASE(ldtr_type_3) { v->seg[VMX_LDTR] = (struct vmx_entry_segment){ 0x20, 0, 0xffff, 3 | AR_P }; }
CASE(gdtr_base) { v->gdtr_base = BIT(47); }
CASE(idtr_limit) { v->idtr_limit = 0x10000; }
CASE(rip_high) { v->rip = BIT(32); }
CASE(rflags_bit3) { v->rflags |= BIT(3); }
CASE(vm_in_real_mode) { virtual_8086_segments(v); v->rflags |= BIT(17); v->cr0 &= ~CR0_PE; }
CASE(interrupt_if_0) { v->entry_intr_info = INTR_INFO_VALID | INTR_INFO_TYPE_EXTERNAL_INTERRUPT | 0x20; }
CASE(activity_4) { v->activity = 4; }
CASE(hlt_dpl_3) { v->activity = ACTIVITY_STATE_HLT; set_type(&v->seg[VMX_CS], 0xf); set_dpl(&v->seg[VMX_SS], 3); }
CASE(interruptibility_bit5) { v->interruptibility = BIT(5); }
CASE(sti_and_mov_ss) { v->rflags |= RFLAGS_IF; v->interruptibility = BLOCKING_BY_STI | BLOCKING_BY_MOV_SS; }
CASE(sti_if_0) { v->interruptibility = BLOCKING_BY_STI; }
CASE(interrupt_after_mov_ss)
{
	v->rflags |= RFLAGS_IF;
	v->interruptibility = BLOCKING_BY_MOV_SS;
	v->entry_intr_info = INTR_INFO_VALID | INTR_INFO_TYPE_EXTERNAL_INTERRUPT | 0x20;
}
CASE(smi_blocking) { v->interruptibility = BLOCKING_BY_SMI; }
CASE(pending_bit4) { v->pending_debug = BIT(4); }
CASE(bs_without_tf) { v->interruptibility = BLOCKING_BY_MOV_SS; v->pending_debug = PENDING_DEBUG_BS; }
CASE(link_pointer_0) { v->link_pointer = 0; }
CASE(pdpte_bit1) { v->cr0 |= CR0_PG; v->cr4 |= CR4_PAE; v->pdpte[0] = PTE_PRESENT | BIT(1); }

static const struct {
	const char *rule;
	void (*breaks)(struct vmx_entry_state *);
} cases[] = {
	{ "pin-based controls within IA32_VMX_(TRUE_)PINBASED_CTLS", pin_must_be_1 },
	{ "primary processor-based controls within IA32_VMX_(TRUE_)PROCBASED_CTLS", proc_may_not_be_1 },
	{ "secondary processor-based controls within IA32_VMX_PROCBASED_CTLS2", proc2_may_not_be_1 },
	{ "CR3-target count at most 4", five_cr3_targets },
	{ "I/O bitmap addresses 4-KiB aligned, below MAXPHYADDR", io_bitmap_unaligned },
	{ "MSR-bitmap address 4-KiB aligned, below MAXPHYADDR", msr_bitmap_unaligned },
	{ "virtual-APIC address 4-KiB aligned, below MAXPHYADDR", virtual_apic_beyond },
	{ "TPR threshold bits 31:4 = 0", tpr_threshold_high },
	{ "TPR threshold bits 3:0 not above VTPR bits 7:4", threshold_above_vtpr },
	{ "virtual NMIs only with NMI exiting", virtual_nmis_alone },
	{ "NMI-window exiting only with virtual NMIs", nmi_window_alone },
	{ "enable VPID needs VPID != 0", vpid_zero },
	{ "EPTP memory type UC or WB as IA32_VMX_EPT_VPID_CAP allows", eptp_wc },
	{ "EPTP page-walk length 4 or 5 as IA32_VMX_EPT_VPID_CAP allows", eptp_3_levels },
	{ "EPTP A/D enable only with IA32_VMX_EPT_VPID_CAP bit 21", eptp_ad_no_cap },
	{ "EPTP bits 11:7 and above MAXPHYADDR = 0", eptp_bit7 },
	{ "unrestricted guest needs enable EPT", ug_without_ept },
	{ "VM-exit controls within IA32_VMX_(TRUE_)EXIT_CTLS", exit_must_be_1 },
	{ "save VMX-preemption timer value only with the timer active", save_timer_alone },
	{ "VM-exit MSR-store area 16-byte aligned, below MAXPHYADDR", exit_store_unaligned },
	{ "VM-exit MSR-load area 16-byte aligned, below MAXPHYADDR", exit_load_beyond },
	{ "VM-entry controls within IA32_VMX_(TRUE_)ENTRY_CTLS", entry_must_be_1 },
	{ "injected event type not reserved", event_type_1 },
	{ "injected NMI is vector 2, exception below 32, other event 0", nmi_vector_3 },
	{ "error code delivered exactly for a protected-mode exception that has one", ud_with_error_code },
	{ "VM-entry interruption information bits 30:12 = 0", event_bit12 },
	{ "software event instruction length 1-15", int_length_16 },
	{ "VM-entry MSR-load area 16-byte aligned, below MAXPHYADDR", entry_load_unaligned },
	{ "host CR0 within IA32_VMX_CR0_FIXED0/1", host_cr0_no_pe },
	{ "host CR4 within IA32_VMX_CR4_FIXED0/1", host_cr4_no_vmxe },
	{ "host CR4.CET = 1 needs CR0.WP = 1", host_cet_no_wp },
	{ "host CR3 below MAXPHYADDR", host_cr3_beyond },
	{ "host SYSENTER_ESP/EIP canonical", host_sysenter_eip },
	{ "host IA32_PAT holds valid memory types", host_pat_2 },
	{ "host IA32_EFER: reserved bits 0, LMA = LME = host address-space size", host_efer_no_lma },
	{ "host selectors RPL = 0 and TI = 0", host_ds_rpl },
	{ "host CS and TR selectors != 0", host_tr_null },
	{ "host FS, GS, TR, GDTR, IDTR bases canonical", host_fs_base },
	{ "host address-space size = 1 (the CPU is in IA-32e mode)", host_size_0 },
	{ "64-bit host: CR4.PAE = 1 and RIP canonical", host_rip },
	{ "guest CR0 within IA32_VMX_CR0_FIXED0/1 (PE, PG free with unrestricted guest)", cr0_no_ne },
	{ "guest CR0.PG = 1 needs CR0.PE = 1", pg_without_pe },
	{ "guest CR4 within IA32_VMX_CR4_FIXED0/1", cr4_no_vmxe },
	{ "guest CR4.CET = 1 needs CR0.WP = 1", guest_cet_no_wp },
	{ "guest IA32_DEBUGCTL reserved bits = 0", debugctl_bit2 },
	{ "IA-32e mode guest needs CR0.PG = 1 and CR4.PAE = 1", ia32e_no_paging },
	{ "CR4.PCIDE = 0 outside IA-32e mode", pcide_32bit },
	{ "guest CR3 below MAXPHYADDR", cr3_beyond },
	{ "guest DR7[63:32] = 0", dr7_upper },
	{ "guest SYSENTER_ESP/EIP canonical", sysenter_esp },
	{ "guest IA32_PAT holds valid memory types", guest_pat_3 },
	{ "guest IA32_EFER reserved bits = 0", efer_bit9 },
	{ "guest EFER.LMA (and LME with CR0.PG) = IA-32e mode guest", lma_outside_ia32e },
	{ "TR.TI = 0", tr_ti },
	{ "usable LDTR: TI = 0", ldtr_ti },
	{ "SS.RPL = CS.RPL", cs_rpl_1 },
	{ "virtual-8086 segments: base = selector * 16, limit 0xffff, access rights 0xf3", vm_flag_alone },
	{ "segment bases canonical (TR FS GS LDTR) or below 4 GiB (CS SS DS ES)", ds_base_high },
	{ "CS type 9, 11, 13 or 15 (3 with unrestricted guest)", cs_type_1 },
	{ "usable SS: type 3 or 7", ss_code },
	{ "usable DS ES FS GS: accessed, and readable if code", ds_unaccessed },
	{ "CS and usable segments: S = 1", ds_no_s },
	{ "CS and usable segments: P = 1", es_not_present },
	{ "CS and usable segments: access-rights bits 11:8 and 31:17 = 0", fs_bit8 },
	{ "segment G bit consistent with the limit", gs_granularity },
	{ "CS.DPL: 0 for type 3, = SS.DPL non-conforming, <= SS.DPL conforming", cs_dpl_1 },
	{ "SS.DPL = SS.RPL (without unrestricted guest); 0 with CS type 3 or CR0.PE = 0", ss_dpl_real_mode },
	{ "usable non-conforming DS ES FS GS: DPL >= RPL", ds_rpl_above_dpl },
	{ "IA-32e mode guest: CS.L = 1 needs CS.D = 0", cs_l_and_d },
	{ "TR: busy TSS (type 11, or 3 outside IA-32e mode), S = 0, P = 1, usable", tr_available },
	{ "usable LDTR: type 2, S = 0, P = 1", ldtr_type_3 },
	{ "GDTR and IDTR bases canonical", gdtr_base },
	{ "GDTR and IDTR limits bits 31:16 = 0", idtr_limit },
	{ "RIP bits 63:32 = 0 outside 64-bit mode, canonical in it", rip_high },
	{ "RFLAGS reserved bits = 0 and bit 1 = 1", rflags_bit3 },
	{ "RFLAGS.VM = 1 needs CR0.PE = 1 outside IA-32e mode", vm_in_real_mode },
	{ "injected external interrupt needs RFLAGS.IF = 1", interrupt_if_0 },
	{ "activity state one IA32_VMX_MISC supports", activity_4 },
	{ "HLT activity state needs SS.DPL = 0", hlt_dpl_3 },
	{ "interruptibility state bits 31:5 = 0", interruptibility_bit5 },
	{ "not both blocking by STI and by MOV SS", sti_and_mov_ss },
	{ "blocking by STI needs RFLAGS.IF = 1", sti_if_0 },
	{ "no STI/MOV-SS blocking when injecting an interrupt (MOV SS for an NMI)", interrupt_after_mov_ss },
	{ "blocking by SMI = 0 outside SMM", smi_blocking },
	{ "pending debug exceptions reserved bits = 0", pending_bit4 },
	{ "pending BS = RFLAGS.TF and not DEBUGCTL.BTF when blocked or in HLT", bs_without_tf },
	{ "VMCS link pointer = all ones (no VMCS shadowing)", link_pointer_0 },
	{ "PDPTEs reserved bits = 0 (PAE paging with EPT)", pdpte_bit1 },
};

/* #GP pushes an error code: injecting it without one is refused, unless
 * IA32_VMX_BASIC[56] frees the bit (SDM 27.2.1.3); with one it passes. */
static void test_gp_needs_its_error_code(void **state)
{
	(void)state;
	load_first();
	s.entry_intr_info = INTR_INFO_VALID | INTR_INFO_TYPE_HARDWARE_EXCEPTION | 13;
	const struct vmx_entry_rule *r = vmx_entry_check(&s);
	assert_non_null(r);
	assert_string_equal(r->name, "error code delivered exactly for a protected-mode exception that has one");
	s.caps.basic |= VMX_BASIC_ANY_ERROR_CODE;
	assert_null(vmx_entry_check(&s));
	s.caps.basic &= ~VMX_BASIC_ANY_ERROR_CODE;
	s.entry_intr_info |= INTR_INFO_DELIVER_ERROR_CODE;
	assert_null(vmx_entry_check(&s));
}

static void test_each_rule_refuses_its_own_breach_alone(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < COUNT(cases); i++) {
		load_first();
		cases[i].breaks(&s);
		char broken[4096];
		size_t n = broken_rules(broken, sizeof(broken));
		const struct vmx_entry_rule *r = vmx_entry_check(&s);
		if (n != 1 || !r || strcmp(r->name, cases[i].rule)) {
			print_error("expected only [%s] to fail, seen %s\n", cases[i].rule, n ? broken : "none");
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* The fields an entry after a plain exit reads again (entry_check.h). */
static void copy_rip_rflags_fields(struct vmx_entry_state *dst, const struct vmx_entry_state *src)
{
	dst->rip = src->rip;
	dst->rflags = src->rflags;
	dst->entry = src->entry;
	dst->seg[VMX_CS].access_rights = src->seg[VMX_CS].access_rights;
	dst->cr0 = src->cr0;
	dst->entry_intr_info = src->entry_intr_info;
	dst->interruptibility = src->interruptibility;
	dst->activity = src->activity;
	dst->debugctl = src->debugctl;
	dst->pending_debug = src->pending_debug;
}

/* The RIP/RFLAGS rules see only those ten fields: over a state holding
 * them alone (every other field 0 or all ones) they find what they find
 * over the whole state; the captured states pass them; there are six. */
static void test_rip_rflags_rules_read_only_the_fields_an_entry_refreshes(void **state)
{
	(void)state;
	static struct vmx_entry_state part;
	size_t caught = 0;
	int failures = 0;
	for (size_t i = 0; i < COUNT(cases); i++) {
		load_first();
		cases[i].breaks(&s);
		const struct vmx_entry_rule *whole = vmx_entry_check_rip_rflags(&s);
		for (int fill = 0; fill < 2; fill++) {
			memset(&part, fill ? 0xff : 0, sizeof(part));
			copy_rip_rflags_fields(&part, &s);
			const struct vmx_entry_rule *seen = vmx_entry_check_rip_rflags(&part);
			if (seen != whole) {
				print_error("case [%s]: over the ten fields %s, over the whole state %s\n", cases[i].rule,
					    seen ? seen->name : "none", whole ? whole->name : "none");
				failures++;
			}
		}
		if (whole) {
			caught++;
			if (strcmp(whole->name, cases[i].rule)) {
				print_error("case [%s]: the RIP/RFLAGS rules name [%s]\n", cases[i].rule, whole->name);
				failures++;
			}
		}
	}
	assert_int_equal(failures, 0);
	assert_int_equal(caught, 6);
	load(skylake_after_exits, COUNT(skylake_after_exits));
	assert_null(vmx_entry_check_rip_rflags(&s));
}

static void test_every_rule_has_a_case_and_a_section(void **state)
{
	(void)state;
	for (size_t i = 0; i < vmx_entry_rule_count; i++) {
		bool found = false;
		for (size_t j = 0; j < COUNT(cases); j++)
			found = found || !strcmp(cases[j].rule, vmx_entry_rules[i].name);
		if (!found)
			print_error("rule [%s] has no case\n", vmx_entry_rules[i].name);
		assert_true(found);
		assert_non_null(strstr(vmx_entry_rules[i].section, "SDM 27."));
	}
	assert_int_equal(vmx_entry_rule_count, COUNT(cases));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured_states_pass),
		cmocka_unit_test(test_captured_states_use_a_vpid),
		cmocka_unit_test(test_field_table_covers_the_state),
		cmocka_unit_test(test_each_rule_refuses_its_own_breach_alone),
		cmocka_unit_test(test_gp_needs_its_error_code),
		cmocka_unit_test(test_every_rule_has_a_case_and_a_section),
		cmocka_unit_test(test_rip_rflags_rules_read_only_the_fields_an_entry_refreshes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
