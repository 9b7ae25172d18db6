/* vmm/backend.h — the one interface between the neutral core and a
 * hardware backend (vmm/svm/ for AMD SVM + NPT, vmm/vmx/ for Intel VT-x +
 * EPT). Nothing outside a backend's directory sees a VMCB, a VMCS, an NPT
 * or an EPT entry: the core speaks of vCPUs, exit records and gfns.
 *
 *   core (vmm/)                         backend (vmm/svm/, vmm/vmx/)
 *   ───────────────                    ───────────────────────────
 *   backend->detect()          ──►     CPUID, MSRs: is it there, usable?
 *   backend->enable()          ──►     EFER.SVME / VMXON
 *   backend->vcpu_init(vcpu)   ──►     VMCB / VMCS for the boot state
 *   backend->vcpu_run(vcpu, &exit) ──► VMRUN / VMLAUNCH; decode the exit
 *   backend->map(vm, gfn, mfn, prot) ► nested page tables
 *   backend->inject_exception(...) ──► EVENTINJ / VM-entry interruption info
 */
#ifndef MEMVISOR_VMM_BACKEND_H
#define MEMVISOR_VMM_BACKEND_H

#include "kernel/types.h"
#include "kernel/x86.h"

struct vm;
struct vcpu;

/* Why the guest stopped running: the neutral exit reasons. Each has one
 * handle_<reason>() in vmm/exit.c. */
enum exit_reason {
	EXIT_CPUID,        /* CPUID executed                                 */
	EXIT_IO,           /* IN/OUT to an intercepted port                  */
	EXIT_HLT,          /* HLT executed                                   */
	EXIT_HYPERCALL,    /* VMMCALL / VMCALL                               */
	EXIT_MSR,          /* RDMSR / WRMSR                                  */
	EXIT_INVD,         /* INVD: would drop dirty cache lines of everyone */
	EXIT_WBINVD,       /* WBINVD (and WBNOINVD): a flush of every cache  */
	EXIT_RDPMC,        /* RDPMC: the host's performance counters         */
	EXIT_CR_WRITE,     /* MOV to CR0/CR4, CLTS, LMSW changing a bit the
			    * host owns (VMX guest/host masks)              */
	EXIT_XSETBV,       /* XSETBV: the guest writes an XCR (vmm/cpu/xsetbv.c) */
	EXIT_NPF,          /* nested page fault / EPT violation              */
	EXIT_SHUTDOWN,     /* triple fault: the guest is dead                */
	EXIT_INTERRUPT,    /* a host interrupt (timer tick) arrived          */
	EXIT_ENTRY_FAILED, /* the CPU refused the guest state                */
	EXIT_UNEXPECTED,   /* anything else: the backend says what           */
	EXIT_REASON_COUNT
};

/* The reason's name as memvisor prints it ("cpuid", "npf", ...); "invalid"
 * for a value outside the enum (vmm/exit_reason.c). */
const char *exit_reason_name(enum exit_reason r);

/* Access rights of a nested mapping. */
#define NPT_READ BIT(0)
#define NPT_WRITE BIT(1)
#define NPT_EXEC BIT(2)
#define NPT_RWX (NPT_READ | NPT_WRITE | NPT_EXEC)

/* Accessed/dirty state of a nested mapping, read and cleared at once. */
#define NPT_ACCESSED BIT(0)
#define NPT_DIRTY BIT(1)

/* Control state the core may need (e.g. for handle_msr on EFER). */
enum vcpu_control_reg { VCPU_CR0, VCPU_CR3, VCPU_CR4, VCPU_EFER };

/* When memvisor writes a guest control register for it, the guest's own
 * MOV would have flushed its TLB entries in these cases (SDM Vol. 3A
 * 4.10.4.1, APM Vol. 2 5.5.2): a change of CR0.PG, WP or PE, any write of
 * CR3 (memvisor never writes a PCID no-flush CR3), any change of CR4. A
 * field written in the VMCS/VMCB does not flush, so both backends flush
 * the VM's tagged entries (VPID, ASID) when this says so. */
static inline bool control_write_flushes(enum vcpu_control_reg reg, uint64_t old, uint64_t value)
{
	switch (reg) {
	case VCPU_CR0: return (old ^ value) & (CR0_PE | CR0_WP | CR0_PG);
	case VCPU_CR3: return true;
	case VCPU_CR4: return old != value;
	case VCPU_EFER: return false;
	}
	return false;
}

/* How an EXIT_CR_WRITE instruction writes (SDM Vol. 3C Table 28-3). */
enum cr_access { CR_ACCESS_MOV_TO, CR_ACCESS_CLTS, CR_ACCESS_LMSW };

struct exit_record {
	enum exit_reason reason;
	/* Bytes to skip past the exiting instruction. 0 for an instruction
	 * exit means the hardware did not say (SVM without next-RIP save):
	 * the core decodes it from guest memory (vmm/cpu/emulate.c). */
	uint64_t insn_len;
	union {
		struct {
			uint16_t port;
			uint8_t size; /* 1, 2 or 4 bytes                     */
			bool in;      /* IN (true) or OUT (false)            */
			bool string;  /* INS/OUTS                            */
		} io;
		struct {
			uint64_t gpa;
			bool write;   /* the access was a write              */
			bool fetch;   /* an instruction fetch                */
			bool present; /* a mapping existed (rights fault)    */
		} npf;
		struct {
			uint32_t index;
			bool write;
		} msr;
		struct {
			enum vcpu_control_reg reg; /* VCPU_CR0 or VCPU_CR4     */
			enum cr_access access;
			uint64_t source;   /* the GPR (MOV) or LMSW's operand */
			/* Bits the guest may not set on this CPU, beyond the
			 * architectural ones (vmm/cpu/cr_write.c knows those). */
			uint64_t reserved;
		} cr;
	};
	/* EXIT_ENTRY_FAILED found by memvisor's own entry check (option
	 * entry_check) before the CPU saw the state: the rule the state
	 * breaks and its manual section. NULL when the CPU refused it. */
	const char *entry_check_rule;
	/* For diagnostics: the vendor's own numbers and a name for them. */
	uint64_t vendor_code, vendor_info1, vendor_info2;
	const char *vendor_name;
};

/* The general registers the core reads and writes. The backend moves them
 * to and from the hardware's save area around every run. */
struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rsp, rip, rflags;
};

/* A GPR by the number instructions encode it with (ModRM, REX; SDM Vol.
 * 2A Table 2-1, Vol. 3C Table 28-3): 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP,
 * 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15. */
static inline uint64_t vcpu_gpr(const struct vcpu_regs *r, unsigned n)
{
	const uint64_t by_number[16] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp, r->rsi, r->rdi,
					 r->r8,  r->r9,  r->r10, r->r11, r->r12, r->r13, r->r14, r->r15 };
	return by_number[n & 15];
}

/* The code segment, for reading the instruction at CS:RIP. */
struct vcpu_code_segment {
	uint64_t base;
	bool long_mode; /* CS.L with EFER.LMA: 64-bit code */
};

/* For inject_exception's error_code: the exception pushes none. The
 * vectors (VECTOR_GP, ...) are in kernel/x86.h. */
#define EXCEPTION_NO_ERROR_CODE (-1)

struct backend {
	const char *name; /* "svm" or "vmx" */
	/* Returns 0, or -E_* after printing what is missing and what to do. */
	int (*detect)(void);
	int (*enable)(void);

	/* Per VM: nested page tables (root allocated here). */
	int (*vm_init)(struct vm *vm);
	void (*vm_destroy)(struct vm *vm);
	int (*map)(struct vm *vm, gfn_t gfn, mfn_t mfn, unsigned prot);
	int (*unmap)(struct vm *vm, gfn_t gfn);
	int (*protect)(struct vm *vm, gfn_t gfn, unsigned prot);
	/* Returns NPT_ACCESSED/NPT_DIRTY as they were, and clears them; -E_*
	 * when gfn is not mapped. */
	int (*test_and_clear_ad)(struct vm *vm, gfn_t gfn);
	/* Looks up the current nested mapping: 0 with the frame and rights, or -E_NOT_FOUND. */
	int (*lookup)(struct vm *vm, gfn_t gfn, mfn_t *mfn, unsigned *prot);
	/* Drops cached gpa→mpa translations of this VM (TLB_CONTROL / INVEPT). */
	void (*flush)(struct vm *vm);

	/* Per vCPU: hardware state for the guest boot protocol. */
	int (*vcpu_init)(struct vcpu *vcpu, uint64_t entry_rip);
	void (*vcpu_destroy)(struct vcpu *vcpu);
	void (*vcpu_run)(struct vcpu *vcpu, struct exit_record *exit);
	uint64_t (*get_control)(struct vcpu *vcpu, enum vcpu_control_reg reg);
	void (*set_control)(struct vcpu *vcpu, enum vcpu_control_reg reg, uint64_t value);
	void (*get_code_segment)(struct vcpu *vcpu, struct vcpu_code_segment *cs);
	/* Delivers a hardware exception to the guest at its next entry, as if
	 * the instruction at RIP had raised it: error_code is pushed unless it
	 * is EXCEPTION_NO_ERROR_CODE. */
	void (*inject_exception)(struct vcpu *vcpu, unsigned vector, int64_t error_code);
	/* The single-step #DB (DR6.BS) owed after an instruction the core
	 * emulated with RFLAGS.TF = 1, delivered at the next entry. */
	void (*single_step_trap)(struct vcpu *vcpu);
	/* Prints guest and control state for a diagnostic. */
	void (*dump)(struct vcpu *vcpu);
	/* The VM-entry checks (vmm/svm/entry_check.c, vmm/vmx/entry_check.c)
	 * on the state the vCPU's next entry would use, whatever option
	 * entry_check says: NULL when it passes, else the rule it breaks and
	 * the manual's section. print_state also prints that state as KTAP
	 * comment lines "# entry-state: ..." in the form tests/unit/data/
	 * keeps, so that a run's real states become unit-test data. */
	const char *(*entry_check)(struct vcpu *vcpu, bool print_state);
};

/* The backend chosen at boot, or NULL (vmm/backend.c). */
extern const struct backend *backend;

extern const struct backend svm_backend;
extern const struct backend vmx_backend;

#endif
