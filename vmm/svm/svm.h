/* vmm/svm/svm.h — what the SVM backend's files share among themselves. */
#ifndef MEMVISOR_SVM_SVM_H
#define MEMVISOR_SVM_SVM_H

#include "../vm.h"
#include "vmcb.h"

/* What detection looks at, gathered so a test can feed in any machine. */
struct svm_caps {
	bool svm;           /* CPUID 8000_0001h ECX.SVM              */
	bool disabled;      /* VM_CR.SVMDIS: locked off by firmware   */
	bool nested_paging; /* CPUID 8000_000Ah EDX.NP               */
	bool nrip_save;     /* CPUID 8000_000Ah EDX.NRIPS            */
	uint32_t asids;     /* CPUID 8000_000Ah EBX                  */
};

void svm_read_caps(struct svm_caps *caps);
/* Returns 0 or -E_*; on error writes the message a user needs into msg. */
int svm_check_caps(const struct svm_caps *caps, char *msg, size_t size);

extern struct svm_caps svm_caps;
extern mpa_t svm_iopm, svm_msrpm;

struct svm_vcpu {
	struct vmcb *vmcb;
	mpa_t vmcb_mpa;
	mpa_t host_vmcb_mpa; /* where VMSAVE keeps the host's FS/GS/TR/... */
};

/* vmm/svm/npt.c */
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
uint64_t svm_get_control(struct vcpu *vcpu, enum vcpu_control_reg reg);
void svm_set_control(struct vcpu *vcpu, enum vcpu_control_reg reg, uint64_t value);
void svm_get_code_segment(struct vcpu *vcpu, struct vcpu_code_segment *cs);
void svm_inject_exception(struct vcpu *vcpu, unsigned vector, int64_t error_code);
void svm_single_step_trap(struct vcpu *vcpu);
void svm_dump(struct vcpu *vcpu);

/* vmm/svm/vmrun.S: loads the guest GPRs from regs, runs the guest, stores
 * them back. RAX, RSP, RIP and RFLAGS travel in the VMCB instead. */
void svm_world_switch(struct vcpu_regs *regs, uint64_t guest_vmcb_mpa, uint64_t host_vmcb_mpa);

#endif
