/* vmm/cpu/emulate.c — instruction lengths from guest memory, completion with
 * the single-step trap, faults (emulate.h).
 * See: SDM (rev. 084) Vol. 2A 2.3.11 (15-byte limit), Vol. 3A 18.3.1.4;
 * APM Vol. 2 15.7.1. */
#include "vmm/cpu/emulate.h"
#include "vmm/cpu/cr_write.h"
#include "vmm/cpu/guest_walk.h"
#include "vmm/cpu/insn_decode.h"
#include "vmm/mm/memory.h"
#include "kernel/errno.h"
#include "kernel/x86.h"


static int read_entry(void *ctx, uint64_t gpa, uint64_t *value)
{
	return vm_gpa_read(ctx, gpa, value, sizeof(*value));
}

int emulate_read_linear(struct vcpu *vcpu, uint64_t linear, void *buf, size_t len, const char **why)
{
	struct guest_paging p = {
		.cr0 = backend->get_control(vcpu, VCPU_CR0), .cr3 = backend->get_control(vcpu, VCPU_CR3),
		.cr4 = backend->get_control(vcpu, VCPU_CR4), .efer = backend->get_control(vcpu, VCPU_EFER),
	};
	uint8_t *out = buf;
	while (len) { /* page by page: the next page may map anywhere */
		uint64_t gpa, n = MIN(len, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));
		int rc = guest_walk(&p, linear, read_entry, vcpu->vm, &gpa, why);
		if (rc)
			return rc;
		if (vm_gpa_read(vcpu->vm, gpa, out, n)) {
			*why = "it lies outside the VM's memory";
			return -E_RANGE;
		}
		out += n;
		linear += n;
		len -= n;
	}
	return 0;
}

/* The instruction each instruction exit stands for. */
static bool expected_op(const struct exit_record *exit, enum insn_op op)
{
	switch (exit->reason) {
	case EXIT_CPUID: return op == INSN_CPUID;
	case EXIT_HLT: return op == INSN_HLT;
	case EXIT_HYPERCALL: return op == INSN_VMMCALL || op == INSN_VMCALL;
	case EXIT_MSR: return op == (exit->msr.write ? INSN_WRMSR : INSN_RDMSR);
	case EXIT_INVD: return op == INSN_INVD;
	/* QEMU 7.2 TCG reports INVD with the WBINVD exit code (its translator
	 * tests the wrong opcode bit). memvisor does the same for both (a
	 * no-op, vmm/exit.c), so either is accepted for the length. */
	case EXIT_WBINVD: return op == INSN_WBINVD || op == INSN_INVD;
	case EXIT_RDPMC: return op == INSN_RDPMC;
	case EXIT_XSETBV: return op == INSN_XSETBV;
	case EXIT_CR_WRITE:
		return op == INSN_MOV_TO_CR || (exit->cr.reg == VCPU_CR0 && (op == INSN_CLTS || op == INSN_LMSW));
	default: return false; /* the others carry their length or have none */
	}
}

/* Up to 15 bytes at CS:RIP; fewer when the page after RIP's is not mapped
 * (the decoder then says whether the instruction needed them). */
static int fetch(struct vcpu *vcpu, uint8_t *bytes, size_t *got, bool *long_mode, const char **why)
{
	struct vcpu_code_segment cs;
	backend->get_code_segment(vcpu, &cs);
	*long_mode = cs.long_mode;
	uint64_t linear = cs.base + vcpu->regs.rip;
	if (!cs.long_mode)
		linear &= UINT32_MAX; /* SDM Vol. 3A 3.4: 32-bit linear addresses */
	uint64_t first = MIN((uint64_t)INSN_MAX_BYTES, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));
	int rc = emulate_read_linear(vcpu, linear, bytes, first, why);
	if (rc)
		return rc;
	*got = first;
	if (first < INSN_MAX_BYTES && !emulate_read_linear(vcpu, linear + first, bytes + first,
							    INSN_MAX_BYTES - first, why))
		*got = INSN_MAX_BYTES;
	return 0;
}

bool emulate_needs_length(const struct exit_record *exit)
{
	switch (exit->reason) {
	case EXIT_CPUID: case EXIT_HLT: case EXIT_HYPERCALL: case EXIT_MSR:
	case EXIT_INVD: case EXIT_WBINVD: case EXIT_RDPMC: case EXIT_CR_WRITE: case EXIT_XSETBV:
		return exit->insn_len == 0;
	default:
		return false; /* I/O exits always carry their length */
	}
}

/* Without decode assists (APM 15.33), and for LMSW and CLTS even with
 * them (vmm/svm/vcpu.c), an SVM CR-write exit names the register but not
 * how it was written: the decoded instruction says. */
static bool cr_write_operands(struct vcpu *vcpu, struct exit_record *exit, const struct insn *insn)
{
	unsigned cr = exit->cr.reg == VCPU_CR0 ? 0 : 4; /* the two that exit */
	switch (insn->op) {
	case INSN_CLTS: exit->cr.access = CR_ACCESS_CLTS; return true;
	case INSN_LMSW:
		exit->cr.access = CR_ACCESS_LMSW;
		exit->cr.source = vcpu_gpr(&vcpu->regs, insn->gpr);
		return true;
	default: break;
	}
	if (insn->cr != cr) {
		vm_stop(vcpu->vm, "the MOV at rip=%#llx writes CR%u, but the CPU exited on a write to CR%u",
			(unsigned long long)vcpu->regs.rip, insn->cr, cr);
		return false;
	}
	exit->cr.access = CR_ACCESS_MOV_TO;
	exit->cr.source = vcpu_gpr(&vcpu->regs, insn->gpr);
	return true;
}

bool emulate_insn_length(struct vcpu *vcpu, struct exit_record *exit)
{
	uint8_t bytes[INSN_MAX_BYTES] = { 0 };
	size_t got;
	bool long_mode;
	const char *why;
	unsigned long long rip = vcpu->regs.rip;
	if (fetch(vcpu, bytes, &got, &long_mode, &why)) {
		vm_stop(vcpu->vm, "cannot read the %s instruction at rip=%#llx: %s", exit_reason_name(exit->reason),
			rip, why);
		return false;
	}
	struct insn insn;
	int rc = insn_decode(bytes, got, long_mode, &insn);
	if (rc == -E_RANGE) { /* what the CPU does with such bytes */
		emulate_fault(vcpu, VECTOR_GP, 0);
		return false;
	}
	if (rc || !expected_op(exit, insn.op)) {
		vm_stop(vcpu->vm, "the bytes at rip=%#llx (%02x %02x %02x %02x ...) decode to %s, not the %s the CPU "
				  "exited on", rip, bytes[0], bytes[1], bytes[2], bytes[3], insn_op_name(insn.op),
			exit_reason_name(exit->reason));
		return false;
	}
	if (exit->reason == EXIT_CR_WRITE && !cr_write_operands(vcpu, exit, &insn))
		return false;
	exit->insn_len = insn.len;
	return true;
}

void emulate_complete(struct vcpu *vcpu, const struct exit_record *exit)
{
	vcpu->regs.rip += exit->insn_len;
	if (vcpu->regs.rflags & RFLAGS_TF)
		backend->single_step_trap(vcpu);
}

/* In real mode no exception pushes an error code (SDM Vol. 3B, "8086
 * Emulation", interrupt and exception handling); VMX would even refuse
 * the entry (SDM Vol. 3C 27.2.1.3). */
void emulate_fault(struct vcpu *vcpu, unsigned vector, int64_t error_code)
{
	if (!(backend->get_control(vcpu, VCPU_CR0) & CR0_PE))
		error_code = EXCEPTION_NO_ERROR_CODE;
	backend->inject_exception(vcpu, vector, error_code);
}
