/* vmm/vmx/vmx.h — what the VT-x backend's files share among themselves.
 *
 *   vmx.c      detection, capability checks, VMXON       (SDM 24, appendix A)
 *   controls.c VM-execution/exit/entry controls from the capability MSRs
 *   ept.c      extended page tables through vmm/mm/nested_pt.c (SDM 29.3)
 *   tlb.c      INVEPT/INVVPID types, VPIDs (SDM 29.1, 29.4)
 *   vcpu.c     the VMCS: host state, guest boot state, running it
 *   decode.c   exit reasons and qualifications into neutral exit records
 *   guest_regs.c  CR2, DR6, KERNEL_GS_BASE by hand; the virtual-APIC page
 *   dump.c     guest state, controls and host state for a diagnostic
 *   entry_check.c  the checks VM entry makes (SDM 27.2, 27.3), pure
 *   entry_state.c  the VMCS read back for them, before every entry
 *   names.c    VM-instruction errors and exit reasons as the SDM words them
 *   vmentry.S  the world switch (VMLAUNCH/VMRESUME and back)
 *
 * Guest CPU state under VMX: where each register a guest can set is kept,
 * so that no value passes from one VM to the next, nor into the host.
 * (SDM rev. 084 Vol. 3C; "cpu_state" = vmm/cpu/state.c, neutral.)
 *
 *   register                    kept per VM by                          SDM
 *   ──────────────────────────  ──────────────────────────────────────  ──────────
 *   RSP RIP RFLAGS              VMCS guest area                         25.4.1
 *   other GPRs                  struct vcpu_regs, vmentry.S             31.3
 *   CS DS ES SS FS GS LDTR TR   VMCS guest area; host's in the host     25.4.1,
 *   (with bases), GDTR IDTR     area                                    25.5
 *   CR0 CR3 CR4                 VMCS, guest/host masks + read shadows   25.6.6
 *   EFER                        VMCS, "load/save IA32_EFER"             25.7.1
 *   SYSENTER_CS/ESP/EIP         VMCS guest and host areas               25.4.1
 *   DR7, IA32_DEBUGCTL          VMCS, "load/save debug controls"; a     27.3.2.1,
 *                               VM exit sets DR7 to 0x400               28.3.1
 *   CR2                         guest_regs.c around the world switch    (not in VMCS)
 *   DR6                         guest_regs.c                            (not in VMCS)
 *   DR0-DR3                     cpu_state                               (not in VMCS)
 *   IA32_KERNEL_GS_BASE         guest_regs.c: SWAPGS changes it         (not in VMCS)
 *                               without an exit
 *   CR8 (TPR)                   "use TPR shadow": the VTPR of a         25.6.8,
 *                               virtual-APIC page per vCPU, threshold   30.3
 *                               0; the real TPR is never the guest's
 *   XCR0                        XSETBV always exits; emulated per VM    26.1.2
 *                               (vmm/cpu/xsetbv.c), loaded around entry
 *                               by cpu_state
 *   x87 SSE AVX MPX AVX-512     cpu_state: one XSAVE image per vCPU     (not in VMCS)
 *   PKRU                        (switched when another vCPU runs)
 *   every other MSR (STAR,      not writable: the MSR bitmaps are all   25.6.9
 *   LSTAR, CSTAR, SFMASK, PAT,  ones, every RDMSR/WRMSR exits and only
 *   TSC_AUX, TSC, APIC, ...)    EFER is emulated
 *   I/O ports                   the I/O bitmaps are all ones            25.6.4
 * RDTSCP/RDPID read the host's TSC_AUX, which memvisor never writes: a
 * guest reads it but no guest can change it.
 */
#ifndef MEMVISOR_VMX_VMX_H
#define MEMVISOR_VMX_VMX_H

#include "vmm/vm.h"
#include "vmm/vmx/vmcs.h"
#include "vmm/vmx/arch.h"
#include "vmm/vmx/entry_check.h"

/* What detection looks at, gathered so a test can feed in any machine.
 * The control MSRs hold the TRUE_* values when VMX_BASIC bit 55 says they
 * exist (SDM Vol. 3D A.2). */
struct vmx_caps {
	bool vmx;                 /* CPUID.1:ECX.VMX                          */
	uint32_t signature;       /* CPUID.1:EAX: family, model, stepping     */
	uint64_t feature_control; /* IA32_FEATURE_CONTROL                     */
	uint64_t basic;           /* IA32_VMX_BASIC                           */
	uint64_t pinbased, procbased, procbased2, exit, entry; /* A.3-A.5   */
	uint64_t misc;            /* IA32_VMX_MISC                            */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* A.7-A.8  */
	uint64_t ept_vpid;        /* IA32_VMX_EPT_VPID_CAP (0 without EPT)    */
	unsigned maxphyaddr;      /* CPUID 8000_0008h EAX[7:0]                */
};

/* The control fields every VMCS gets (controls.c). */
struct vmx_controls {
	uint32_t pinbased, procbased, procbased2, exit, entry;
};

void vmx_read_caps(struct vmx_caps *caps);
/* Returns 0 or -E_*; on error writes the message a user needs into msg. */
int vmx_check_caps(const struct vmx_caps *caps, char *msg, size_t size);

/* controls.c */
/* ORs in the bits `cap` says must be 1, keeps only those it allows to be 1
 * (SDM Vol. 3D A.3.1). Returns 0, or -E_NOT_SUPPORTED with the wanted
 * bits the CPU does not allow in *missing. */
int vmx_adjust_controls(uint32_t wanted, uint64_t cap, uint32_t *out, uint32_t *missing);
/* The CPU models whose VMX-preemption timer does not count at the rate
 * IA32_VMX_MISC gives (controls.c): memvisor does not use it there. */
bool vmx_preemption_timer_broken(uint32_t signature);
/* All five control fields for memvisor's guests; on error says which one. */
int vmx_compute_controls(const struct vmx_caps *caps, struct vmx_controls *out, char *msg, size_t size);

extern struct vmx_caps vmx_caps;
extern struct vmx_controls vmx_controls;
extern mpa_t vmx_io_bitmap_a, vmx_io_bitmap_b, vmx_msr_bitmaps;

static inline bool vmx_ept_ad(void) { return vmx_caps.ept_vpid & EPT_CAP_AD; }
static inline uint32_t vmx_revision(const struct vmx_caps *c) { return c->basic & VMX_BASIC_REVISION_MASK; }

struct vmx_vcpu {
	mpa_t vmcs_mpa;
	bool launched;      /* VMRESUME from now on (SDM 31.3 VMLAUNCH/VMRESUME) */
	enum vmx_status entry_status; /* of the last VMLAUNCH/VMRESUME      */
	uint64_t cr2;       /* VM exits do not save CR2: we do               */
	uint64_t dr6;       /* nor DR6 (guest_regs.c)                        */
	uint64_t kernel_gs_base, host_kernel_gs_base; /* nor this MSR       */
	mfn_t virtual_apic; /* its VTPR is the guest's CR8 (TPR shadow)      */
	uint64_t cr0_mask, cr4_mask; /* guest/host masks: bits the host owns  */
	uint64_t checked_at_writes; /* vmx_vmcs_writes at its last entry check */
};

/* The guest's segment registers as VMCS fields (SDM 25.4.1), in the
 * order ES, CS, SS, DS, FS, GS, LDTR, TR (vcpu.c). */
struct vmx_segment {
	const char *name;
	enum vmcs_field selector, base, limit, access_rights;
};
#define VMX_GUEST_SEGMENTS 8
extern const struct vmx_segment vmx_guest_segments[VMX_GUEST_SEGMENTS];

/* ept.c */
extern const struct npt_format vmx_ept_format;
uint64_t vmx_eptp(mfn_t root, bool ad);
int vmx_vm_init(struct vm *vm);
void vmx_vm_destroy(struct vm *vm);
int vmx_map(struct vm *vm, gfn_t gfn, mfn_t mfn, unsigned prot);
int vmx_unmap(struct vm *vm, gfn_t gfn);
int vmx_protect(struct vm *vm, gfn_t gfn, unsigned prot);
int vmx_test_and_clear_ad(struct vm *vm, gfn_t gfn);
int vmx_lookup(struct vm *vm, gfn_t gfn, mfn_t *mfn, unsigned *prot);
void vmx_flush(struct vm *vm);
/* INVEPT if vmx_flush() was called since the last entry of this VM. */
void vmx_flush_before_entry(struct vm *vm);
/* Prints the EPT entry at each level of the walk for gpa. */
void vmx_ept_print_walk(struct vm *vm, uint64_t gpa);

/* tlb.c: INVEPT/INVVPID types from IA32_VMX_EPT_VPID_CAP (0: none),
 * whether VPIDs are used, a vCPU's VPID, and its flush. */
uint64_t vmx_invept_type(const struct vmx_caps *caps);
uint64_t vmx_invvpid_type(const struct vmx_caps *caps);
bool vmx_vpid_usable(const struct vmx_caps *caps);
uint16_t vmx_vpid(const struct vm *vm);
/* INVVPID of this VM's linear and combined mappings; nothing without VPIDs. */
void vmx_flush_vpid(const struct vm *vm);

/* vcpu.c */
void vmx_load_vmcs(struct vcpu *vcpu); /* VMPTRLD unless it is current */
int vmx_vcpu_init(struct vcpu *vcpu, uint64_t entry_rip);
void vmx_vcpu_destroy(struct vcpu *vcpu);
void vmx_vcpu_run(struct vcpu *vcpu, struct exit_record *exit);
uint64_t vmx_get_control(struct vcpu *vcpu, enum vcpu_control_reg reg);
void vmx_set_control(struct vcpu *vcpu, enum vcpu_control_reg reg, uint64_t value);
void vmx_get_code_segment(struct vcpu *vcpu, struct vcpu_code_segment *cs);
void vmx_inject_exception(struct vcpu *vcpu, unsigned vector, int64_t error_code);
void vmx_single_step_trap(struct vcpu *vcpu);

/* guest_regs.c: what entry and exit do not switch (the table above).
 * init needs the vCPU's VMCS current. */
int vmx_guest_regs_init(struct vmx_vcpu *vv);
void vmx_guest_regs_destroy(struct vmx_vcpu *vv);
void vmx_guest_regs_enter(struct vcpu *vcpu, struct vmx_vcpu *vv);
void vmx_guest_regs_leave(struct vcpu *vcpu, struct vmx_vcpu *vv);
uint64_t vmx_guest_cr8(const struct vmx_vcpu *vv);


/* decode.c: the exit just taken (current VMCS) into a neutral record. */
void vmx_decode_exit(struct vcpu *vcpu, struct exit_record *e);
/* A VMLAUNCH/VMRESUME that did not enter the guest at all. */
void vmx_decode_entry_fail(enum vmx_status s, bool launched, struct exit_record *e);

/* entry_state.c: the current VMCS read back for the entry checks, and
 * (option entry_check) the check before VM entry: true, with *exit an
 * EXIT_ENTRY_FAILED naming the rule, when the state breaks one. */
void vmx_entry_state_read(struct vmx_entry_state *s, const struct vmx_vcpu *vv);
bool vmx_entry_refused(struct vmx_vcpu *vv, struct exit_record *exit);
const char *vmx_entry_check_vcpu(struct vcpu *vcpu, bool print_state); /* backend->entry_check */

/* dump.c */
void vmx_dump(struct vcpu *vcpu);

/* vmentry.S: loads the guest GPRs from regs, VMLAUNCH (launched = 0) or
 * VMRESUME, and on the VM exit stores them back. RSP, RIP and RFLAGS
 * travel in the VMCS. Returns VMX_OK after a VM exit, or the failure of
 * the instruction itself. */
enum vmx_status vmx_world_switch(struct vcpu_regs *regs, uint64_t launched);
extern char vmx_exit_rip[]; /* HOST_RIP: where VM exits land */

#endif
