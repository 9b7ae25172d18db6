/* vmm/vmx/entry_fields.c — every field of struct vmx_entry_state by its C
 * name, offset and size: the kernel prints a state with it and the unit
 * tests read a captured one back (entry_check.h). Pure data. */
#include "vmm/vmx/entry_check.h"

#define F(f) { #f, offsetof(struct vmx_entry_state, f), sizeof(((struct vmx_entry_state *)0)->f) }
#define SEGMENT(i) F(seg[i].selector), F(seg[i].base), F(seg[i].limit), F(seg[i].access_rights)

const struct vmx_entry_field vmx_entry_fields[] = {
	F(caps.basic), F(caps.pinbased), F(caps.procbased), F(caps.procbased2), F(caps.exit), F(caps.entry), F(caps.misc),
	F(caps.cr0_fixed0), F(caps.cr0_fixed1), F(caps.cr4_fixed0), F(caps.cr4_fixed1), F(caps.ept_vpid),
	F(caps.maxphyaddr), F(pinbased), F(procbased), F(procbased2), F(exit), F(entry), F(cr3_target_count),
	F(tpr_threshold), F(vtpr), F(io_bitmap_a), F(io_bitmap_b), F(msr_bitmaps), F(virtual_apic), F(eptp), F(vpid),
	F(exit_msr_store_count), F(exit_msr_load_count), F(entry_msr_load_count), F(exit_msr_store_addr),
	F(exit_msr_load_addr), F(entry_msr_load_addr), F(entry_intr_info), F(entry_exception_error_code),
	F(entry_instruction_length), F(host_cr0), F(host_cr3), F(host_cr4), F(host_es), F(host_cs), F(host_ss),
	F(host_ds), F(host_fs), F(host_gs), F(host_tr), F(host_fs_base), F(host_gs_base), F(host_tr_base),
	F(host_gdtr_base), F(host_idtr_base), F(host_sysenter_esp), F(host_sysenter_eip), F(host_efer), F(host_pat),
	F(host_rip), F(cr0), F(cr3), F(cr4), F(dr7), F(debugctl), F(efer), F(pat), F(sysenter_esp), F(sysenter_eip),
	SEGMENT(0), SEGMENT(1), SEGMENT(2), SEGMENT(3), SEGMENT(4), SEGMENT(5), SEGMENT(6), SEGMENT(7),
	F(gdtr_base), F(idtr_base), F(gdtr_limit), F(idtr_limit), F(rip), F(rflags), F(pending_debug),
	F(link_pointer), F(activity), F(interruptibility), F(pdpte[0]), F(pdpte[1]), F(pdpte[2]), F(pdpte[3]),
};
const size_t vmx_entry_field_count = ARRAY_SIZE(vmx_entry_fields);
