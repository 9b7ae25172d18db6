/* vmm/svm/svm.h — what the SVM backend's files share among themselves.
 *
 * Guest CPU state under SVM: where each register a guest can set is kept,
 * so that no value passes from one VM to the next, nor into the host.
 * (APM Vol. 2 rev. 3.42; "cpu_state" = vmm/cpu/state.c, neutral.)
 *
 *   register                    kept per VM by                          APM
 *   ──────────────────────────  ──────────────────────────────────────  ─────────
 *   RAX RSP RIP RFLAGS          VMCB save area (VMRUN/#VMEXIT)          15.5.1
 *   RBX RCX RDX RSI RDI RBP     struct vcpu_regs, vmrun.S               15.5.1
 *   R8-R15
 *   CS DS ES SS, GDTR IDTR,     VMCB save area                          15.5.1
 *   CR0 CR3 CR4 EFER, CPL
 *   CR2                         VMCB save area, and loaded/read back by 15.5.1
 *                               hand (Bochs' SVM does not switch it)
 *   DR6 DR7                     VMCB save area; host values written     15.5.1
 *                               back after #VMEXIT (cpu_state)
 *   DR0-DR3                     cpu_state: vcpu->cpu.dr around VMRUN    (not in VMCB)
 *   CR8 (TPR)                   V_TPR in the VMCB: with V_INTR_MASKING  15.21
 *                               the guest's CR8 writes only V_TPR, the
 *                               host TPR is untouched
 *   FS GS (with bases) TR LDTR, VMCB, moved by VMLOAD/VMSAVE; the       15.5.2
 *   KernelGSBase, STAR LSTAR    host's own in host_vmcb (vmrun.S)
 *   CSTAR SFMASK, SYSENTER_*
 *   PAT                         G_PAT in the VMCB (nested paging)       15.25
 *   XCR0                        XSETBV intercepted (INTERCEPT_XSETBV),  15.9,
 *                               emulated per VM (vmm/cpu/xsetbv.c), loaded  appendix C
 *                               around VMRUN by cpu_state, read back
 *                               after #VMEXIT (QEMU 7.2's TCG ignores
 *                               the intercept: the guest writes XCR0)
 *   x87 SSE AVX MPX AVX-512     cpu_state: one XSAVE image per vCPU,    (not in VMCB)
 *   PKRU                        switched when another vCPU runs
 *   every other MSR (TSC,       not writable: the MSR permission map    15.11
 *   TSC_AUX, DEBUGCTL, PAT,     is all ones, every RDMSR/WRMSR exits
 *   APIC, ...)                  and only EFER is emulated
 *   I/O ports                   the I/O permission map is all ones      15.10
 * RDTSCP/RDPID read the host's TSC_AUX, which memvisor never writes: a
 * guest reads it but no guest can change it.
 */
#ifndef MEMVISOR_SVM_SVM_H
#define MEMVISOR_SVM_SVM_H

#include "vmm/vm.h"
#include "vmm/svm/vmcb.h"
#include "vmm/svm/entry_check.h"

/* What detection looks at, gathered so a test can feed in any machine. */
struct svm_caps {
	bool svm;           /* CPUID 8000_0001h ECX.SVM              */
	bool disabled;      /* VM_CR.SVMDIS: locked off by firmware   */
	bool nested_paging; /* CPUID 8000_000Ah EDX.NP               */
	bool nrip_save;     /* CPUID 8000_000Ah EDX.NRIPS            */
	bool flush_by_asid; /* CPUID 8000_000Ah EDX.FlushByAsid      */
	bool decode_assists; /* CPUID 8000_000Ah EDX.DecodeAssists   */
	uint32_t asids;     /* CPUID 8000_000Ah EBX                  */
	unsigned maxphyaddr; /* CPUID 8000_0008h EAX[7:0]            */
};

void svm_read_caps(struct svm_caps *caps);
/* Returns 0 or -E_*; on error writes the message a user needs into msg. */
int svm_check_caps(const struct svm_caps *caps, char *msg, size_t size);

extern struct svm_caps svm_caps;
extern struct svm_entry_caps svm_entry_caps; /* from svm_caps, at enable */
extern mpa_t svm_iopm, svm_msrpm;

struct svm_vcpu {
	struct vmcb *vmcb;
	mpa_t vmcb_mpa;
	mpa_t host_vmcb_mpa; /* where VMSAVE keeps the host's FS/GS/TR/... */
};

/* vmm/svm/npt.c */
extern const struct npt_format svm_npt_format;
int svm_vm_init(struct vm *vm);
void svm_vm_destroy(struct vm *vm);
int svm_map(struct vm *vm, gfn_t gfn, mfn_t mfn, unsigned prot);
int svm_unmap(struct vm *vm, gfn_t gfn);
int svm_protect(struct vm *vm, gfn_t gfn, unsigned prot);
int svm_test_and_clear_ad(struct vm *vm, gfn_t gfn);
int svm_lookup(struct vm *vm, gfn_t gfn, mfn_t *mfn, unsigned *prot);
void svm_flush(struct vm *vm);
bool svm_take_flush(struct vm *vm); /* true once after svm_flush() */
uint32_t svm_asid(const struct vm *vm);

/* vmm/svm/cr4.c: CR4 bits the guest may not set (its CPUID lacks them). */
uint64_t svm_cr4_reserved(void);

/* vmm/svm/vcpu.c */
int svm_vcpu_init(struct vcpu *vcpu, uint64_t entry_rip);
void svm_vcpu_destroy(struct vcpu *vcpu);
void svm_vcpu_run(struct vcpu *vcpu, struct exit_record *exit);
/* The #VMEXIT in vmcb as an exit record; regs are the guest's GPRs (RAX
 * already from the VMCB), for the decode-assisted MOV to CRx. */
void svm_decode_exit(struct exit_record *e, const struct vmcb *vmcb, const struct vcpu_regs *regs);
uint64_t svm_get_control(struct vcpu *vcpu, enum vcpu_control_reg reg);
void svm_set_control(struct vcpu *vcpu, enum vcpu_control_reg reg, uint64_t value);
void svm_get_code_segment(struct vcpu *vcpu, struct vcpu_code_segment *cs);
void svm_inject_exception(struct vcpu *vcpu, unsigned vector, int64_t error_code);
void svm_single_step_trap(struct vcpu *vcpu);
void svm_dump(struct vcpu *vcpu);
/* vmm/svm/entry_state.c: the VMCB against the VMRUN checks. refused: true,
 * with *exit an EXIT_ENTRY_FAILED naming the rule, when it breaks one. */
bool svm_entry_refused(const struct vmcb *v, struct exit_record *exit);
const char *svm_entry_check_vcpu(struct vcpu *vcpu, bool print_state);
/* The APM's name of a #VMEXIT code (names.c). */
const char *svm_exit_name(uint64_t code);


/* vmm/svm/vmrun.S: loads the guest GPRs from regs, runs the guest, stores
 * them back. RAX, RSP, RIP and RFLAGS travel in the VMCB instead. */
void svm_world_switch(struct vcpu_regs *regs, uint64_t guest_vmcb_mpa, uint64_t host_vmcb_mpa);

#endif
