/* vmm/svm/svm.c — finding and turning on AMD SVM.
 * See: APM Vol. 2 15.4 "Enabling SVM", 15.30.1 VM_CR, 15.30.4 VM_HSAVE_PA. */
#include "vmm/svm/svm.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/lab.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/printf.h"

struct svm_caps svm_caps;
struct svm_entry_caps svm_entry_caps;
mpa_t svm_iopm, svm_msrpm;

#define IOPM_PAGES 3  /* 12 KiB: one bit per port (APM 15.10.1) */
#define MSRPM_PAGES 2 /* 8 KiB: two bits per MSR (APM 15.11)   */

void svm_read_caps(struct svm_caps *caps)
{
	uint32_t a, b, c, d;
	*caps = (struct svm_caps){ 0 };
	cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
	if (a < CPUID_EXT_FEATURES)
		return;
	cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
	caps->svm = c & CPUID_EXT_ECX_SVM;
	if (!caps->svm)
		return;
	caps->disabled = rdmsr(MSR_VM_CR) & VM_CR_SVMDIS;
	cpuid(CPUID_SVM_FEATURES, 0, &a, &b, &c, &d);
	caps->nested_paging = d & CPUID_SVM_EDX_NP;
	caps->nrip_save = d & CPUID_SVM_EDX_NRIPS;
	caps->flush_by_asid = d & CPUID_SVM_EDX_FLUSH_BY_ASID;
	caps->decode_assists = d & CPUID_SVM_EDX_DECODE_ASSISTS;
	caps->asids = b;
	cpuid(CPUID_EXT_ADDRESS_SIZES, 0, &a, &b, &c, &d);
	caps->maxphyaddr = a & MAXPHYADDR_MASK;
}

int svm_check_caps(const struct svm_caps *caps, char *msg, size_t size)
{
	if (!caps->svm) {
		ksnprintf(msg, size, "this CPU has no AMD SVM (CPUID 8000_0001h ECX bit 2 is 0): "
				     "under QEMU use -cpu max (tools/run does); under KVM load kvm_amd with nested=1");
		return -E_NO_SVM;
	}
	if (caps->disabled) {
		ksnprintf(msg, size, "SVM is disabled by firmware (VM_CR.SVMDIS = 1): "
				     "turn on \"SVM Mode\" / \"AMD-V\" in the firmware setup");
		return -E_LOCKED_BY_FIRMWARE;
	}
	if (!caps->nested_paging) {
		ksnprintf(msg, size, "this CPU has SVM but no nested paging (CPUID 8000_000Ah EDX bit 0 is 0): "
				     "memvisor needs NPT; under QEMU use -cpu max, not qemu64 or max,-npt");
		return -E_NO_NESTED_PAGING;
	}
	if (caps->asids < 2) {
		ksnprintf(msg, size, "SVM reports %u ASIDs; a guest needs at least ASID 1", caps->asids);
		return -E_NO_SVM;
	}
	return 0;
}

static int svm_detect(void)
{
	char msg[200];
	svm_read_caps(&svm_caps);
	int rc = svm_check_caps(&svm_caps, msg, sizeof(msg));
	if (rc) {
		kprintf("memvisor: error: %s\n", msg);
		return rc;
	}
	kprintf("memvisor: svm: SVM with nested paging, %u ASIDs, next-RIP save %s, flush by ASID %s, "
		"decode assists %s\n",
		svm_caps.asids, svm_caps.nrip_save ? "yes" : "no", svm_caps.flush_by_asid ? "yes" : "no",
		svm_caps.decode_assists ? "yes" : "no");
	svm_entry_caps = (struct svm_entry_caps){ .maxphyaddr = svm_caps.maxphyaddr,
						  .cr4_reserved = svm_cr4_reserved(),
						  .nested_paging = svm_caps.nested_paging,
						  .flush_by_asid = svm_caps.flush_by_asid };
	return 0;
}

static int svm_enable(void)
{
	mfn_t hsave;
	if (mem_try_alloc_zeroed(&hsave) || mem_alloc_all_ones(IOPM_PAGES, &svm_iopm) ||
	    mem_alloc_all_ones(MSRPM_PAGES, &svm_msrpm))
		return -E_NO_MEMORY;
	/* LAB 1.1 virt-on: turn SVM on. Set EFER.SVME (APM 15.4), then tell
	 * the CPU where VMRUN may save host state: the machine address of the
	 * page hsave in VM_HSAVE_PA (APM 15.30.4). */
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, mfn_to_mpa(hsave).raw);
	return 0;
	/* LAB 1.1 end. The skeleton has instead:
	 *	return LAB_TODO("virt-on", "svm_enable: EFER.SVME and VM_HSAVE_PA");
	 */
}

const struct backend svm_backend = {
	.name = "svm",
	.detect = svm_detect,
	.enable = svm_enable,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.map = svm_map,
	.unmap = svm_unmap,
	.protect = svm_protect,
	.test_and_clear_ad = svm_test_and_clear_ad,
	.lookup = svm_lookup,
	.flush = svm_flush,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_run = svm_vcpu_run,
	.get_control = svm_get_control,
	.set_control = svm_set_control,
	.get_code_segment = svm_get_code_segment,
	.inject_exception = svm_inject_exception,
	.single_step_trap = svm_single_step_trap,
	.dump = svm_dump,
	.entry_check = svm_entry_check_vcpu,
};
