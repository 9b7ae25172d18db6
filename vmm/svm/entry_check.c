/* vmm/svm/entry_check.c — the VMRUN consistency checks (entry_check.h).
 * Each rule is one predicate, named by what must hold and by the manual's
 * section; "KVM" marks a check that KVM's nested SVM makes (and so VMRUN
 * under KVM fails on) beyond the APM's list of 15.5.1. TLB_CONTROL is one:
 * the APM reserves 3 and 7 without FlushByAsid but does not say VMRUN
 * checks it; KVM refused them until Linux 6.6, newer KVM and the hardware
 * let them through. memvisor keeps to the encodings the CPU has.
 * See: APM Vol. 2 (rev. 3.42) 15.5.1, 15.15, 15.16.1, 15.20, 15.25.4. */
#include "vmm/svm/entry_check.h"

#define UPPER_32 X86_U64(0xffffffff00000000)
#define IOPM_BYTES (12 * 1024)  /* APM 15.10.1 */
#define MSRPM_BYTES (8 * 1024)  /* APM 15.11   */

/* EFER bits the APM defines (3.1.7): SCE, LME, LMA, NXE, SVME, LMSLE,
 * FFXSR, TCE, MCOMMIT, INTWB, UAIE, AIBRSE; every other bit is MBZ. */
#define EFER_DEFINED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME | BIT(13) | BIT(14) | BIT(15) | \
		      BIT(17) | BIT(18) | BIT(20) | BIT(21))
/* CR4 bits the APM defines (3.1.3); 13 (Intel's VMXE) and 15, 19, 24+ are
 * reserved on AMD. The CPU's own CPUID removes more (caps->cr4_reserved). */
#define CR4_DEFINED_AMD (X86_U64(0x1fff) | CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE | CR4_SMEP | CR4_SMAP | \
			 CR4_PKE | CR4_CET)

/* EVENTINJ types (APM 15.20): 0 INTR, 2 NMI, 3 exception, 4 software
 * interrupt; 1, 5, 6 and 7 are reserved. */
#define EVENT_TYPE_SHIFT 8
#define EVENT_TYPE_MASK 7u
#define EVENT_TYPE_EXCEPTION_N 3u
#define VECTOR_NMI 2

#define TLB_CONTROL_FLUSH_ASID_NON_GLOBAL 7

/* c: the CPU's capabilities, which most rules do not need. */
#define RULE(fn) static bool fn(const struct vmcb *v, __attribute__((unused)) const struct svm_entry_caps *c)

static bool long_mode_paging(const struct vmcb_save *s) { return (s->efer & EFER_LME) && (s->cr0 & CR0_PG); }

static bool beyond_maxphyaddr(uint64_t last_byte, unsigned maxphyaddr)
{
	return maxphyaddr < 64 && (last_byte >> maxphyaddr);
}

RULE(no_svme) { return !(v->save.efer & EFER_SVME); }
RULE(nw_without_cd)
{
	return (v->save.cr0 & CR0_NW) && !(v->save.cr0 & CR0_CD);
}
RULE(cr0_upper) { return v->save.cr0 & UPPER_32; }
RULE(cr3_mbz)
{
	return long_mode_paging(&v->save) && beyond_maxphyaddr(v->save.cr3, c->maxphyaddr);
}
RULE(cr4_mbz)
{
	return v->save.cr4 & (~CR4_DEFINED_AMD | c->cr4_reserved);
}
RULE(dr6_upper) { return v->save.dr6 & UPPER_32; }
RULE(dr7_upper) { return v->save.dr7 & UPPER_32; }
RULE(efer_mbz) { return v->save.efer & ~EFER_DEFINED; }
RULE(long_mode_without_pae)
{
	return long_mode_paging(&v->save) && !(v->save.cr4 & CR4_PAE);
}
RULE(long_mode_without_pe)
{
	return long_mode_paging(&v->save) && !(v->save.cr0 & CR0_PE);
}
RULE(cs_l_and_d)
{
	const struct vmcb_save *s = &v->save;
	return long_mode_paging(s) && (s->cr4 & CR4_PAE) && (s->cs.attrib & SEG_ATTR_L) && (s->cs.attrib & SEG_ATTR_DB);
}
RULE(no_vmrun_intercept)
{
	return !(v->control.intercept_misc2 & INTERCEPT_VMRUN);
}
RULE(asid_zero) { return v->control.asid == 0; }
RULE(msrpm_beyond)
{
	return beyond_maxphyaddr((v->control.msrpm_base_pa & PTE_ADDR_MASK) + MSRPM_BYTES - 1, c->maxphyaddr);
}
RULE(iopm_beyond)
{
	return beyond_maxphyaddr((v->control.iopm_base_pa & PTE_ADDR_MASK) + IOPM_BYTES - 1, c->maxphyaddr);
}
RULE(event_type_reserved)
{
	uint64_t e = v->control.event_inject;
	unsigned type = (e >> EVENT_TYPE_SHIFT) & EVENT_TYPE_MASK;
	return (e & EVENT_VALID) && (type == 1 || type > 4);
}
RULE(event_exception_vector)
{
	uint64_t e = v->control.event_inject;
	unsigned type = (e >> EVENT_TYPE_SHIFT) & EVENT_TYPE_MASK, vector = e & EVENT_VECTOR_MASK;
	return (e & EVENT_VALID) && type == EVENT_TYPE_EXCEPTION_N && (vector == VECTOR_NMI || vector >= 32);
}
RULE(np_without_cpuid)
{
	return (v->control.np_control & NP_ENABLE) && !c->nested_paging;
}
RULE(tlb_control_invalid)
{
	uint8_t t = v->control.tlb_control;
	if (t == TLB_CONTROL_DO_NOTHING || t == TLB_CONTROL_FLUSH_ALL)
		return false;
	return !((t == TLB_CONTROL_FLUSH_ASID || t == TLB_CONTROL_FLUSH_ASID_NON_GLOBAL) && c->flush_by_asid);
}
/* Each byte of a PAT is a memory type: 0, 1, 4, 5, 6 or 7 (SDM Vol. 3A 13.12.2). */
RULE(g_pat_invalid)
{
	if (!(v->control.np_control & NP_ENABLE))
		return false;
	for (unsigned i = 0; i < 8; i++) {
		uint8_t type = (uint8_t)(v->save.g_pat >> (8 * i));
		if (type > 7 || type == 2 || type == 3)
			return true;
	}
	return false;
}

/* Not a VMRUN check but memvisor's own: a set clean bit lets a CPU with
 * VmcbClean (CPUID 8000_000Ah EDX bit 5) keep its cached copy of that
 * group of fields instead of reading the VMCB (APM 15.15). memvisor
 * rewrites VMCB fields between VMRUNs without tracking which, so every bit
 * must stay 0: the VMCB is always read whole. QEMU TCG and Bochs ignore
 * the field, so only this rule shows a stray bit before hardware does. */
RULE(clean_bits_set) { return v->control.clean_bits != 0; }

const struct svm_entry_rule svm_entry_rules[] = {
	{ "EFER.SVME = 1", "APM 15.5.1", no_svme },
	{ "CR0.CD = 0 with CR0.NW = 1 is illegal", "APM 15.5.1", nw_without_cd },
	{ "CR0[63:32] = 0", "APM 15.5.1", cr0_upper },
	{ "CR3 MBZ bits (above MAXPHYADDR in long mode) = 0", "APM 15.5.1", cr3_mbz },
	{ "CR4 MBZ and unsupported bits = 0", "APM 15.5.1, 3.1.3", cr4_mbz },
	{ "DR6[63:32] = 0", "APM 15.5.1", dr6_upper },
	{ "DR7[63:32] = 0", "APM 15.5.1", dr7_upper },
	{ "EFER MBZ bits = 0", "APM 15.5.1, 3.1.7", efer_mbz },
	{ "EFER.LME and CR0.PG need CR4.PAE", "APM 15.5.1", long_mode_without_pae },
	{ "EFER.LME and CR0.PG need CR0.PE", "APM 15.5.1", long_mode_without_pe },
	{ "long mode: CS.L and CS.D not both 1", "APM 15.5.1", cs_l_and_d },
	{ "VMRUN intercept set", "APM 15.5.1", no_vmrun_intercept },
	{ "ASID != 0", "APM 15.5.1", asid_zero },
	{ "MSRPM below MAXPHYADDR", "APM 15.5.1, 15.11", msrpm_beyond },
	{ "IOPM below MAXPHYADDR", "APM 15.5.1, 15.10.1", iopm_beyond },
	{ "EVENTINJ type not reserved", "APM 15.5.1, 15.20", event_type_reserved },
	{ "EVENTINJ exception vector not 2 nor above 31", "APM 15.20", event_exception_vector },
	{ "NP_ENABLE only with CPUID NP", "APM 15.25.3; KVM", np_without_cpuid },
	{ "TLB_CONTROL 0 or 1, or 3 or 7 with FlushByAsid", "APM 15.16.1; KVM up to Linux 6.6", tlb_control_invalid },
	{ "G_PAT holds valid memory types", "APM 15.25.4; KVM", g_pat_invalid },
	{ "VMCB clean bits 0: memvisor does not track its VMCB writes", "APM 15.15", clean_bits_set },
};
const size_t svm_entry_rule_count = ARRAY_SIZE(svm_entry_rules);

const struct svm_entry_rule *svm_entry_check(const struct vmcb *v, const struct svm_entry_caps *caps)
{
	for (size_t i = 0; i < svm_entry_rule_count; i++)
		if (svm_entry_rules[i].violated(v, caps))
			return &svm_entry_rules[i];
	return NULL;
}
