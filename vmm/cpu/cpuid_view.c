/* vmm/cpu/cpuid_view.c — the guest's view of CPUID, computed from the
 * host's answer (vmm/cpu/cpuid_view.h has the rule). A guest must not see
 * SVM or VMX: memvisor does not emulate nested virtualisation, and a guest
 * that believed it could run VMRUN or VMXON would take #UD (APM 15.4,
 * SDM Vol. 3C 24.6). It must not see performance counters memvisor does
 * not virtualise, and it should know it runs on a hypervisor (leaf 1 ECX
 * bit 31, then the leaves from 0x40000000, the convention KVM, Xen and
 * Hyper-V share). */
#include "vmm/cpu/cpuid_view.h"
#include "vmm/hypercall_abi.h"
#include "kernel/lab.h"
#include "kernel/x86.h"

/* The last leaf of the range hypervisors own (SDM Vol. 2A CPUID: "no
 * existing or future CPU will return processor identification or feature
 * information if the initial EAX value is in the range 40000000H to
 * 4FFFFFFFH"; the 0x100 leaves from the base are the common convention). */
#define CPUID_HYPERVISOR_LAST (CPUID_HYPERVISOR_BASE + 0xffu)

/* A flag that follows a bit of the guest's CR4 (SDM Vol. 2A CPUID: OSXSAVE
 * and OSPKE reflect CR4.OSXSAVE and CR4.PKE). */
static uint32_t cr4_flag(uint32_t reg, uint32_t flag, uint64_t guest_cr4, uint64_t cr4_bit)
{
	return (reg & ~flag) | ((guest_cr4 & cr4_bit) ? flag : 0);
}

/* Up to 4 bytes of the signature from byte `at` as a register: the first
 * byte lowest, as leaf 0's vendor string (SDM Vol. 2A CPUID); zeros past
 * its end. */
static uint32_t signature_word(unsigned at)
{
	static const char sig[] = CPUID_HYPERVISOR_SIGNATURE;
	uint32_t w = 0;
	for (unsigned i = 0; i < 4; i++)
		if (at + i < sizeof(sig) - 1)
			w |= (uint32_t)(uint8_t)sig[at + i] << (8 * i);
	return w;
}

int cpuid_guest_view(uint32_t leaf, uint32_t sub, uint64_t guest_cr4, struct cpuid_regs *r)
{
	/* LAB 1.3 virt-on: design the guest's view of CPUID from the host's
	 * answer in *r: memvisor's leaves 0x40000000-0x400000ff (maximum
	 * leaf and signature, zeros elsewhere), VMX and SVM hidden with their
	 * feature leaf, performance monitoring hidden, the hypervisor bit,
	 * OSXSAVE and OSPKE from the guest's CR4; every other bit as the host
	 * says. The rule and its invariants: vmm/cpu/cpuid_view.h and
	 * docs/labs/1-virt-on.md, exercise 1.3. */
	if (leaf >= CPUID_HYPERVISOR_BASE && leaf <= CPUID_HYPERVISOR_LAST) {
		r->a = r->b = r->c = r->d = 0;
		if (leaf == CPUID_HYPERVISOR_BASE) {
			r->a = CPUID_HYPERVISOR_MAX;
			r->b = signature_word(0);
			r->c = signature_word(4);
			r->d = signature_word(8);
		}
	} else if (leaf == CPUID_FEATURES) {
		r->c = (r->c & ~(uint32_t)CPUID1_ECX_VMX) | (uint32_t)CPUID1_ECX_HYPERVISOR;
		r->c = cr4_flag(r->c, CPUID1_ECX_OSXSAVE, guest_cr4, CR4_OSXSAVE);
	} else if (leaf == CPUID_STRUCTURED_FEATURES && sub == 0) {
		r->c = cr4_flag(r->c, CPUID7_ECX_OSPKE, guest_cr4, CR4_PKE);
	} else if (leaf == CPUID_EXT_FEATURES) {
		r->c &= ~(uint32_t)CPUID_EXT_ECX_SVM;
	} else if (leaf == CPUID_SVM_FEATURES || leaf == CPUID_PERFMON) {
		/* Perfmon version 0: no counters; RDPMC is #GP (vmm/exit.c). */
		r->a = r->b = r->c = r->d = 0;
	}
	return 0;
	/* LAB 1.3 end. The skeleton has instead:
	 *	(void)leaf, (void)sub, (void)guest_cr4, (void)r;
	 *	(void)cr4_flag, (void)signature_word;
	 *	return LAB_TODO("virt-on", "cpuid_guest_view");
	 */
}
