/* vmm/vmx/vcpu.c — a vCPU as a VMCS: host state, the guest boot state,
 * the controls, and running it.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 25.4-25.8 (guest state,
 * host state, controls), 27.2-27.3 (the checks VM entry makes), 28.5 (what
 * a VM exit loads), 31.3 VMLAUNCH/VMRESUME. */
#include "vmm/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/timer.h"
#include "kernel/x86.h"
#include "vmm/cpu/boot_segments.h"
#include "vmm/cpu/regs_frame.h"

_Static_assert(HOST_RSP == 0x6c14, "vmentry.S FIELD_HOST_RSP");
_Static_assert(VMX_FAIL_VALID == 1 && VMX_FAIL_INVALID == 2, "vmentry.S return values");

#define VMCS_LINK_POINTER_NONE (~0ull) /* SDM 27.3.1.5: all ones unless shadowing */
#define SELECTOR_INDEX_MASK 0xfff8u
#define BOOT_TABLE_LIMIT 0xffff /* GDTR/IDTR until the guest loads its own */
#define PREEMPTION_TIMER_FALLBACK 0x100000u /* TSC ticks, when the TSC was not measured */

#define SEGMENT(s) { #s, GUEST_##s##_SELECTOR, GUEST_##s##_BASE, GUEST_##s##_LIMIT, GUEST_##s##_ACCESS_RIGHTS }
const struct vmx_segment vmx_guest_segments[VMX_GUEST_SEGMENTS] = {
	SEGMENT(ES), SEGMENT(CS), SEGMENT(SS), SEGMENT(DS), SEGMENT(FS), SEGMENT(GS), SEGMENT(LDTR), SEGMENT(TR),
};
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR }; /* the table's order */

static struct vmx_vcpu vmx_vcpus[VM_MAX];
static mpa_t current_vmcs; /* what VMPTRLD loaded on this CPU; 0 = none */

static struct vmx_vcpu *arch(struct vcpu *v) { return v->arch; }

static void make_current(struct vmx_vcpu *vv)
{
	if (current_vmcs.raw == vv->vmcs_mpa.raw)
		return;
	enum vmx_status s = vmx_vmptrld(vv->vmcs_mpa);
	if (s != VMX_OK)
		vmx_instruction_failed("VMPTRLD", vv->vmcs_mpa.raw, s);
	current_vmcs = vv->vmcs_mpa;
}

void vmx_load_vmcs(struct vcpu *vcpu) { make_current(arch(vcpu)); }

/* ---- host state: what a VM exit loads (SDM 25.5, 28.5) ----
 * Written once per vCPU: the kernel has one address space, one GDT, one
 * TSS. A VM exit sets the GDTR/IDTR limits to 0xffff and the TR limit to
 * 0x67; both are harmless here (the kernel's TSS has no I/O bitmap). */

struct __attribute__((packed)) descriptor_table_register {
	uint16_t limit;
	uint64_t base;
};

/* A 64-bit TSS descriptor spreads its base over both of its 8-byte halves
 * (SDM Vol. 3A 8.2.3): base 23:0 in bits 39:16, base 31:24 in bits 63:56,
 * base 63:32 in the second half. */
#define DESC_BASE_23_0_SHIFT 16
#define DESC_BASE_23_0_MASK 0xffffffull
#define DESC_BASE_31_24_SHIFT 56
#define DESC_BASE_31_24_MASK 0xffull

static uint64_t tss_base(uint64_t gdt_base, uint16_t tr)
{
	const uint64_t *d = (const uint64_t *)(uintptr_t)(gdt_base + (tr & SELECTOR_INDEX_MASK));
	return ((d[0] >> DESC_BASE_23_0_SHIFT) & DESC_BASE_23_0_MASK) |
	       (((d[0] >> DESC_BASE_31_24_SHIFT) & DESC_BASE_31_24_MASK) << 24) | (d[1] << 32);
}

#define READ_SEGMENT(seg)                                                         \
	({                                                                        \
		uint16_t v;                                                       \
		__asm__ volatile("mov %%" #seg ", %0" : "=r"(v));                 \
		v;                                                                \
	})

static void write_host_state(void)
{
	struct descriptor_table_register gdtr, idtr;
	uint16_t tr;
	__asm__ volatile("sgdt %0; sidt %1; str %2" : "=m"(gdtr), "=m"(idtr), "=r"(tr));
	vmcs_write_natural(HOST_CR0, read_cr0());
	vmcs_write_natural(HOST_CR3, read_cr3());
	vmcs_write_natural(HOST_CR4, read_cr4());
	/* Host selectors need RPL 0 and TI 0 (SDM 27.2.3): the kernel's are. */
	vmcs_write16(HOST_CS_SELECTOR, READ_SEGMENT(cs));
	vmcs_write16(HOST_SS_SELECTOR, READ_SEGMENT(ss));
	vmcs_write16(HOST_DS_SELECTOR, READ_SEGMENT(ds));
	vmcs_write16(HOST_ES_SELECTOR, READ_SEGMENT(es));
	vmcs_write16(HOST_FS_SELECTOR, READ_SEGMENT(fs));
	vmcs_write16(HOST_GS_SELECTOR, READ_SEGMENT(gs));
	vmcs_write16(HOST_TR_SELECTOR, tr);
	vmcs_write_natural(HOST_FS_BASE, rdmsr(MSR_IA32_FS_BASE));
	vmcs_write_natural(HOST_GS_BASE, rdmsr(MSR_IA32_GS_BASE));
	vmcs_write_natural(HOST_TR_BASE, tss_base(gdtr.base, tr));
	vmcs_write_natural(HOST_GDTR_BASE, gdtr.base);
	vmcs_write_natural(HOST_IDTR_BASE, idtr.base);
	vmcs_write32(HOST_IA32_SYSENTER_CS, (uint32_t)rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_write_natural(HOST_IA32_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_write_natural(HOST_IA32_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write64(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write_natural(HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_rip); /* HOST_RSP: vmentry.S */
}

/* ---- control registers the guest sees vs. what VMX operation needs ----
 * Bits VMX fixes (CR0.NE, CR4.VMXE, ...) belong to the host through the
 * guest/host masks: the guest reads its own value from the read shadow
 * and a MOV that would change such a bit exits (SDM 26.3, 25.6.6).
 * Unrestricted guest frees CR0.PE and CR0.PG (SDM 27.3.1.1). */
static uint64_t cr0_fixed0(void) { return vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG); }
static uint64_t hw_cr0(uint64_t v) { return (v | cr0_fixed0()) & vmx_caps.cr0_fixed1; }
static uint64_t hw_cr4(uint64_t v) { return (v | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1; }

/* The VMX-preemption timer counts TSC ticks >> IA32_VMX_MISC[4:0] and
 * starts again from its VMCS field at every VM entry (SDM 26.5.1; "save
 * VMX-preemption timer value" is 0). Each entry arms it with the time
 * left of the slice (vcpu->deadline_tsc), at most one host timer tick so
 * that the host's tick counter keeps up even when Bochs delivers no
 * interrupt exit (guest RFLAGS.IF = 0). */
static uint64_t tsc_per_tick(void)
{
	uint64_t t = tsc_khz() * 1000 / timer_hz();
	return t ? t : PREEMPTION_TIMER_FALLBACK;
}

static void arm_preemption_timer(const struct vcpu *vcpu)
{
	if (!(vmx_controls.pinbased & PIN_ACTIVATE_VMX_PREEMPTION_TIMER))
		return;
	uint64_t now = rdtsc(), left = vcpu->deadline_tsc > now ? vcpu->deadline_tsc - now : 0;
	if (!vcpu->deadline_tsc) /* no slice (in-kernel tests): one tick */
		left = UINT64_MAX;
	uint64_t v = MIN(left, tsc_per_tick()) >> (vmx_caps.misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
	vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, (uint32_t)MIN(v, UINT32_MAX));
}

static void write_controls(struct vm *vm, struct vmx_vcpu *vv)
{
	vmcs_write32(PIN_BASED_VM_EXECUTION_CONTROLS, vmx_controls.pinbased);
	vmcs_write32(PRIMARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS, vmx_controls.procbased);
	vmcs_write32(SECONDARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS, vmx_controls.procbased2);
	vmcs_write32(PRIMARY_VM_EXIT_CONTROLS, vmx_controls.exit);
	vmcs_write32(VM_ENTRY_CONTROLS, vmx_controls.entry);
	vmcs_write32(EXCEPTION_BITMAP, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTERRUPTION_INFORMATION_FIELD, 0);
	vmcs_write64(TSC_OFFSET, 0);
	vmcs_write64(ADDRESS_OF_IO_BITMAP_A, vmx_io_bitmap_a.raw);
	vmcs_write64(ADDRESS_OF_IO_BITMAP_B, vmx_io_bitmap_b.raw);
	vmcs_write64(ADDRESS_OF_MSR_BITMAPS, vmx_msr_bitmaps.raw);
	vmcs_write64(EPT_POINTER, vmx_eptp(vm->npt.root, vmx_ept_ad()));
	if (vmx_controls.procbased2 & PROC2_ENABLE_VPID)
		vmcs_write16(VIRTUAL_PROCESSOR_IDENTIFIER, vmx_vpid(vm));
	vv->cr0_mask = cr0_fixed0() | (~vmx_caps.cr0_fixed1 & UINT32_MAX);
	vv->cr4_mask = vmx_caps.cr4_fixed0 | (~vmx_caps.cr4_fixed1 & UINT32_MAX);
	vmcs_write_natural(CR0_GUEST_HOST_MASK, vv->cr0_mask);
	vmcs_write_natural(CR4_GUEST_HOST_MASK, vv->cr4_mask);
}

/* ---- the guest boot state (vmm/hypercall_abi.h §1; SDM 27.3.1) ---- */

static void write_segment(int i, uint16_t selector, uint32_t limit, uint32_t access_rights)
{
	const struct vmx_segment *s = &vmx_guest_segments[i];
	vmcs_write16(s->selector, selector);
	vmcs_write_natural(s->base, 0);
	vmcs_write32(s->limit, limit);
	vmcs_write32(s->access_rights, access_rights);
}

static void write_boot_segments(void)
{
	/* Flat 4 GiB, 32-bit, accessed (Bochs refuses unaccessed ones). */
	const uint32_t flat = AR_S | AR_P | AR_DB | AR_G;
	write_segment(SEG_CS, BOOT_CS, FLAT_LIMIT, AR_TYPE_CODE_XR_ACCESSED | flat);
	for (int i = SEG_ES; i <= SEG_GS; i++)
		if (i != SEG_CS)
			write_segment(i, BOOT_DS, FLAT_LIMIT, AR_TYPE_DATA_RW_ACCESSED | flat);
	write_segment(SEG_LDTR, 0, 0, AR_UNUSABLE);
	/* TR must be usable and busy even though the guest never switches
	 * tasks: type 11, a 32-bit busy TSS (type 9 is refused). */
	write_segment(SEG_TR, BOOT_TR, TSS_LIMIT, AR_TYPE_TSS_BUSY | AR_P);
	vmcs_write_natural(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, BOOT_TABLE_LIMIT);
	vmcs_write_natural(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, BOOT_TABLE_LIMIT);
}

static void write_boot_state(uint64_t rip)
{
	const uint64_t cr0 = CR0_PE | CR0_ET | CR0_NE;
	write_boot_segments();
	vmcs_write_natural(CR0_READ_SHADOW, cr0);
	vmcs_write_natural(GUEST_CR0, hw_cr0(cr0));
	vmcs_write_natural(CR4_READ_SHADOW, 0); /* the guest sees VMXE = 0 */
	vmcs_write_natural(GUEST_CR4, hw_cr4(0));
	vmcs_write_natural(GUEST_CR3, 0);
	vmcs_write_natural(GUEST_DR7, DR7_INIT);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_EFER, 0);
	vmcs_write32(GUEST_IA32_SYSENTER_CS, 0);
	vmcs_write_natural(GUEST_IA32_SYSENTER_ESP, 0);
	vmcs_write_natural(GUEST_IA32_SYSENTER_EIP, 0);
	vmcs_write_natural(GUEST_RSP, 0);
	vmcs_write_natural(GUEST_RIP, rip);
	vmcs_write_natural(GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_write_natural(GUEST_PENDING_DEBUG_EXCEPTIONS, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, ACTIVITY_STATE_ACTIVE);
	vmcs_write32(GUEST_INTERRUPTIBILITY_STATE, 0);
	vmcs_write64(VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE);
}

int vmx_vcpu_init(struct vcpu *vcpu, uint64_t entry_rip)
{
	struct vmx_vcpu *vv = &vmx_vcpus[vcpu->vm->id - 1];
	mfn_t frame;
	if (mem_try_alloc_zeroed(&frame))
		return -E_NO_MEMORY;
	*vv = (struct vmx_vcpu){ .vmcs_mpa = mfn_to_mpa(frame) };
	/* Revision identifier first, then VMCLEAR: launch state "clear" (SDM 25.11.3). */
	*(uint32_t *)mfn_to_virt(frame) = vmx_revision(&vmx_caps);
	enum vmx_status s = vmx_vmclear(vv->vmcs_mpa);
	if (s != VMX_OK)
		vmx_instruction_failed("VMCLEAR", vv->vmcs_mpa.raw, s);
	make_current(vv);
	write_controls(vcpu->vm, vv);
	write_host_state();
	write_boot_state(entry_rip);
	vmx_flush_vpid(vcpu->vm); /* its VPID may hold a destroyed vCPU's entries */
	int rc = vmx_guest_regs_init(vv);
	if (!rc && (rc = cpu_state_vcpu_init(vcpu)))
		vmx_guest_regs_destroy(vv);
	if (rc) {
		vmx_vmclear(vv->vmcs_mpa);
		current_vmcs = mpa(0);
		mem_free_frame(frame);
		return rc;
	}
	vcpu->arch = vv;
	vcpu->regs = (struct vcpu_regs){ .rip = entry_rip, .rflags = RFLAGS_FIXED };
	return 0;
}

void vmx_vcpu_destroy(struct vcpu *vcpu)
{
	struct vmx_vcpu *vv = arch(vcpu);
	enum vmx_status s = vmx_vmclear(vv->vmcs_mpa); /* the CPU may cache it until then */
	if (s != VMX_OK)
		vmx_instruction_failed("VMCLEAR", vv->vmcs_mpa.raw, s);
	if (current_vmcs.raw == vv->vmcs_mpa.raw)
		current_vmcs = mpa(0);
	mem_free_frame(mpa_to_mfn(vv->vmcs_mpa));
	vmx_guest_regs_destroy(vv);
	cpu_state_vcpu_destroy(vcpu);
	vcpu->arch = NULL;
}

static uint64_t irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

/* An event whose delivery the exit interrupted (e.g. an injected #GP
 * whose IDT or stack page met an EPT violation) is in the IDT-vectoring
 * information: it goes in again at the next entry (SDM 28.2.4, 29.2.1.3).
 * A VM exit has cleared the entry field's valid bit, so without one the
 * next entry injects nothing. */
static void reinject_interrupted_event(void)
{
	uint32_t info = vmcs_read32(IDT_VECTORING_INFORMATION_FIELD);
	if (!(info & INTR_INFO_VALID))
		return;
	vmcs_write32(VM_ENTRY_INTERRUPTION_INFORMATION_FIELD,
		     info & (INTR_INFO_VALID | INTR_INFO_DELIVER_ERROR_CODE | INTR_INFO_TYPE_MASK | INTR_INFO_VECTOR_MASK));
	if (info & INTR_INFO_DELIVER_ERROR_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read32(IDT_VECTORING_ERROR_CODE));
	uint32_t type = info & INTR_INFO_TYPE_MASK;
	if (type == INTR_INFO_TYPE_SOFTWARE_INTERRUPT || type == INTR_INFO_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION ||
	    type == INTR_INFO_TYPE_SOFTWARE_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LENGTH, vmcs_read32(VM_EXIT_INSTRUCTION_LENGTH));
}

void vmx_vcpu_run(struct vcpu *vcpu, struct exit_record *exit)
{
	struct vmx_vcpu *vv = arch(vcpu);
	make_current(vv);
	vmcs_write_natural(GUEST_RSP, vcpu->regs.rsp);
	vmcs_write_natural(GUEST_RIP, vcpu->regs.rip);
	vmcs_write_natural(GUEST_RFLAGS, vcpu->regs.rflags);
	vmx_flush_before_entry(vcpu->vm);
	arm_preemption_timer(vcpu);
	if (vmx_entry_refused(vv, exit))
		return;
	/* Interrupts off from here: one that arrives now makes the guest exit
	 * at once instead (external-interrupt exiting ignores the host's IF). */
	uint64_t flags = irq_save();
	vmx_guest_regs_enter(vcpu, vv);
	enum vmx_status s = vmx_world_switch(&vcpu->regs, vv->launched);
	vmx_guest_regs_leave(vcpu, vv);
	vv->entry_status = s;
	/* A VM exit leaves RFLAGS = 0x2 (SDM 28.5.3): IF is 0. The interrupt
	 * that caused an exit is still pending and is taken here. */
	if (flags & RFLAGS_IF)
		irq_enable();
	if (s != VMX_OK) {
		vmx_decode_entry_fail(s, vv->launched, exit);
		return;
	}
	vcpu->regs.rsp = vmcs_read_natural(GUEST_RSP);
	vcpu->regs.rip = vmcs_read_natural(GUEST_RIP);
	vcpu->regs.rflags = vmcs_read_natural(GUEST_RFLAGS);
	vmx_decode_exit(vcpu, exit);
	if (!(exit->vendor_code & EXIT_REASON_ENTRY_FAILURE)) {
		vv->launched = true;
		reinject_interrupted_event();
	}
}

void vmx_get_code_segment(struct vcpu *vcpu, struct vcpu_code_segment *cs)
{
	make_current(arch(vcpu));
	cs->base = vmcs_read_natural(GUEST_CS_BASE);
	cs->long_mode = (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && (vmcs_read32(GUEST_CS_ACCESS_RIGHTS) & AR_L);
}

/* The VM-entry interruption-information field: the exception is
 * delivered after VM entry, before the guest's first instruction (SDM
 * 27.6.1). */
void vmx_inject_exception(struct vcpu *vcpu, unsigned vector, int64_t error_code)
{
	make_current(arch(vcpu));
	uint32_t info = (vector & INTR_INFO_VECTOR_MASK) | INTR_INFO_TYPE_HARDWARE_EXCEPTION | INTR_INFO_VALID;
	if (error_code != EXCEPTION_NO_ERROR_CODE) {
		info |= INTR_INFO_DELIVER_ERROR_CODE;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, (uint32_t)error_code);
	}
	vmcs_write32(VM_ENTRY_INTERRUPTION_INFORMATION_FIELD, info);
}

/* BS in the pending debug exceptions: VM entry then delivers the #DB with
 * DR6.BS set, as if the instruction had completed in the guest (SDM
 * 27.7.3). An injected #DB would leave DR6 alone (SDM 27.6.1.2), and DR6
 * is not in the VMCS. */
void vmx_single_step_trap(struct vcpu *vcpu)
{
	make_current(arch(vcpu));
	vmcs_write_natural(GUEST_PENDING_DEBUG_EXCEPTIONS,
			   vmcs_read_natural(GUEST_PENDING_DEBUG_EXCEPTIONS) | PENDING_DEBUG_BS);
}

/* EFER.LMA follows LME and CR0.PG, and the "IA-32e mode guest" entry
 * control must equal it (SDM 27.3.1.1). A guest that sets CR0.PG itself
 * needs nothing from us: with unrestricted guest the CPU switches to
 * IA-32e mode and the next VM exit stores LMA in the control (SDM A.6:
 * VMX_MISC_EXIT_SAVES_LMA, always 1 with unrestricted guest). Only changes
 * made here must keep the three in step. */
static void sync_ia32e_mode(uint64_t efer)
{
	bool lma = (efer & EFER_LME) && (vmcs_read_natural(GUEST_CR0) & CR0_PG);
	vmcs_write64(GUEST_IA32_EFER, lma ? efer | EFER_LMA : efer & ~EFER_LMA);
	uint32_t entry = vmcs_read32(VM_ENTRY_CONTROLS) & ~(uint32_t)ENTRY_IA32E_MODE_GUEST;
	vmcs_write32(VM_ENTRY_CONTROLS, entry | (lma ? (uint32_t)ENTRY_IA32E_MODE_GUEST : 0));
}

/* What the guest would read: host-owned bits come from the read shadow. */
static uint64_t guest_view(enum vmcs_field value, enum vmcs_field shadow, uint64_t mask)
{
	return (vmcs_read_natural(value) & ~mask) | (vmcs_read_natural(shadow) & mask);
}

uint64_t vmx_get_control(struct vcpu *vcpu, enum vcpu_control_reg reg)
{
	struct vmx_vcpu *vv = arch(vcpu);
	make_current(vv);
	switch (reg) {
	case VCPU_CR0: return guest_view(GUEST_CR0, CR0_READ_SHADOW, vv->cr0_mask);
	case VCPU_CR3: return vmcs_read_natural(GUEST_CR3);
	case VCPU_CR4: return guest_view(GUEST_CR4, CR4_READ_SHADOW, vv->cr4_mask);
	case VCPU_EFER: return vmcs_read64(GUEST_IA32_EFER);
	}
	return 0;
}

void vmx_set_control(struct vcpu *vcpu, enum vcpu_control_reg reg, uint64_t value)
{
	make_current(arch(vcpu));
	/* With VPIDs the guest's entries outlive VM exits (SDM 29.4.3.1). */
	if (control_write_flushes(reg, vmx_get_control(vcpu, reg), value))
		vmx_flush_vpid(vcpu->vm);
	switch (reg) {
	case VCPU_CR0:
		vmcs_write_natural(CR0_READ_SHADOW, value);
		vmcs_write_natural(GUEST_CR0, hw_cr0(value));
		sync_ia32e_mode(vmcs_read64(GUEST_IA32_EFER));
		break;
	case VCPU_CR3: vmcs_write_natural(GUEST_CR3, value); break;
	case VCPU_CR4:
		vmcs_write_natural(CR4_READ_SHADOW, value);
		vmcs_write_natural(GUEST_CR4, hw_cr4(value));
		break;
	case VCPU_EFER: sync_ia32e_mode(value); break;
	}
}
