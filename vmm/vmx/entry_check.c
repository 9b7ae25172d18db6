/* vmm/vmx/entry_check.c — the checks VM entry makes (entry_check.h), one
 * predicate per rule, in the SDM's order: controls (27.2.1), host state
 * (27.2.2-27.2.4), guest state (27.3.1). "KVM" marks a check KVM's nested
 * VMX makes with the same meaning.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 27.2, 27.3.1; Vol. 3D A. */
#include "vmm/vmx/entry_check.h"
#include "vmm/vmx/arch.h"

#define RULE(fn) static bool fn(const struct vmx_entry_state *s)
#define UPPER_32 X86_U64(0xffffffff00000000)
#define MAX_CR3_TARGETS 4
#define MSR_AREA_ALIGN 16       /* SDM 27.2.1.2: 16-byte aligned */
#define MSR_AREA_ENTRY_BYTES 16
#define SELECTOR_RPL_MASK 3u
#define SELECTOR_TI BIT(2)
#define RFLAGS_VM BIT(17)
#define RFLAGS_RESERVED X86_U64(0xffffffffffc08028) /* 63:22, 15, 5, 3 */
#define DEBUGCTL_BTF BIT(1)
#define DEBUGCTL_RESERVED (X86_U64(0x3c) | ~X86_U64(0xffff)) /* 5:2, 63:16 */
#define EFER_RESERVED_INTEL (~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
#define PDPTE_RESERVED X86_U64(0x1e6) /* 8:5, 2:1 (SDM Vol. 3A 5.4.1) */
#define LIMIT_PAGE_BITS 0xfffu       /* limit 11:0 */
#define LIMIT_HIGH_BITS 0xfff00000u  /* limit 31:20 */
#define VIRTUAL_8086_LIMIT 0xffffu
#define TPR_THRESHOLD_RESERVED 0xfffffff0u
#define TPR_THRESHOLD_MASK 0xfu
#define VTPR_PRIORITY_SHIFT 4
#define MAX_INSN_LENGTH 15
#define VECTOR_NMI 2

/* ---- helpers ---- */

/* 48-bit linear addresses: bits 63:47 all equal (SDM Vol. 1 3.3.7.1). */
static bool canonical(uint64_t a) { return (uint64_t)((int64_t)(a << 16) >> 16) == a; }
static bool beyond(uint64_t last_byte, unsigned maxphyaddr) { return maxphyaddr < 64 && (last_byte >> maxphyaddr); }
static bool page_address_bad(uint64_t a, unsigned maxphy) { return (a & (PAGE_SIZE - 1)) || beyond(a, maxphy); }
/* A control field within its capability MSR: allowed-0 bits set, nothing
 * outside allowed-1 (SDM Vol. 3D A.3.1). */
static bool outside(uint32_t value, uint64_t cap)
{
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);
	return (value & must) != must || (value & ~may);
}
/* Each byte a memory type 0, 1, 4, 5, 6 or 7 (SDM Vol. 3A 13.12.2). */
static bool pat_bad(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (8 * i));
		if (t > 7 || t == 2 || t == 3)
			return true;
	}
	return false;
}
static bool msr_area_bad(uint32_t count, uint64_t addr, unsigned maxphy)
{
	return count && ((addr & (MSR_AREA_ALIGN - 1)) || beyond(addr + (uint64_t)count * MSR_AREA_ENTRY_BYTES - 1, maxphy));
}
static uint32_t proc2(const struct vmx_entry_state *s)
{
	return (s->procbased & PROC_ACTIVATE_SECONDARY_CONTROLS) ? s->procbased2 : 0;
}
static bool unrestricted(const struct vmx_entry_state *s) { return proc2(s) & PROC2_UNRESTRICTED_GUEST; }
static bool ia32e(const struct vmx_entry_state *s) { return s->entry & ENTRY_IA32E_MODE_GUEST; }
static bool v8086(const struct vmx_entry_state *s) { return s->rflags & RFLAGS_VM; }
static bool usable(const struct vmx_entry_segment *g) { return !(g->access_rights & AR_UNUSABLE); }
static unsigned ar_type(const struct vmx_entry_segment *g) { return g->access_rights & AR_TYPE_MASK; }
static unsigned dpl(const struct vmx_entry_segment *g) { return (g->access_rights >> AR_DPL_SHIFT) & AR_DPL_MASK; }
static unsigned rpl(const struct vmx_entry_segment *g) { return g->selector & SELECTOR_RPL_MASK; }
static bool injecting(const struct vmx_entry_state *s, uint32_t type)
{
	return (s->entry_intr_info & INTR_INFO_VALID) && (s->entry_intr_info & INTR_INFO_TYPE_MASK) == type;
}
/* The segments whose usable/CS rules 27.3.1.2 states together. */
static bool cs_or_usable(const struct vmx_entry_state *s, int i) { return i == VMX_CS || usable(&s->seg[i]); }
static const int data_segments[] = { VMX_SS, VMX_DS, VMX_ES, VMX_FS, VMX_GS };

/* ---- 27.2.1.1 VM-execution control fields ---- */
RULE(pin_outside_cap) { return outside(s->pinbased, s->caps.pinbased); }
RULE(proc_outside_cap) { return outside(s->procbased, s->caps.procbased); }
RULE(proc2_outside_cap)
{
	return (s->procbased & PROC_ACTIVATE_SECONDARY_CONTROLS) && outside(s->procbased2, s->caps.procbased2);
}
RULE(cr3_targets) { return s->cr3_target_count > MAX_CR3_TARGETS; }
RULE(io_bitmaps_bad)
{
	return (s->procbased & PROC_USE_IO_BITMAPS) &&
	       (page_address_bad(s->io_bitmap_a, s->caps.maxphyaddr) || page_address_bad(s->io_bitmap_b, s->caps.maxphyaddr));
}
RULE(msr_bitmaps_bad)
{
	return (s->procbased & PROC_USE_MSR_BITMAPS) && page_address_bad(s->msr_bitmaps, s->caps.maxphyaddr);
}
RULE(virtual_apic_bad)
{
	return (s->procbased & PROC_USE_TPR_SHADOW) && page_address_bad(s->virtual_apic, s->caps.maxphyaddr);
}
RULE(tpr_threshold_bad)
{
	return (s->procbased & PROC_USE_TPR_SHADOW) && !(proc2(s) & PROC2_VIRTUAL_INTERRUPT_DELIVERY) &&
	       (s->tpr_threshold & TPR_THRESHOLD_RESERVED);
}
RULE(tpr_threshold_above_vtpr)
{
	return (s->procbased & PROC_USE_TPR_SHADOW) && !(proc2(s) & PROC2_VIRTUAL_INTERRUPT_DELIVERY) &&
	       (s->tpr_threshold & TPR_THRESHOLD_MASK) > (unsigned)(s->vtpr >> VTPR_PRIORITY_SHIFT);
}
RULE(virtual_nmis_without_nmi_exiting) { return !(s->pinbased & PIN_NMI_EXITING) && (s->pinbased & PIN_VIRTUAL_NMIS); }
RULE(nmi_window_without_virtual_nmis)
{
	return !(s->pinbased & PIN_VIRTUAL_NMIS) && (s->procbased & PROC_NMI_WINDOW_EXITING);
}
RULE(vpid_zero) { return (proc2(s) & PROC2_ENABLE_VPID) && s->vpid == 0; }
static bool ept(const struct vmx_entry_state *s) { return proc2(s) & PROC2_ENABLE_EPT; }
RULE(eptp_memory_type)
{
	uint64_t t = s->eptp & EPTP_MEMORY_TYPE_MASK;
	return ept(s) && !((t == MEMORY_TYPE_UC && (s->caps.ept_vpid & EPT_CAP_UC)) ||
			   (t == MEMORY_TYPE_WB && (s->caps.ept_vpid & EPT_CAP_WB)));
}
RULE(eptp_walk_length)
{
	uint64_t levels = ((s->eptp >> EPTP_WALK_LENGTH_SHIFT) & EPTP_WALK_LENGTH_MASK) + 1;
	return ept(s) && !((levels == 4 && (s->caps.ept_vpid & EPT_CAP_WALK_LENGTH_4)) ||
			   (levels == 5 && (s->caps.ept_vpid & EPT_CAP_WALK_LENGTH_5)));
}
RULE(eptp_ad_without_cap) { return ept(s) && (s->eptp & EPTP_ENABLE_AD) && !(s->caps.ept_vpid & EPT_CAP_AD); }
RULE(eptp_reserved) { return ept(s) && ((s->eptp & EPTP_RESERVED_11_7) || beyond(s->eptp, s->caps.maxphyaddr)); }
RULE(unrestricted_without_ept) { return unrestricted(s) && !ept(s); }

/* ---- 27.2.1.2 VM-exit control fields ---- */
RULE(exit_outside_cap) { return outside(s->exit, s->caps.exit); }
RULE(save_timer_without_timer)
{
	return !(s->pinbased & PIN_ACTIVATE_VMX_PREEMPTION_TIMER) && (s->exit & EXIT_SAVE_PREEMPTION_TIMER);
}
RULE(exit_msr_store_bad) { return msr_area_bad(s->exit_msr_store_count, s->exit_msr_store_addr, s->caps.maxphyaddr); }
RULE(exit_msr_load_bad) { return msr_area_bad(s->exit_msr_load_count, s->exit_msr_load_addr, s->caps.maxphyaddr); }

/* ---- 27.2.1.3 VM-entry control fields ---- */
RULE(entry_outside_cap) { return outside(s->entry, s->caps.entry); }
static uint32_t event_type(const struct vmx_entry_state *s) { return s->entry_intr_info & INTR_INFO_TYPE_MASK; }
static uint32_t event_vector(const struct vmx_entry_state *s) { return s->entry_intr_info & INTR_INFO_VECTOR_MASK; }
static bool event_valid(const struct vmx_entry_state *s) { return s->entry_intr_info & INTR_INFO_VALID; }
RULE(event_type_reserved)
{
	bool mtf = (s->caps.procbased >> 32) & PROC_MONITOR_TRAP_FLAG;
	return event_valid(s) && (event_type(s) == (1u << 8) || (event_type(s) == INTR_INFO_TYPE_OTHER_EVENT && !mtf));
}
RULE(event_vector_bad)
{
	uint32_t t = event_type(s), v = event_vector(s);
	return event_valid(s) && ((t == INTR_INFO_TYPE_NMI && v != VECTOR_NMI) ||
				  (t == INTR_INFO_TYPE_HARDWARE_EXCEPTION && v >= VECTOR_EXCEPTIONS) ||
				  (t == INTR_INFO_TYPE_OTHER_EVENT && v != 0));
}
/* Exceptions that push an error code: #DF #TS #NP #SS #GP #PF #AC #CP. */
static bool has_error_code(uint32_t v) { return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21; }
/* In protected mode the bit must say exactly whether the exception pushes
 * an error code, unless IA32_VMX_BASIC[56] frees it; with CR0.PE = 0
 * (unrestricted guest) it must be 0. */
RULE(event_error_code_bad)
{
	if (!event_valid(s))
		return false;
	bool deliver = s->entry_intr_info & INTR_INFO_DELIVER_ERROR_CODE;
	if (!(s->cr0 & CR0_PE))
		return deliver && unrestricted(s);
	bool wanted = event_type(s) == INTR_INFO_TYPE_HARDWARE_EXCEPTION && has_error_code(event_vector(s));
	return deliver != wanted && !(s->caps.basic & VMX_BASIC_ANY_ERROR_CODE);
}
RULE(event_reserved_bits) { return event_valid(s) && (s->entry_intr_info & INTR_INFO_RESERVED); }
static bool software_event(uint32_t t)
{
	return t == INTR_INFO_TYPE_SOFTWARE_INTERRUPT || t == INTR_INFO_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION ||
	       t == INTR_INFO_TYPE_SOFTWARE_EXCEPTION;
}
RULE(event_length_bad)
{
	uint32_t n = s->entry_instruction_length;
	bool zero_ok = s->caps.misc & VMX_MISC_ZERO_LENGTH_INJECTION;
	return event_valid(s) && software_event(event_type(s)) && (n > MAX_INSN_LENGTH || (n == 0 && !zero_ok));
}
RULE(entry_msr_load_bad) { return msr_area_bad(s->entry_msr_load_count, s->entry_msr_load_addr, s->caps.maxphyaddr); }

/* ---- 27.2.2 host control registers and MSRs ---- */
static bool fixed_bad(uint64_t v, uint64_t fixed0, uint64_t fixed1) { return (v & fixed0) != fixed0 || (v & ~fixed1); }
RULE(host_cr0_fixed) { return fixed_bad(s->host_cr0, s->caps.cr0_fixed0, s->caps.cr0_fixed1); }
RULE(host_cr4_fixed) { return fixed_bad(s->host_cr4, s->caps.cr4_fixed0, s->caps.cr4_fixed1); }
RULE(host_cet_without_wp) { return (s->host_cr4 & CR4_CET) && !(s->host_cr0 & CR0_WP); }
RULE(host_cr3_beyond) { return beyond(s->host_cr3, s->caps.maxphyaddr); }
RULE(host_sysenter_noncanonical) { return !canonical(s->host_sysenter_esp) || !canonical(s->host_sysenter_eip); }
RULE(host_pat_bad) { return (s->exit & EXIT_LOAD_IA32_PAT) && pat_bad(s->host_pat); }
RULE(host_efer_bad)
{
	bool size = s->exit & EXIT_HOST_ADDRESS_SPACE_SIZE;
	uint64_t e = s->host_efer;
	return (s->exit & EXIT_LOAD_IA32_EFER) &&
	       ((e & EFER_RESERVED_INTEL) || !!(e & EFER_LMA) != size || !!(e & EFER_LME) != size);
}

/* ---- 27.2.3 host segment and descriptor-table registers ---- */
RULE(host_selector_rpl_ti)
{
	uint16_t all = s->host_es | s->host_cs | s->host_ss | s->host_ds | s->host_fs | s->host_gs | s->host_tr;
	return all & (SELECTOR_RPL_MASK | SELECTOR_TI);
}
RULE(host_cs_tr_null) { return s->host_cs == 0 || s->host_tr == 0; }
RULE(host_bases_noncanonical)
{
	return !canonical(s->host_fs_base) || !canonical(s->host_gs_base) || !canonical(s->host_tr_base) ||
	       !canonical(s->host_gdtr_base) || !canonical(s->host_idtr_base);
}

/* ---- 27.2.4 address-space size (memvisor runs in IA-32e mode) ---- */
RULE(host_size_zero) { return !(s->exit & EXIT_HOST_ADDRESS_SPACE_SIZE); }
RULE(host_size_state) { return !(s->host_cr4 & CR4_PAE) || !canonical(s->host_rip); }

/* ---- 27.3.1.1 guest control registers, debug registers, MSRs ---- */
RULE(guest_cr0_fixed)
{
	uint64_t fixed0 = s->caps.cr0_fixed0 & ~(unrestricted(s) ? CR0_PE | CR0_PG : 0);
	return fixed_bad(s->cr0, fixed0, s->caps.cr0_fixed1);
}
RULE(guest_pg_without_pe) { return (s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE); }
RULE(guest_cr4_fixed) { return fixed_bad(s->cr4, s->caps.cr4_fixed0, s->caps.cr4_fixed1); }
RULE(guest_cet_without_wp) { return (s->cr4 & CR4_CET) && !(s->cr0 & CR0_WP); }
RULE(guest_debugctl_reserved) { return (s->entry & ENTRY_LOAD_DEBUG_CONTROLS) && (s->debugctl & DEBUGCTL_RESERVED); }
RULE(ia32e_without_paging) { return ia32e(s) && (!(s->cr0 & CR0_PG) || !(s->cr4 & CR4_PAE)); }
RULE(pcide_outside_ia32e) { return !ia32e(s) && (s->cr4 & CR4_PCIDE); }
RULE(guest_cr3_beyond) { return beyond(s->cr3, s->caps.maxphyaddr); }
RULE(guest_dr7_upper) { return (s->entry & ENTRY_LOAD_DEBUG_CONTROLS) && (s->dr7 & UPPER_32); }
RULE(guest_sysenter_noncanonical) { return !canonical(s->sysenter_esp) || !canonical(s->sysenter_eip); }
RULE(guest_pat_bad) { return (s->entry & ENTRY_LOAD_IA32_PAT) && pat_bad(s->pat); }
RULE(guest_efer_reserved) { return (s->entry & ENTRY_LOAD_IA32_EFER) && (s->efer & EFER_RESERVED_INTEL); }
RULE(guest_efer_lma)
{
	bool m = ia32e(s);
	return (s->entry & ENTRY_LOAD_IA32_EFER) &&
	       (!!(s->efer & EFER_LMA) != m || ((s->cr0 & CR0_PG) && !!(s->efer & EFER_LME) != m));
}

/* ---- 27.3.1.2 guest segment registers ---- */
RULE(tr_ti) { return s->seg[VMX_TR].selector & SELECTOR_TI; }
RULE(ldtr_ti) { return usable(&s->seg[VMX_LDTR]) && (s->seg[VMX_LDTR].selector & SELECTOR_TI); }
RULE(ss_rpl_ne_cs_rpl)
{
	return !v8086(s) && !unrestricted(s) && rpl(&s->seg[VMX_SS]) != rpl(&s->seg[VMX_CS]);
}
/* In virtual-8086 mode each of CS SS DS ES FS GS is base = selector * 16,
 * limit 0xffff, access rights 0xf3. */
RULE(v8086_segments)
{
	static const int six[] = { VMX_CS, VMX_SS, VMX_DS, VMX_ES, VMX_FS, VMX_GS };
	if (!v8086(s))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(six); i++) {
		const struct vmx_entry_segment *g = &s->seg[six[i]];
		if (g->base != (uint64_t)g->selector << 4 || g->limit != VIRTUAL_8086_LIMIT || g->access_rights != AR_VIRTUAL_8086)
			return true;
	}
	return false;
}
RULE(bases_bad)
{
	const struct vmx_entry_segment *g = s->seg;
	if (!canonical(g[VMX_TR].base) || !canonical(g[VMX_FS].base) || !canonical(g[VMX_GS].base))
		return true;
	if (usable(&g[VMX_LDTR]) && !canonical(g[VMX_LDTR].base))
		return true;
	if (g[VMX_CS].base & UPPER_32)
		return true;
	static const int low[] = { VMX_SS, VMX_DS, VMX_ES };
	for (size_t i = 0; i < ARRAY_SIZE(low); i++)
		if (usable(&g[low[i]]) && (g[low[i]].base & UPPER_32))
			return true;
	return false;
}
RULE(cs_type)
{
	unsigned t = ar_type(&s->seg[VMX_CS]);
	return !v8086(s) && !(t == 9 || t == 11 || t == 13 || t == 15 || (t == AR_TYPE_TSS16_BUSY && unrestricted(s)));
}
RULE(ss_type)
{
	unsigned t = ar_type(&s->seg[VMX_SS]);
	return !v8086(s) && usable(&s->seg[VMX_SS]) && t != 3 && t != 7;
}
RULE(data_type)
{
	static const int four[] = { VMX_DS, VMX_ES, VMX_FS, VMX_GS };
	if (v8086(s))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(four); i++) {
		const struct vmx_entry_segment *g = &s->seg[four[i]];
		unsigned t = ar_type(g);
		if (usable(g) && (!(t & AR_TYPE_ACCESSED) || ((t & AR_TYPE_CODE) && !(t & AR_TYPE_READABLE))))
			return true;
	}
	return false;
}
/* S, P, reserved bits and G against the limit, for CS and every usable
 * one of SS DS ES FS GS: one predicate per property over the same set. */
static bool any_segment(const struct vmx_entry_state *s, bool (*bad)(const struct vmx_entry_segment *))
{
	if (v8086(s))
		return false;
	if (bad(&s->seg[VMX_CS]))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(data_segments); i++)
		if (cs_or_usable(s, data_segments[i]) && bad(&s->seg[data_segments[i]]))
			return true;
	return false;
}
static bool s_clear(const struct vmx_entry_segment *g) { return !(g->access_rights & AR_S); }
static bool p_clear(const struct vmx_entry_segment *g) { return !(g->access_rights & AR_P); }
static bool reserved_set(const struct vmx_entry_segment *g) { return g->access_rights & AR_RESERVED; }
static bool granularity_bad(const struct vmx_entry_segment *g)
{
	bool gran = g->access_rights & AR_G;
	return ((g->limit & LIMIT_PAGE_BITS) != LIMIT_PAGE_BITS && gran) || ((g->limit & LIMIT_HIGH_BITS) && !gran);
}
RULE(segments_s) { return any_segment(s, s_clear); }
RULE(segments_p) { return any_segment(s, p_clear); }
RULE(segments_reserved) { return any_segment(s, reserved_set); }
RULE(segments_granularity) { return any_segment(s, granularity_bad); }
RULE(cs_dpl)
{
	const struct vmx_entry_segment *cs = &s->seg[VMX_CS];
	unsigned t = ar_type(cs), ss = dpl(&s->seg[VMX_SS]);
	if (v8086(s))
		return false;
	if (t == AR_TYPE_TSS16_BUSY)
		return dpl(cs) != 0;
	if (t == 9 || t == 11)
		return dpl(cs) != ss;
	return dpl(cs) > ss; /* conforming: 13, 15 */
}
RULE(ss_dpl)
{
	const struct vmx_entry_segment *ss = &s->seg[VMX_SS];
	if (v8086(s))
		return false;
	if (!unrestricted(s) && dpl(ss) != rpl(ss))
		return true;
	return (ar_type(&s->seg[VMX_CS]) == AR_TYPE_TSS16_BUSY || !(s->cr0 & CR0_PE)) && dpl(ss) != 0;
}
RULE(data_dpl)
{
	static const int four[] = { VMX_DS, VMX_ES, VMX_FS, VMX_GS };
	if (v8086(s) || unrestricted(s))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(four); i++) {
		const struct vmx_entry_segment *g = &s->seg[four[i]];
		bool conforming_code = (ar_type(g) & AR_TYPE_CODE) && (ar_type(g) & AR_TYPE_CONFORMING);
		if (usable(g) && !conforming_code && dpl(g) < rpl(g))
			return true;
	}
	return false;
}
RULE(cs_l_and_d)
{
	uint32_t ar = s->seg[VMX_CS].access_rights;
	return ia32e(s) && (ar & AR_L) && (ar & AR_DB);
}
RULE(tr_bad)
{
	const struct vmx_entry_segment *tr = &s->seg[VMX_TR];
	unsigned t = ar_type(tr);
	bool type_ok = t == AR_TYPE_TSS_BUSY || (t == AR_TYPE_TSS16_BUSY && !ia32e(s));
	return !type_ok || (tr->access_rights & (AR_S | AR_UNUSABLE | AR_RESERVED)) || !(tr->access_rights & AR_P) ||
	       granularity_bad(tr);
}
RULE(ldtr_bad)
{
	const struct vmx_entry_segment *l = &s->seg[VMX_LDTR];
	return usable(l) && (ar_type(l) != AR_TYPE_LDT || (l->access_rights & (AR_S | AR_RESERVED)) ||
			     !(l->access_rights & AR_P) || granularity_bad(l));
}

/* ---- 27.3.1.3 descriptor-table registers ---- */
RULE(dtr_noncanonical) { return !canonical(s->gdtr_base) || !canonical(s->idtr_base); }
RULE(dtr_limit) { return (s->gdtr_limit | s->idtr_limit) > 0xffff; }

/* ---- 27.3.1.4 RIP and RFLAGS ---- */
RULE(rip_bad)
{
	bool long64 = ia32e(s) && (s->seg[VMX_CS].access_rights & AR_L);
	return long64 ? !canonical(s->rip) : (s->rip & UPPER_32);
}
RULE(rflags_reserved) { return (s->rflags & RFLAGS_RESERVED) || !(s->rflags & RFLAGS_FIXED); }
RULE(rflags_vm) { return v8086(s) && (ia32e(s) || !(s->cr0 & CR0_PE)); }
RULE(interrupt_without_if) { return injecting(s, INTR_INFO_TYPE_EXTERNAL_INTERRUPT) && !(s->rflags & RFLAGS_IF); }

/* ---- 27.3.1.5 non-register state ---- */
RULE(activity_bad)
{
	static const uint64_t cap[] = { 0, VMX_MISC_ACTIVITY_HLT, VMX_MISC_ACTIVITY_SHUTDOWN,
					VMX_MISC_ACTIVITY_WAIT_FOR_SIPI };
	return s->activity >= ARRAY_SIZE(cap) || (s->activity && !(s->caps.misc & cap[s->activity]));
}
RULE(hlt_with_dpl) { return s->activity == ACTIVITY_STATE_HLT && dpl(&s->seg[VMX_SS]) != 0; }
RULE(interruptibility_reserved) { return s->interruptibility & INTERRUPTIBILITY_RESERVED; }
RULE(sti_and_mov_ss)
{
	return (s->interruptibility & BLOCKING_BY_STI) && (s->interruptibility & BLOCKING_BY_MOV_SS);
}
RULE(sti_without_if) { return !(s->rflags & RFLAGS_IF) && (s->interruptibility & BLOCKING_BY_STI); }
RULE(injection_while_blocked)
{
	uint32_t i = s->interruptibility;
	return (injecting(s, INTR_INFO_TYPE_EXTERNAL_INTERRUPT) && (i & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS))) ||
	       (injecting(s, INTR_INFO_TYPE_NMI) && (i & BLOCKING_BY_MOV_SS));
}
RULE(smi_blocking) { return s->interruptibility & BLOCKING_BY_SMI; }
RULE(pending_debug_reserved) { return s->pending_debug & PENDING_DEBUG_RESERVED; }
/* With STI/MOV-SS blocking or in HLT, a pending single step must match
 * RFLAGS.TF and DEBUGCTL.BTF: BS = 1 exactly when TF = 1 and BTF = 0. */
RULE(pending_bs_bad)
{
	bool blocked = (s->interruptibility & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS)) ||
		       s->activity == ACTIVITY_STATE_HLT;
	bool want = (s->rflags & RFLAGS_TF) && !(s->debugctl & DEBUGCTL_BTF);
	return blocked && !!(s->pending_debug & PENDING_DEBUG_BS) != want;
}
RULE(link_pointer) { return s->link_pointer != ~X86_U64(0); }

/* ---- 27.3.1.6 PDPTEs: PAE paging outside IA-32e mode with EPT ---- */
RULE(pdpte_reserved)
{
	if (!ept(s) || ia32e(s) || !(s->cr0 & CR0_PG) || !(s->cr4 & CR4_PAE))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(s->pdpte); i++)
		if ((s->pdpte[i] & PTE_PRESENT) &&
		    ((s->pdpte[i] & PDPTE_RESERVED) || beyond(s->pdpte[i] & ~PTE_NX, s->caps.maxphyaddr) ||
		     (s->pdpte[i] & PTE_NX)))
			return true;
	return false;
}

#define C1 "SDM 27.2.1.1"
#define C2 "SDM 27.2.1.2"
#define C3 "SDM 27.2.1.3"
#define H2 "SDM 27.2.2"
#define H3 "SDM 27.2.3"
#define H4 "SDM 27.2.4"
#define G1 "SDM 27.3.1.1"
#define G2 "SDM 27.3.1.2"
#define G3 "SDM 27.3.1.3"
#define G4 "SDM 27.3.1.4"
#define G5 "SDM 27.3.1.5"
#define G6 "SDM 27.3.1.6"

const struct vmx_entry_rule vmx_entry_rules[] = {
	{ "pin-based controls within IA32_VMX_(TRUE_)PINBASED_CTLS", C1 ", A.3.1", pin_outside_cap },
	{ "primary processor-based controls within IA32_VMX_(TRUE_)PROCBASED_CTLS", C1 ", A.3.2", proc_outside_cap },
	{ "secondary processor-based controls within IA32_VMX_PROCBASED_CTLS2", C1 ", A.3.3", proc2_outside_cap },
	{ "CR3-target count at most 4", C1, cr3_targets },
	{ "I/O bitmap addresses 4-KiB aligned, below MAXPHYADDR", C1, io_bitmaps_bad },
	{ "MSR-bitmap address 4-KiB aligned, below MAXPHYADDR", C1, msr_bitmaps_bad },
	{ "virtual-APIC address 4-KiB aligned, below MAXPHYADDR", C1, virtual_apic_bad },
	{ "TPR threshold bits 31:4 = 0", C1, tpr_threshold_bad },
	{ "TPR threshold bits 3:0 not above VTPR bits 7:4", C1, tpr_threshold_above_vtpr },
	{ "virtual NMIs only with NMI exiting", C1, virtual_nmis_without_nmi_exiting },
	{ "NMI-window exiting only with virtual NMIs", C1, nmi_window_without_virtual_nmis },
	{ "enable VPID needs VPID != 0", C1, vpid_zero },
	{ "EPTP memory type UC or WB as IA32_VMX_EPT_VPID_CAP allows", C1 ", A.10", eptp_memory_type },
	{ "EPTP page-walk length 4 or 5 as IA32_VMX_EPT_VPID_CAP allows", C1 ", A.10", eptp_walk_length },
	{ "EPTP A/D enable only with IA32_VMX_EPT_VPID_CAP bit 21", C1 ", A.10", eptp_ad_without_cap },
	{ "EPTP bits 11:7 and above MAXPHYADDR = 0", C1, eptp_reserved },
	{ "unrestricted guest needs enable EPT", C1, unrestricted_without_ept },
	{ "VM-exit controls within IA32_VMX_(TRUE_)EXIT_CTLS", C2 ", A.4", exit_outside_cap },
	{ "save VMX-preemption timer value only with the timer active", C2, save_timer_without_timer },
	{ "VM-exit MSR-store area 16-byte aligned, below MAXPHYADDR", C2, exit_msr_store_bad },
	{ "VM-exit MSR-load area 16-byte aligned, below MAXPHYADDR", C2, exit_msr_load_bad },
	{ "VM-entry controls within IA32_VMX_(TRUE_)ENTRY_CTLS", C3 ", A.5", entry_outside_cap },
	{ "injected event type not reserved", C3, event_type_reserved },
	{ "injected NMI is vector 2, exception below 32, other event 0", C3, event_vector_bad },
	{ "error code delivered exactly for a protected-mode exception that has one", C3, event_error_code_bad },
	{ "VM-entry interruption information bits 30:12 = 0", C3, event_reserved_bits },
	{ "software event instruction length 1-15", C3, event_length_bad },
	{ "VM-entry MSR-load area 16-byte aligned, below MAXPHYADDR", C3, entry_msr_load_bad },
	{ "host CR0 within IA32_VMX_CR0_FIXED0/1", H2 ", A.7", host_cr0_fixed },
	{ "host CR4 within IA32_VMX_CR4_FIXED0/1", H2 ", A.8", host_cr4_fixed },
	{ "host CR4.CET = 1 needs CR0.WP = 1", H2, host_cet_without_wp },
	{ "host CR3 below MAXPHYADDR", H2, host_cr3_beyond },
	{ "host SYSENTER_ESP/EIP canonical", H2, host_sysenter_noncanonical },
	{ "host IA32_PAT holds valid memory types", H2, host_pat_bad },
	{ "host IA32_EFER: reserved bits 0, LMA = LME = host address-space size", H2, host_efer_bad },
	{ "host selectors RPL = 0 and TI = 0", H3, host_selector_rpl_ti },
	{ "host CS and TR selectors != 0", H3, host_cs_tr_null },
	{ "host FS, GS, TR, GDTR, IDTR bases canonical", H3, host_bases_noncanonical },
	{ "host address-space size = 1 (the CPU is in IA-32e mode)", H4, host_size_zero },
	{ "64-bit host: CR4.PAE = 1 and RIP canonical", H4, host_size_state },
	{ "guest CR0 within IA32_VMX_CR0_FIXED0/1 (PE, PG free with unrestricted guest)", G1, guest_cr0_fixed },
	{ "guest CR0.PG = 1 needs CR0.PE = 1", G1, guest_pg_without_pe },
	{ "guest CR4 within IA32_VMX_CR4_FIXED0/1", G1, guest_cr4_fixed },
	{ "guest CR4.CET = 1 needs CR0.WP = 1", G1, guest_cet_without_wp },
	{ "guest IA32_DEBUGCTL reserved bits = 0", G1, guest_debugctl_reserved },
	{ "IA-32e mode guest needs CR0.PG = 1 and CR4.PAE = 1", G1, ia32e_without_paging },
	{ "CR4.PCIDE = 0 outside IA-32e mode", G1, pcide_outside_ia32e },
	{ "guest CR3 below MAXPHYADDR", G1, guest_cr3_beyond },
	{ "guest DR7[63:32] = 0", G1, guest_dr7_upper },
	{ "guest SYSENTER_ESP/EIP canonical", G1, guest_sysenter_noncanonical },
	{ "guest IA32_PAT holds valid memory types", G1, guest_pat_bad },
	{ "guest IA32_EFER reserved bits = 0", G1, guest_efer_reserved },
	{ "guest EFER.LMA (and LME with CR0.PG) = IA-32e mode guest", G1, guest_efer_lma },
	{ "TR.TI = 0", G2, tr_ti },
	{ "usable LDTR: TI = 0", G2, ldtr_ti },
	{ "SS.RPL = CS.RPL", G2, ss_rpl_ne_cs_rpl },
	{ "virtual-8086 segments: base = selector * 16, limit 0xffff, access rights 0xf3", G2, v8086_segments },
	{ "segment bases canonical (TR FS GS LDTR) or below 4 GiB (CS SS DS ES)", G2, bases_bad },
	{ "CS type 9, 11, 13 or 15 (3 with unrestricted guest)", G2, cs_type },
	{ "usable SS: type 3 or 7", G2, ss_type },
	{ "usable DS ES FS GS: accessed, and readable if code", G2, data_type },
	{ "CS and usable segments: S = 1", G2, segments_s },
	{ "CS and usable segments: P = 1", G2, segments_p },
	{ "CS and usable segments: access-rights bits 11:8 and 31:17 = 0", G2, segments_reserved },
	{ "segment G bit consistent with the limit", G2, segments_granularity },
	{ "CS.DPL: 0 for type 3, = SS.DPL non-conforming, <= SS.DPL conforming", G2, cs_dpl },
	{ "SS.DPL = SS.RPL (without unrestricted guest); 0 with CS type 3 or CR0.PE = 0", G2, ss_dpl },
	{ "usable non-conforming DS ES FS GS: DPL >= RPL", G2, data_dpl },
	{ "IA-32e mode guest: CS.L = 1 needs CS.D = 0", G2, cs_l_and_d },
	{ "TR: busy TSS (type 11, or 3 outside IA-32e mode), S = 0, P = 1, usable", G2, tr_bad },
	{ "usable LDTR: type 2, S = 0, P = 1", G2, ldtr_bad },
	{ "GDTR and IDTR bases canonical", G3, dtr_noncanonical },
	{ "GDTR and IDTR limits bits 31:16 = 0", G3, dtr_limit },
	{ "RIP bits 63:32 = 0 outside 64-bit mode, canonical in it", G4, rip_bad },
	{ "RFLAGS reserved bits = 0 and bit 1 = 1", G4, rflags_reserved },
	{ "RFLAGS.VM = 1 needs CR0.PE = 1 outside IA-32e mode", G4, rflags_vm },
	{ "injected external interrupt needs RFLAGS.IF = 1", G4, interrupt_without_if },
	{ "activity state one IA32_VMX_MISC supports", G5 ", A.6", activity_bad },
	{ "HLT activity state needs SS.DPL = 0", G5, hlt_with_dpl },
	{ "interruptibility state bits 31:5 = 0", G5, interruptibility_reserved },
	{ "not both blocking by STI and by MOV SS", G5, sti_and_mov_ss },
	{ "blocking by STI needs RFLAGS.IF = 1", G5, sti_without_if },
	{ "no STI/MOV-SS blocking when injecting an interrupt (MOV SS for an NMI)", G5, injection_while_blocked },
	{ "blocking by SMI = 0 outside SMM", G5, smi_blocking },
	{ "pending debug exceptions reserved bits = 0", G5, pending_debug_reserved },
	{ "pending BS = RFLAGS.TF and not DEBUGCTL.BTF when blocked or in HLT", G5, pending_bs_bad },
	{ "VMCS link pointer = all ones (no VMCS shadowing)", G5, link_pointer },
	{ "PDPTEs reserved bits = 0 (PAE paging with EPT)", G6, pdpte_reserved },
};
const size_t vmx_entry_rule_count = ARRAY_SIZE(vmx_entry_rules);

static bool (*const rip_rflags_rules[])(const struct vmx_entry_state *) = {
	rip_bad, rflags_reserved, rflags_vm, interrupt_without_if, sti_without_if, pending_bs_bad,
};

/* Runs before most entries: the six rules are found in the table once.
 * (Under Bochs, whose TSC counts instructions, a scan of the whole table
 * per entry made every exit several times dearer.) */
const struct vmx_entry_rule *vmx_entry_check_rip_rflags(const struct vmx_entry_state *s)
{
	static const struct vmx_entry_rule *rules[ARRAY_SIZE(rip_rflags_rules)];
	if (!rules[0])
		for (size_t j = 0; j < ARRAY_SIZE(rip_rflags_rules); j++)
			for (size_t i = 0; i < vmx_entry_rule_count; i++)
				if (vmx_entry_rules[i].violated == rip_rflags_rules[j])
					rules[j] = &vmx_entry_rules[i];
	for (size_t j = 0; j < ARRAY_SIZE(rules); j++)
		if (rules[j]->violated(s))
			return rules[j];
	return NULL;
}

const struct vmx_entry_rule *vmx_entry_check(const struct vmx_entry_state *s)
{
	for (size_t i = 0; i < vmx_entry_rule_count; i++)
		if (vmx_entry_rules[i].violated(s))
			return &vmx_entry_rules[i];
	return NULL;
}
