/* vmm/svm/vcpu.c — a vCPU as a VMCB: the boot state, running it, and
 * turning #VMEXIT codes into neutral exit records.
 * See: APM Vol. 2 15.5 (VMRUN), 15.9-15.13 (intercepts), 15.25 (NPT),
 * appendix C (exit codes). */
#include "vmm/svm/svm.h"
#include "kernel/cpu_regs.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/x86.h"
#include "vmm/cpu/boot_segments.h"
#include "vmm/cpu/regs_frame.h"




static struct svm_vcpu svm_vcpus[VM_MAX];

static struct svm_vcpu *arch(struct vcpu *v) { return v->arch; }

static struct vmcb_segment flat(uint16_t selector, uint16_t type)
{
	return (struct vmcb_segment){ selector, type | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G,
				      FLAT_LIMIT, 0 };
}

/* The boot protocol's state (vmm/hypercall_abi.h): 32-bit protected mode,
 * flat segments, paging off. */
static void vmcb_boot_state(struct vmcb_save *s, uint64_t rip)
{
	s->cs = flat(BOOT_CS, SEG_ATTR_TYPE_CODE_XR_ACCESSED);
	s->ds = s->es = s->ss = s->fs = s->gs = flat(BOOT_DS, SEG_ATTR_TYPE_DATA_RW_ACCESSED);
	s->tr = (struct vmcb_segment){ BOOT_TR, SEG_ATTR_TYPE_TSS_BUSY | SEG_ATTR_P, TSS_LIMIT, 0 };
	s->gdtr.limit = s->idtr.limit = 0xffff;
	s->cr0 = CR0_PE | CR0_ET | CR0_NE;
	s->efer = EFER_SVME; /* required while in guest mode (APM 15.5.1) */
	s->rflags = RFLAGS_FIXED;
	s->rip = rip;
	s->dr6 = DR6_INIT;
	s->dr7 = DR7_INIT;
	s->g_pat = PAT_POWER_ON;
	s->cpl = 0;
}

static void vmcb_controls(struct vmcb_control *c, struct vm *vm)
{
	/* INVD, WBINVD and RDPMC would reach the machine's caches and
	 * counters: they exit (vmm/exit.c says what the guest gets). */
	c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_RDPMC | INTERCEPT_CPUID | INTERCEPT_INVD |
			     INTERCEPT_HLT | INTERCEPT_IOIO_PROT | INTERCEPT_MSR_PROT | INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
			     INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT | INTERCEPT_WBINVD |
			     INTERCEPT_XSETBV;
	c->intercept_cr = INTERCEPT_CR0_WRITE | INTERCEPT_CR4_WRITE; /* see cr4.c */
	c->iopm_base_pa = svm_iopm.raw;
	c->msrpm_base_pa = svm_msrpm.raw;
	c->asid = svm_asid(vm);
	c->int_ctl = V_INTR_MASKING; /* V_TPR = 0: the guest's CR8 lives here (APM 15.21) */
	c->np_control = NP_ENABLE;
	c->n_cr3 = mfn_to_mpa(vm->npt.root).raw;
}

int svm_vcpu_init(struct vcpu *vcpu, uint64_t entry_rip)
{
	struct svm_vcpu *sv = &svm_vcpus[vcpu->vm->id - 1];
	mfn_t guest, host;
	if (mem_try_alloc_zeroed(&guest))
		return -E_NO_MEMORY;
	if (mem_try_alloc_zeroed(&host)) {
		mem_free_frame(guest);
		return -E_NO_MEMORY;
	}
	if (cpu_state_vcpu_init(vcpu)) {
		mem_free_frame(guest);
		mem_free_frame(host);
		return -E_NO_MEMORY;
	}
	sv->vmcb_mpa = mfn_to_mpa(guest);
	sv->host_vmcb_mpa = mfn_to_mpa(host);
	sv->vmcb = mfn_to_virt(guest);
	vcpu->arch = sv;
	vmcb_controls(&sv->vmcb->control, vcpu->vm);
	vmcb_boot_state(&sv->vmcb->save, entry_rip);
	vcpu->regs = (struct vcpu_regs){ .rip = entry_rip, .rflags = RFLAGS_FIXED };
	return 0;
}

void svm_vcpu_destroy(struct vcpu *vcpu)
{
	mem_free_frame(mpa_to_mfn(arch(vcpu)->vmcb_mpa));
	mem_free_frame(mpa_to_mfn(arch(vcpu)->host_vmcb_mpa));
	cpu_state_vcpu_destroy(vcpu);
	vcpu->arch = NULL;
}

static void decode_io(struct exit_record *e, uint64_t info1, uint64_t info2, uint64_t rip)
{
	e->reason = EXIT_IO;
	e->io.port = (uint16_t)(info1 >> IOIO_PORT_SHIFT);
	e->io.size = (info1 & IOIO_SZ32) ? 4 : (info1 & IOIO_SZ16) ? 2 : 1;
	e->io.in = info1 & IOIO_TYPE_IN;
	e->io.string = info1 & (IOIO_STR | IOIO_REP);
	e->insn_len = info2 - rip; /* EXITINFO2 holds the next RIP (APM 15.10.2) */
}

/* The exiting instruction's length, when the CPU has next-RIP save (APM
 * 15.7.1: NRIP holds the RIP after it for intercepted instructions).
 * Without it (QEMU TCG) 0: the core decodes the instruction itself — a
 * fixed length would be wrong for a prefixed one (2E 0F A2 is a CPUID of 3
 * bytes) and resume the guest inside it. */
static uint64_t insn_len(const struct vmcb *vmcb)
{
	return svm_caps.nrip_save ? vmcb->control.next_rip - vmcb->save.rip : 0;
}

static void decode_insn(struct exit_record *e, const struct vmcb *vmcb, enum exit_reason reason)
{
	e->reason = reason;
	e->insn_len = insn_len(vmcb);
}

/* Without decode assists (APM 15.33) the exit does not say which
 * instruction wrote from where: insn_len 0 has the core decode it from
 * guest memory (vmm/cpu/emulate.c). With them and next-RIP save, a MOV to
 * CRx names its source GPR in EXITINFO1 (APM 15.33.1) and NRIP gives its
 * length, so nothing is read from the guest; LMSW and CLTS are still
 * decoded by the core. CR0 has no CPU-specific reserved bits. */
static void decode_cr_write(struct exit_record *e, const struct vmcb *vmcb, const struct vcpu_regs *regs)
{
	uint64_t code = vmcb->control.exit_code, i1 = vmcb->control.exit_info1;
	e->reason = EXIT_CR_WRITE;
	e->cr.reg = code == VMEXIT_CR0_WRITE ? VCPU_CR0 : VCPU_CR4;
	e->cr.access = CR_ACCESS_MOV_TO;
	e->cr.reserved = code == VMEXIT_CR0_WRITE ? 0 : svm_cr4_reserved();
	if (svm_caps.decode_assists && svm_caps.nrip_save && (i1 & CR_EXITINFO1_MOV)) {
		e->cr.source = vcpu_gpr(regs, (unsigned)(i1 & CR_EXITINFO1_GPR_MASK));
		e->insn_len = insn_len(vmcb);
	}
}

void svm_decode_exit(struct exit_record *e, const struct vmcb *vmcb, const struct vcpu_regs *regs)
{
	uint64_t code = vmcb->control.exit_code, i1 = vmcb->control.exit_info1, i2 = vmcb->control.exit_info2;
	*e = (struct exit_record){ .reason = EXIT_UNEXPECTED, .vendor_code = code, .vendor_info1 = i1,
				   .vendor_info2 = i2, .vendor_name = svm_exit_name(code) };
	switch (code) {
	case VMEXIT_CPUID: decode_insn(e, vmcb, EXIT_CPUID); break;
	case VMEXIT_HLT: decode_insn(e, vmcb, EXIT_HLT); break;
	case VMEXIT_VMMCALL: decode_insn(e, vmcb, EXIT_HYPERCALL); break;
	case VMEXIT_INVD: decode_insn(e, vmcb, EXIT_INVD); break;
	case VMEXIT_WBINVD: decode_insn(e, vmcb, EXIT_WBINVD); break;
	case VMEXIT_RDPMC: decode_insn(e, vmcb, EXIT_RDPMC); break;
	case VMEXIT_XSETBV: decode_insn(e, vmcb, EXIT_XSETBV); break;
	case VMEXIT_IOIO: decode_io(e, i1, i2, vmcb->save.rip); break;
	case VMEXIT_CR0_WRITE:
	case VMEXIT_CR4_WRITE: decode_cr_write(e, vmcb, regs); break;
	case VMEXIT_MSR:
		decode_insn(e, vmcb, EXIT_MSR);
		e->msr.write = i1 & 1; /* EXITINFO1: 0 = RDMSR, 1 = WRMSR (APM 15.11) */
		break;
	case VMEXIT_NPF:
		e->reason = EXIT_NPF;
		e->npf.gpa = i2;
		e->npf.present = i1 & NPF_PRESENT;
		e->npf.write = i1 & NPF_WRITE;
		e->npf.fetch = i1 & NPF_FETCH;
		break;
	case VMEXIT_SHUTDOWN: e->reason = EXIT_SHUTDOWN; break;
	case VMEXIT_INTR: e->reason = EXIT_INTERRUPT; break;
	default:
		if ((uint32_t)code == VMEXIT_INVALID)
			e->reason = EXIT_ENTRY_FAILED;
		break;
	}
}

/* VMRUN loads CR2 from the VMCB and #VMEXIT stores it back (APM 15.5.1),
 * but Bochs 2.7's SVM does neither: the guest then uses the real CR2. So
 * CR2 is also loaded by hand before VMRUN, and an unchanged VMCB value
 * after the exit is completed from the register. On hardware that switches
 * CR2 both give the same value. */
static void cr2_after_exit(struct vmcb *v, uint64_t before)
{
	if (v->save.cr2 == before)
		v->save.cr2 = read_cr2();
}

/* A TLB flush of this guest: by ASID where CPUID has FlushByAsid, else the
 * whole TLB: 3 is reserved without it (APM 15.16.1). QEMU TCG lacks
 * FlushByAsid and ignores the field; KVM's nested VMRUN refused 3 up to
 * Linux 6.6. */
static uint8_t tlb_flush_control(void)
{
	return svm_caps.flush_by_asid ? TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL;
}

void svm_vcpu_run(struct vcpu *vcpu, struct exit_record *exit)
{
	struct svm_vcpu *sv = arch(vcpu);
	struct vmcb *v = sv->vmcb;
	v->save.rax = vcpu->regs.rax;
	v->save.rsp = vcpu->regs.rsp;
	v->save.rip = vcpu->regs.rip;
	v->save.rflags = vcpu->regs.rflags;
	v->control.tlb_control = svm_take_flush(vcpu->vm) ? tlb_flush_control() : TLB_CONTROL_DO_NOTHING;
	if (options.entry_check && svm_entry_refused(v, exit))
		return;
	/* DR0-3, XCR0, x87/SSE: the table in svm.h. Host IF stays 1 up to
	 * CLGI (vmrun.S); a host interrupt in between touches none of them. */
	cpu_state_enter(vcpu);
	uint64_t cr2 = v->save.cr2;
	write_cr2(cr2);
	svm_world_switch(&vcpu->regs, sv->vmcb_mpa.raw, sv->host_vmcb_mpa.raw);
	cr2_after_exit(v, cr2);
	cpu_state_leave(vcpu);
	/* An event whose delivery the exit interrupted (e.g. an injected #GP
	 * whose IDT or stack page faulted in the NPT) is in EXITINTINFO: it
	 * goes in again at the next VMRUN (APM 15.7.2); otherwise nothing. */
	v->control.event_inject = (v->control.exit_int_info & EVENT_VALID) ? v->control.exit_int_info : 0;
	vcpu->regs.rax = v->save.rax;
	vcpu->regs.rsp = v->save.rsp;
	vcpu->regs.rip = v->save.rip;
	vcpu->regs.rflags = v->save.rflags;
	svm_decode_exit(exit, v, &vcpu->regs);
	if (exit->reason == EXIT_MSR)
		exit->msr.index = (uint32_t)vcpu->regs.rcx;
}

uint64_t svm_get_control(struct vcpu *vcpu, enum vcpu_control_reg reg)
{
	const struct vmcb_save *s = &arch(vcpu)->vmcb->save;
	switch (reg) {
	case VCPU_CR0: return s->cr0;
	case VCPU_CR3: return s->cr3;
	case VCPU_CR4: return s->cr4;
	case VCPU_EFER: return s->efer & ~EFER_SVME; /* the guest never sees SVME */
	}
	return 0;
}

void svm_set_control(struct vcpu *vcpu, enum vcpu_control_reg reg, uint64_t value)
{
	struct vmcb_save *s = &arch(vcpu)->vmcb->save;
	if (control_write_flushes(reg, svm_get_control(vcpu, reg), value))
		svm_flush(vcpu->vm); /* the ASID's entries, at the next VMRUN */
	switch (reg) {
	case VCPU_CR0:
		/* What the guest's own MOV would have done besides: IA-32e
		 * mode follows EFER.LME and CR0.PG (APM 14.6.1). */
		s->cr0 = value;
		s->efer = ((s->efer & EFER_LME) && (value & CR0_PG)) ? s->efer | EFER_LMA : s->efer & ~EFER_LMA;
		break;
	case VCPU_CR3: s->cr3 = value; break;
	case VCPU_CR4: s->cr4 = value; break;
	case VCPU_EFER: s->efer = value | EFER_SVME; break;
	}
}

void svm_get_code_segment(struct vcpu *vcpu, struct vcpu_code_segment *cs)
{
	const struct vmcb_save *s = &arch(vcpu)->vmcb->save;
	cs->base = s->cs.base;
	cs->long_mode = (s->efer & EFER_LMA) && (s->cs.attrib & SEG_ATTR_L);
}

/* EVENTINJ: the exception is delivered at the next VMRUN, before the
 * guest's first instruction (APM 15.20). */
void svm_inject_exception(struct vcpu *vcpu, unsigned vector, int64_t error_code)
{
	uint64_t event = (vector & EVENT_VECTOR_MASK) | EVENT_TYPE_EXCEPTION | EVENT_VALID;
	if (error_code != EXCEPTION_NO_ERROR_CODE)
		event |= EVENT_ERROR_CODE_VALID | ((uint64_t)(uint32_t)error_code << EVENT_ERROR_CODE_SHIFT);
	arch(vcpu)->vmcb->control.event_inject = event;
}

/* A single-step trap is a #DB with DR6.BS set; an injected #DB does not
 * touch DR6, so BS goes into the guest's DR6 in the VMCB first. */
void svm_single_step_trap(struct vcpu *vcpu)
{
	arch(vcpu)->vmcb->save.dr6 |= DR6_BS;
	svm_inject_exception(vcpu, VECTOR_DB, EXCEPTION_NO_ERROR_CODE);
}

static void dump_segment(const char *name, const struct vmcb_segment *s)
{
	kprintf("    %-4s sel=%#06x attr=%#05x limit=%#010x base=%#llx\n", name, s->selector, s->attrib, s->limit,
		(unsigned long long)s->base);
}

void svm_dump(struct vcpu *vcpu)
{
	const struct vmcb *v = arch(vcpu)->vmcb;
	const struct vmcb_save *s = &v->save;
	kprintf("  svm: exit_code=%#llx info1=%#llx info2=%#llx exit_int_info=%#llx event_inject=%#llx\n",
		(unsigned long long)v->control.exit_code, (unsigned long long)v->control.exit_info1,
		(unsigned long long)v->control.exit_info2, (unsigned long long)v->control.exit_int_info,
		(unsigned long long)v->control.event_inject);
	kprintf("  guest: rip=%#llx rsp=%#llx rflags=%#llx cpl=%u\n", (unsigned long long)s->rip,
		(unsigned long long)s->rsp, (unsigned long long)s->rflags, s->cpl);
	kprintf("  guest: cr0=%#llx cr3=%#llx cr4=%#llx efer=%#llx cr2=%#llx\n", (unsigned long long)s->cr0,
		(unsigned long long)s->cr3, (unsigned long long)s->cr4, (unsigned long long)s->efer,
		(unsigned long long)s->cr2);
	kprintf("  guest: dr6=%#llx dr7=%#llx v_tpr=%#llx xcr0=%#llx\n", (unsigned long long)s->dr6,
		(unsigned long long)s->dr7, (unsigned long long)(v->control.int_ctl & V_TPR_MASK),
		(unsigned long long)vcpu->cpu.xcr0);
	dump_segment("cs", &s->cs);
	dump_segment("ss", &s->ss);
	dump_segment("ds", &s->ds);
	dump_segment("tr", &s->tr);
	kprintf("  control: asid=%u int_ctl=%#llx np=%#llx n_cr3=%#llx intercepts=%#x/%#x\n", v->control.asid,
		(unsigned long long)v->control.int_ctl, (unsigned long long)v->control.np_control,
		(unsigned long long)v->control.n_cr3, v->control.intercept_misc1, v->control.intercept_misc2);
	if ((uint32_t)v->control.exit_code == VMEXIT_INVALID)
		kprintf("  VMEXIT_INVALID: a consistency check (APM 15.5.1) failed; the usual ones: EFER.SVME=0, ASID=0,\n"
			"  VMRUN not intercepted, CR0.CD=0 with NW=1, CR0[63:32] set, EFER.LME+CR0.PG without CR4.PAE,\n"
			"  CS.L=1 with CS.D=1, DR6/DR7[63:32] set, reserved bits in CR3/CR4/EFER, a bad G_PAT\n");
}
