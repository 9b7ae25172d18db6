/* vmm/exit.c — exit dispatch: one handle_<reason>() per neutral exit reason.
 * The backend has already turned the vendor's exit code into an
 * exit_record; nothing here knows whether it came from a VMCB or a VMCS. */
#include "vmm/exit.h"
#include "vmm/cpu/cr_write.h"
#include "vmm/cpu/emulate.h"
#include "vmm/mm/memory.h"
#include "kernel/errno.h"
#include "kernel/printf.h"
#include "kernel/x86.h"

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
			vm_log_guest(vm, "waits for a machine frame%s (gpa %#llx, wait %llu)",
				     vm_memory_at_limit(vm) ? " at its limit" : "", (unsigned long long)exit->npf.gpa,
				     (unsigned long long)vm->stats.memory_waits + 1);
		vm->waiting = true;
		vm->stats.memory_waits++;
	}
	else if (rc == -E_AGAIN)
		; /* a swap-in's read in flight: the VM waits off the CPU (vmm/swap/read_wait.c), then retries */
	else if (rc == -E_CORRUPT || rc == -E_IO)
		; /* a damaged compressed or swapped page, or a swap read error: the VM is stopped, saying which */
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
#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)

static void handle_msr(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vcpu_regs *r = &vcpu->regs;
	if (exit->msr.index != MSR_IA32_EFER) {
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
	emulate_complete(vcpu, exit);
}

/* WBINVD writes back and invalidates every cache of the machine: a long,
 * uninterruptible stall of the host and every other VM, for nothing the
 * guest can see — its memory is ordinary write-back RAM, coherent with
 * the CPU, and no device of its own reads it behind the caches. So it is
 * a no-op here (WBNOINVD, F3 0F 09, exits the same way).
 * See: SDM Vol. 2D WBINVD; APM Vol. 2 15.9 (intercept vector 4 bit 9). */
static void handle_wbinvd(struct vcpu *vcpu, const struct exit_record *exit)
{
	emulate_complete(vcpu, exit);
}

/* INVD invalidates the caches *without* writing them back: on the machine
 * it would throw away dirty lines of memvisor and of other VMs. It never
 * reaches the hardware. The guest gets what WBINVD gives: the SDM only
 * promises that the caches are invalid afterwards, and a guest cannot
 * rely on losing its own writes (the lines may have been evicted, i.e.
 * written back, at any time before). Like WBINVD here, a no-op.
 * See: SDM Vol. 2A INVD; Vol. 3C 26.1.2 (INVD always exits). */
static void handle_invd(struct vcpu *vcpu, const struct exit_record *exit)
{
	emulate_complete(vcpu, exit);
}

/* memvisor does not virtualise performance counters: the host's would
 * show other VMs' and memvisor's own activity (a side channel), and made-
 * up zeros would look like counters that never count. RDPMC with a
 * counter the CPU does not have raises #GP(0): the guest sees none.
 * See: SDM Vol. 2B RDPMC ("#GP(0) if ECX specifies an unsupported
 * counter"); Vol. 3C 26.1.3 (RDPMC exiting). */
static void handle_rdpmc(struct vcpu *vcpu, const struct exit_record *exit)
{
	(void)exit;
	emulate_fault(vcpu, VECTOR_GP, 0);
}

static uint64_t written_value(struct vcpu *vcpu, const struct exit_record *exit)
{
	uint64_t cr0 = backend->get_control(vcpu, VCPU_CR0);
	switch (exit->cr.access) {
	case CR_ACCESS_CLTS: return cr0_after_clts(cr0);
	case CR_ACCESS_LMSW: return cr0_after_lmsw(cr0, exit->cr.source);
	case CR_ACCESS_MOV_TO: break;
	}
	return exit->cr.source;
}

/* MOV to CR0/CR4, CLTS, LMSW that changed a host-owned bit (VMX): checked
 * as the CPU checks them (vmm/cpu/cr_write.c); a bad one is #GP(0) with RIP on
 * the instruction, a good one is written as the guest sees it (the
 * backend keeps the bits VMX needs set underneath). */
static void handle_cr_write(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vcpu_code_segment cs;
	backend->get_code_segment(vcpu, &cs);
	struct cr_state s = {
		.cr0 = backend->get_control(vcpu, VCPU_CR0), .cr3 = backend->get_control(vcpu, VCPU_CR3),
		.cr4 = backend->get_control(vcpu, VCPU_CR4), .efer = backend->get_control(vcpu, VCPU_EFER),
		.code64 = cs.long_mode,
	};
	uint64_t value = written_value(vcpu, exit), result = 0;
	const char *why = "";
	int rc;
	if (exit->cr.reg == VCPU_CR0)
		rc = cr0_write_check(&s, value, exit->cr.reserved, &result, &why);
	else if (exit->cr.reg == VCPU_CR4)
		rc = cr4_write_check(&s, value, exit->cr.reserved, &result, &why);
	else {
		vm_stop(vcpu->vm, "a write to control register %d is not emulated (rip=%#llx)", (int)exit->cr.reg,
			(unsigned long long)vcpu->regs.rip);
		return;
	}
	if (rc == -E_INVAL) {
		emulate_fault(vcpu, VECTOR_GP, 0); /* as the CPU would: RIP stays */
		return;
	}
	if (rc) {
		vm_stop(vcpu->vm, "write of %#llx to CR%d at rip=%#llx: %s", (unsigned long long)value,
			exit->cr.reg == VCPU_CR0 ? 0 : 4, (unsigned long long)vcpu->regs.rip, why);
		return;
	}
	backend->set_control(vcpu, exit->cr.reg, result);
	emulate_complete(vcpu, exit);
}

static void handle_entry_failed(struct vcpu *vcpu, const struct exit_record *exit)
{
	backend->dump(vcpu);
	if (exit->entry_check_rule) {
		vm_stop(vcpu->vm, "entry check: not entering a state the manuals forbid: %s", exit->entry_check_rule);
		return;
	}
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
	[EXIT_INVD] = handle_invd,
	[EXIT_WBINVD] = handle_wbinvd,
	[EXIT_RDPMC] = handle_rdpmc,
	[EXIT_CR_WRITE] = handle_cr_write,
	[EXIT_XSETBV] = handle_xsetbv,
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
	if (emulate_needs_length(exit)) {
		struct exit_record decoded = *exit;
		if (emulate_insn_length(vcpu, &decoded))
			handlers[exit->reason](vcpu, &decoded);
		return;
	}
	handlers[exit->reason](vcpu, exit);
}
