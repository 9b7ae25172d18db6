/* vmm/vmx/entry_check.h — the checks VM entry makes on the VMCS, made by
 * memvisor before every VMLAUNCH/VMRESUME on the values it is about to
 * enter with.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 27.2 "Checks on VMX
 * Controls and Host-State Area" (27.2.1 controls, 27.2.2 host control
 * registers and MSRs, 27.2.3 host segment and descriptor-table registers,
 * 27.2.4 address-space size) and 27.3.1 "Checks on the Guest State Area"
 * (27.3.1.1 control and debug registers and MSRs, 27.3.1.2 segment
 * registers, 27.3.1.3 descriptor-table registers, 27.3.1.4 RIP and RFLAGS,
 * 27.3.1.5 non-register state, 27.3.1.6 PDPTEs); Vol. 3D appendix A. Bochs
 * accepts states silicon refuses (e.g. CS.DPL != SS.DPL); KVM's nested VMX
 * and the hardware do not.
 *
 * A VMCS is read only with VMREAD, so the rules run over a plain struct:
 * filled by VMREADs in the kernel (entry_state.c), by hand or from a
 * captured state in tests/unit/test_vmx_entry_check.c. */
#ifndef MEMVISOR_VMX_ENTRY_CHECK_H
#define MEMVISOR_VMX_ENTRY_CHECK_H

#include "kernel/types.h"

/* The capability MSRs the rules read (the TRUE_* control MSRs where
 * IA32_VMX_BASIC bit 55 says they exist), and CPUID's MAXPHYADDR. */
struct vmx_entry_caps {
	uint64_t basic;                                        /* A.1     */
	uint64_t pinbased, procbased, procbased2, exit, entry; /* A.3-A.5 */
	uint64_t misc;                                         /* A.6     */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* A.7-A.8 */
	uint64_t ept_vpid;                                     /* A.10    */
	unsigned maxphyaddr;                                   /* CPUID 8000_0008h EAX[7:0] */
};

/* A guest segment register as the VMCS holds it (SDM 25.4.1). */
struct vmx_entry_segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit, access_rights;
};
enum { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR, VMX_SEGMENT_COUNT };

/* The VMCS fields the checks read, by the SDM's names. */
struct vmx_entry_state {
	struct vmx_entry_caps caps;
	/* controls (SDM 25.6-25.8) */
	uint32_t pinbased, procbased, procbased2, exit, entry;
	uint32_t cr3_target_count, tpr_threshold;
	uint8_t vtpr; /* byte 0x80 of the virtual-APIC page (SDM 30.1.1), not a VMCS field */
	uint64_t io_bitmap_a, io_bitmap_b, msr_bitmaps, virtual_apic, eptp;
	uint16_t vpid;
	uint32_t exit_msr_store_count, exit_msr_load_count, entry_msr_load_count;
	uint64_t exit_msr_store_addr, exit_msr_load_addr, entry_msr_load_addr;
	uint32_t entry_intr_info, entry_exception_error_code, entry_instruction_length;
	/* host state (SDM 25.5) */
	uint64_t host_cr0, host_cr3, host_cr4;
	uint16_t host_es, host_cs, host_ss, host_ds, host_fs, host_gs, host_tr;
	uint64_t host_fs_base, host_gs_base, host_tr_base, host_gdtr_base, host_idtr_base;
	uint64_t host_sysenter_esp, host_sysenter_eip, host_efer, host_pat, host_rip;
	/* guest state (SDM 25.4) */
	uint64_t cr0, cr3, cr4, dr7, debugctl, efer, pat, sysenter_esp, sysenter_eip;
	struct vmx_entry_segment seg[VMX_SEGMENT_COUNT];
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint64_t rip, rflags, pending_debug, link_pointer;
	uint32_t activity, interruptibility;
	uint64_t pdpte[4];
};

/* Every field of struct vmx_entry_state by its C name ("cr0",
 * "seg[1].access_rights", "caps.entry"), so that a state printed by the
 * kernel can be read back by a test (entry_fields.c). */
struct vmx_entry_field {
	const char *name;
	size_t offset, size;
};
extern const struct vmx_entry_field vmx_entry_fields[];
extern const size_t vmx_entry_field_count;

struct vmx_entry_rule {
	const char *name;    /* what must hold, e.g. "VMCS link pointer = all ones" */
	const char *section; /* where the SDM says so                               */
	bool (*violated)(const struct vmx_entry_state *s);
};

extern const struct vmx_entry_rule vmx_entry_rules[];
extern const size_t vmx_entry_rule_count;

/* NULL when the state passes every rule, else the first rule it breaks. */
const struct vmx_entry_rule *vmx_entry_check(const struct vmx_entry_state *s);

/* Only the rules on what memvisor writes before every entry — RIP and
 * RFLAGS — against the state the CPU saved at the exit before. They read
 * only these fields of s: rip, rflags, entry, seg[VMX_CS].access_rights,
 * cr0, entry_intr_info, interruptibility, activity, debugctl,
 * pending_debug (tests/unit/test_vmx_entry_check.c holds them to it). */
const struct vmx_entry_rule *vmx_entry_check_rip_rflags(const struct vmx_entry_state *s);

#endif
