/* vmm/exit.c — exit dispatch: one handle_<reason>() per neutral exit reason.
 * The backend has already turned the vendor's exit code into an
 * exit_record; nothing here knows whether it came from a VMCB or a VMCS. */
#include "exit.h"
#include "memory.h"
#include "../kernel/errno.h"
#include "../kernel/printf.h"

static const char *const reason_names[EXIT_REASON_COUNT] = {
	[EXIT_CPUID] = "cpuid", [EXIT_IO] = "io", [EXIT_HLT] = "hlt",
	[EXIT_HYPERCALL] = "hypercall", [EXIT_MSR] = "msr", [EXIT_NPF] = "npf",
	[EXIT_SHUTDOWN] = "shutdown", [EXIT_INTERRUPT] = "interrupt",
	[EXIT_ENTRY_FAILED] = "entry-failed", [EXIT_UNEXPECTED] = "unexpected",
};

const char *exit_reason_name(enum exit_reason r)
{
	return r < EXIT_REASON_COUNT ? reason_names[r] : "invalid";
}

static void handle_hlt(struct vcpu *vcpu, const struct exit_record *exit)
{
	/* Guests get no virtual interrupts yet, so nothing would wake it. */
	vcpu->regs.rip += exit->insn_len;
	vm_stop(vcpu->vm, "HLT with no interrupt to wake it (rip=%#llx)", (unsigned long long)vcpu->regs.rip);
}

#define WAIT_LOG_EVERY 100 /* a VM short of memory says so, but not for every fault */

static void handle_npf(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vm *vm = vcpu->vm;
	int rc = vm_memory_fault(vm, exit->npf.gpa, exit->npf.write);
	if (rc == -E_RANGE)
		vm_stop(vm, "touched gpa %#llx outside its %llu KiB of memory (rip=%#llx, %s)",
			(unsigned long long)exit->npf.gpa, (unsigned long long)(vm->mem_bytes / KiB),
			(unsigned long long)vcpu->regs.rip, exit->npf.fetch ? "fetch" : exit->npf.write ? "write" : "read");
	else if (rc == -E_NO_MEMORY) {
		/* Memory state low: the access is retried once a frame is free
		 * (the RIP still points at it); until then the VM is not run. */
		if (!vm->waiting && vm->stats.memory_waits % WAIT_LOG_EVERY == 0)
			vm_log_guest(vm, "waits for a machine frame (gpa %#llx, wait %llu)", (unsigned long long)exit->npf.gpa,
			       (unsigned long long)vm->stats.memory_waits + 1);
		vm->waiting = true;
		vm->stats.memory_waits++;
	}
	else if (rc == -E_CORRUPT)
		; /* a damaged compressed page: zswap has stopped the VM, saying which */
	else if (rc == -E_NOT_IMPLEMENTED)
		vm_stop(vm, "cannot map gpa %#llx: a lab exercise on the way is not written yet (docs/labs/)",
			(unsigned long long)exit->npf.gpa);
	else if (rc)
		vm_stop(vm, "cannot map gpa %#llx (error %d)", (unsigned long long)exit->npf.gpa, rc);
}

static void handle_shutdown(struct vcpu *vcpu, const struct exit_record *exit)
{
	(void)exit;
	vm_stop(vcpu->vm, "triple fault (shutdown) at rip=%#llx", (unsigned long long)vcpu->regs.rip);
}

static void handle_interrupt(struct vcpu *vcpu, const struct exit_record *exit)
{
	/* The host's handler has already run (the tick was counted); the run
	 * loop decides whether this VM's slice is over. */
	(void)vcpu;
	(void)exit;
}

/* The guest runtime only needs EFER (to enter long mode). */
#define MSR_EFER 0xc0000080u
#define EFER_GUEST_WRITABLE (BIT(0) | BIT(8) | BIT(11)) /* SCE, LME, NXE */

static void handle_msr(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vcpu_regs *r = &vcpu->regs;
	if (exit->msr.index != MSR_EFER) {
		vm_stop(vcpu->vm, "%s of MSR %#x, which memvisor does not emulate (rip=%#llx)",
			exit->msr.write ? "WRMSR" : "RDMSR", exit->msr.index, (unsigned long long)r->rip);
		return;
	}
	uint64_t efer = backend->get_control(vcpu, VCPU_EFER);
	if (exit->msr.write) {
		uint64_t v = (r->rdx << 32) | (uint32_t)r->rax;
		backend->set_control(vcpu, VCPU_EFER, (efer & ~EFER_GUEST_WRITABLE) | (v & EFER_GUEST_WRITABLE));
	} else {
		uint64_t shown = efer & (EFER_GUEST_WRITABLE | BIT(10)); /* LMA is readable */
		r->rax = (uint32_t)shown;
		r->rdx = shown >> 32;
	}
	r->rip += exit->insn_len;
}

static void handle_entry_failed(struct vcpu *vcpu, const struct exit_record *exit)
{
	backend->dump(vcpu);
	vm_stop(vcpu->vm, "the CPU refused to enter the guest (%s, code %#llx)", exit->vendor_name,
		(unsigned long long)exit->vendor_code);
}

static void handle_unexpected(struct vcpu *vcpu, const struct exit_record *exit)
{
	backend->dump(vcpu);
	vm_stop(vcpu->vm, "unexpected exit %s (code %#llx, info %#llx %#llx)", exit->vendor_name,
		(unsigned long long)exit->vendor_code, (unsigned long long)exit->vendor_info1,
		(unsigned long long)exit->vendor_info2);
}

typedef void (*exit_handler_t)(struct vcpu *, const struct exit_record *);

static const exit_handler_t handlers[EXIT_REASON_COUNT] = {
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_IO] = handle_io,
	[EXIT_HLT] = handle_hlt,
	[EXIT_HYPERCALL] = handle_hypercall,
	[EXIT_MSR] = handle_msr,
	[EXIT_NPF] = handle_npf,
	[EXIT_SHUTDOWN] = handle_shutdown,
	[EXIT_INTERRUPT] = handle_interrupt,
	[EXIT_ENTRY_FAILED] = handle_entry_failed,
	[EXIT_UNEXPECTED] = handle_unexpected,
};

void exit_dispatch(struct vcpu *vcpu, const struct exit_record *exit)
{
	if (exit->reason >= EXIT_REASON_COUNT) {
		handle_unexpected(vcpu, exit);
		return;
	}
	vcpu->exits[exit->reason]++;
	handlers[exit->reason](vcpu, exit);
}
