/* vmm/vmx/vmx.c — finding and turning on Intel VT-x with EPT.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 24.6 "Discovering Support
 * for VMX", 24.7 "Enabling and Entering VMX Operation", 24.8 "Restrictions
 * on VMX Operation"; Vol. 3D appendix A "VMX Capability Reporting
 * Facility". */
#include "vmm/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/printf.h"

struct vmx_caps vmx_caps;
struct vmx_controls vmx_controls;
mpa_t vmx_io_bitmap_a, vmx_io_bitmap_b, vmx_msr_bitmaps;

#define IO_BITMAP_PAGES 2  /* A: ports 0000-7fff, B: 8000-ffff (SDM 25.6.4) */
#define MSR_BITMAP_PAGES 1 /* read low/high, write low/high (SDM 25.6.9)   */

void vmx_read_caps(struct vmx_caps *c)
{
	uint32_t a, b, ecx, d;
	*c = (struct vmx_caps){ 0 };
	cpuid(CPUID_FEATURES, 0, &a, &b, &ecx, &d);
	c->vmx = ecx & CPUID1_ECX_VMX;
	c->signature = a;
	if (!c->vmx)
		return;
	c->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	bool true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pinbased = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	c->procbased = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	c->entry = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	cpuid(CPUID_EXT_ADDRESS_SIZES, 0, &a, &b, &ecx, &d);
	c->maxphyaddr = a & MAXPHYADDR_MASK;
	/* These two MSRs exist only when the controls they describe do (A.3.3, A.10). */
	if ((c->procbased >> CTLS_ALLOWED1_SHIFT) & PROC_ACTIVATE_SECONDARY_CONTROLS) {
		c->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if ((c->procbased2 >> CTLS_ALLOWED1_SHIFT) & PROC2_ENABLE_EPT)
			c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

static bool allowed1(uint64_t cap, uint64_t bit) { return (cap >> CTLS_ALLOWED1_SHIFT) & bit; }

static int check_ept(const struct vmx_caps *c, char *msg, size_t size)
{
	if (!allowed1(c->procbased, PROC_ACTIVATE_SECONDARY_CONTROLS) || !allowed1(c->procbased2, PROC2_ENABLE_EPT)) {
		ksnprintf(msg, size, "this CPU has VT-x but no EPT (IA32_VMX_PROCBASED_CTLS2 allowed-1 bit 1 is 0): "
				     "memvisor needs extended page tables (Intel Nehalem and later); in Bochs use "
				     "corei7_skylake_x, corei7_haswell_4770 or broadwell_ult, not core2_penryn_t9600");
		return -E_NO_NESTED_PAGING;
	}
	uint64_t need = EPT_CAP_WALK_LENGTH_4 | EPT_CAP_WB | EPT_CAP_INVEPT;
	if ((c->ept_vpid & need) != need || !vmx_invept_type(c)) {
		ksnprintf(msg, size, "this CPU's EPT lacks 4-level walks, the write-back memory type or INVEPT "
				     "(IA32_VMX_EPT_VPID_CAP = %#llx; bits 6, 14, 20 and 25 or 26 are needed)",
			  (unsigned long long)c->ept_vpid);
		return -E_NO_NESTED_PAGING;
	}
	return 0;
}

int vmx_check_caps(const struct vmx_caps *c, char *msg, size_t size)
{
	if (!c->vmx) {
		ksnprintf(msg, size, "this CPU has no Intel VT-x (CPUID.1:ECX bit 5 is 0): under Bochs use a VT-x "
				     "model such as cpu: model=corei7_skylake_x (tools/run --emu bochs does); under KVM "
				     "load kvm_intel with nested=1; QEMU's TCG does not emulate VT-x");
		return -E_NO_VMX;
	}
	/* Unlocked is fine: vmx_detect() locks it with VMX on (SDM 24.7). */
	if ((c->feature_control & FEATURE_CONTROL_LOCK) && !(c->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		ksnprintf(msg, size, "VT-x is disabled by firmware: enable Intel Virtualization Technology in the "
				     "firmware setup (IA32_FEATURE_CONTROL is locked with \"VMX outside SMX\" = 0)");
		return -E_LOCKED_BY_FIRMWARE;
	}
	int rc = check_ept(c, msg, size);
	if (rc)
		return rc;
	if (!allowed1(c->procbased2, PROC2_UNRESTRICTED_GUEST)) {
		ksnprintf(msg, size, "this CPU has VT-x and EPT but no unrestricted guest (IA32_VMX_PROCBASED_CTLS2 "
				     "allowed-1 bit 7 is 0): guests start in 32-bit protected mode with paging off "
				     "(vmm/hypercall_abi.h), which VT-x runs only as an unrestricted guest (Intel "
				     "Westmere and later); in Bochs use corei5_arrandale_m520, corei7_sandy_bridge_2600k "
				     "or newer such as corei7_skylake_x, not corei5_lynnfield_750");
		return -E_NO_UNRESTRICTED_GUEST;
	}
	struct vmx_controls ctl;
	return vmx_compute_controls(c, &ctl, msg, size);
}

/* For the start-up line: whether VPIDs are used, and how INVVPID flushes. */
static const char *vpid_words(void)
{
	if (!(vmx_controls.procbased2 & PROC2_ENABLE_VPID))
		return "no";
	return vmx_invvpid_type(&vmx_caps) == INVVPID_SINGLE_CONTEXT ? "yes, INVVPID single-context"
								      : "yes, INVVPID all-context";
}

static const char *timer_words(void)
{
	if (vmx_controls.pinbased & PIN_ACTIVATE_VMX_PREEMPTION_TIMER)
		return "yes";
	return vmx_preemption_timer_broken(vmx_caps.signature) ? "no (this model's erratum: slices end at host timer ticks)"
							      : "no";
}

static int vmx_detect(void)
{
	char msg[512];
	vmx_read_caps(&vmx_caps);
	if (vmx_caps.vmx && !(vmx_caps.feature_control & FEATURE_CONTROL_LOCK)) {
		/* Firmware left it open: turn VMX on and lock it until reset. */
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      vmx_caps.feature_control | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		vmx_caps.feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	}
	int rc = vmx_check_caps(&vmx_caps, msg, sizeof(msg));
	if (!rc)
		rc = vmx_compute_controls(&vmx_caps, &vmx_controls, msg, sizeof(msg));
	if (rc) {
		kprintf("memvisor: error: %s\n", msg);
		return rc;
	}
	kprintf("memvisor: vmx: VT-x with EPT and unrestricted guest, EPT A/D bits %s, INVEPT %s, VPID %s, "
		"preemption timer %s, VMCS revision %u\n",
		vmx_ept_ad() ? "yes" : "no",
		vmx_invept_type(&vmx_caps) == INVEPT_SINGLE_CONTEXT ? "single-context" : "all-context",
		vpid_words(),
		timer_words(), vmx_revision(&vmx_caps));
	return 0;
}

/* CR0 and CR4 must keep the bits FIXED0 sets and clear those FIXED1
 * clears, in VMX operation (SDM 24.8, A.7, A.8); CR4.VMXE is one of them. */
static void apply_fixed_bits(void)
{
	write_cr0((read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	write_cr4((read_cr4() | CR4_VMXE | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
}

static int vmx_enable(void)
{
	mfn_t vmxon_region;
	if (mem_try_alloc_zeroed(&vmxon_region) || mem_alloc_all_ones(IO_BITMAP_PAGES, &vmx_io_bitmap_a) ||
	    mem_alloc_all_ones(MSR_BITMAP_PAGES, &vmx_msr_bitmaps))
		return -E_NO_MEMORY;
	vmx_io_bitmap_b = mpa(vmx_io_bitmap_a.raw + PAGE_SIZE);
	/* The VMXON region starts with the VMCS revision identifier (SDM 25.11.5). */
	*(uint32_t *)mfn_to_virt(vmxon_region) = vmx_revision(&vmx_caps);
	apply_fixed_bits();
	enum vmx_status s = vmx_vmxon(mfn_to_mpa(vmxon_region));
	if (s != VMX_OK) {
		kprintf("memvisor: error: VMXON failed (%s): VT-x could not be turned on\n",
			s == VMX_FAIL_INVALID ? "VMfailInvalid: bad VMXON region or revision" : "already in VMX operation");
		return -E_NO_VMX;
	}
	return 0;
}

const struct backend vmx_backend = {
	.name = "vmx",
	.detect = vmx_detect,
	.enable = vmx_enable,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.map = vmx_map,
	.unmap = vmx_unmap,
	.protect = vmx_protect,
	.test_and_clear_ad = vmx_test_and_clear_ad,
	.lookup = vmx_lookup,
	.flush = vmx_flush,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_run = vmx_vcpu_run,
	.get_control = vmx_get_control,
	.set_control = vmx_set_control,
	.get_code_segment = vmx_get_code_segment,
	.inject_exception = vmx_inject_exception,
	.single_step_trap = vmx_single_step_trap,
	.dump = vmx_dump,
	.entry_check = vmx_entry_check_vcpu,
};
