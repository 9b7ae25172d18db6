/* vmm/vmx/controls.c — the VM-execution, VM-exit and VM-entry controls
 * memvisor wants, fitted to what the CPU allows.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 25.6-25.8 (the controls),
 * Vol. 3D A.2-A.5 (capability MSRs, "default1" bits and the TRUE MSRs).
 *
 * Every control field has a capability MSR: a bit set in its low half must
 * be 1, a bit clear in its high half must be 0. Asking for a bit the CPU
 * cannot set is an error; bits it insists on are simply added. With the
 * TRUE_* MSRs (VMX_BASIC bit 55) some "default1" bits, such as CR3-load
 * exiting and the debug-control loads, may be 0. */
#include "vmm/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/lab.h"
#include "kernel/printf.h"

struct wanted_control {
	uint32_t bit;
	const char *name; /* the SDM's name of the control */
};

/* Pin-based: host interrupts and NMIs while the guest runs come to us. */
static const struct wanted_control pin_wanted[] = {
	{ PIN_EXTERNAL_INTERRUPT_EXITING, "external-interrupt exiting" },
	{ PIN_NMI_EXITING, "NMI exiting" },
};

/* Primary: HLT, every port and every MSR exit (bitmaps all ones, like
 * SVM's IOPM/MSRPM), RDPMC too (the host's counters); the secondary
 * controls carry EPT and WBINVD exiting (a flush of the machine's caches).
 * INVD exits without asking (SDM 26.1.2). The TPR shadow keeps the
 * guest's CR8 in its own virtual-APIC page: without it MOV to CR8 sets the
 * real TPR, which the next VM would read and which can mask the host's
 * timer (SDM 30.3). */
static const struct wanted_control proc_wanted[] = {
	{ PROC_HLT_EXITING, "HLT exiting" },
	{ PROC_RDPMC_EXITING, "RDPMC exiting" },
	{ PROC_USE_TPR_SHADOW, "use TPR shadow" },
	{ PROC_USE_IO_BITMAPS, "use I/O bitmaps" },
	{ PROC_USE_MSR_BITMAPS, "use MSR bitmaps" },
	{ PROC_ACTIVATE_SECONDARY_CONTROLS, "activate secondary controls" },
};

static const struct wanted_control proc2_wanted[] = {
	{ PROC2_ENABLE_EPT, "enable EPT" },
	{ PROC2_UNRESTRICTED_GUEST, "unrestricted guest" },
	{ PROC2_WBINVD_EXITING, "WBINVD exiting" },
};

/* Exit: back to 64-bit mode, EFER saved and reloaded, the guest's DR7 and
 * IA32_DEBUGCTL saved (else they would not be kept per VM: SDM 28.3.1).
 * "Acknowledge interrupt on exit" stays 0: the interrupt stays pending and
 * the host IDT takes it once vcpu_run sets IF again. */
static const struct wanted_control exit_wanted[] = {
	{ EXIT_SAVE_DEBUG_CONTROLS, "save debug controls" },
	{ EXIT_HOST_ADDRESS_SPACE_SIZE, "host address-space size" },
	{ EXIT_SAVE_IA32_EFER, "save IA32_EFER" },
	{ EXIT_LOAD_IA32_EFER, "load IA32_EFER" },
};

/* Entry: the guest's EFER, DR7 and IA32_DEBUGCTL from the VMCS (SDM
 * 27.3.2.1). "IA-32e mode guest" is switched per vCPU (vcpu.c) but must be
 * allowed. */
static const struct wanted_control entry_wanted[] = {
	{ ENTRY_LOAD_DEBUG_CONTROLS, "load debug controls" },
	{ ENTRY_LOAD_IA32_EFER, "load IA32_EFER" },
	{ ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest" },
};

int vmx_adjust_controls(uint32_t wanted, uint64_t cap, uint32_t *out, uint32_t *missing)
{
	/* LAB 1.2 virt-on: fit the wanted bits to the capability MSR `cap`
	 * (SDM Vol. 3D A.3): its low half has the bits that must be 1, its
	 * high half (from CTLS_ALLOWED1_SHIFT) those that may be 1. Wanted
	 * bits that may not be 1 go to *missing, with -E_NOT_SUPPORTED;
	 * otherwise *out gets the wanted bits plus the required ones, 0. */
	uint32_t must_be_one = (uint32_t)cap, may_be_one = (uint32_t)(cap >> CTLS_ALLOWED1_SHIFT);
	*missing = wanted & ~may_be_one;
	if (*missing)
		return -E_NOT_SUPPORTED;
	*out = (wanted | must_be_one) & may_be_one;
	return 0;
	/* LAB 1.2 end. The skeleton has instead:
	 *	(void)cap;
	 *	*out = wanted;
	 *	*missing = 0;
	 *	return LAB_TODO("virt-on", "vmx_adjust_controls");
	 */
}

static int fit(const char *field, const struct wanted_control *w, size_t n, uint64_t cap, uint32_t *out, char *msg,
	       size_t size)
{
	uint32_t wanted = 0, missing;
	for (size_t i = 0; i < n; i++)
		wanted |= w[i].bit;
	int rc = vmx_adjust_controls(wanted, cap, out, &missing);
	if (!rc)
		return 0;
	if (rc != -E_NOT_SUPPORTED) {
		ksnprintf(msg, size, "cannot fit the %s controls to capability MSR %#llx (error %d)", field,
			  (unsigned long long)cap, rc);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		if (missing & w[i].bit)
			ksnprintf(msg, size, "this CPU's VT-x cannot set the %s control \"%s\" (capability MSR %#llx); "
					     "memvisor needs it",
				  field, w[i].name, (unsigned long long)cap);
	return -E_NO_VMX;
}

/* Intel's specification updates for these models list an erratum: the
 * VMX-preemption timer does not count down at the rate IA32_VMX_MISC[4:0]
 * says (e.g. Xeon 5500 AAK139, Core i7-900 AAJ124, Xeon 7500 BA86; the
 * same list as Linux KVM's and VirtualBox's). A slice could then run far
 * longer or shorter than asked, so memvisor leaves the timer off there;
 * on real hardware external-interrupt exiting still ends each slice at
 * the next host timer tick, whatever the guest's RFLAGS.IF (SDM 26.2).
 * CPUID.1:EAX is compared without its reserved bits 15:14 and 31:28. */
static const uint32_t preemption_timer_errata[] = {
	0x000206e6, /* Xeon 7500, D0                                  */
	0x00020652, /* Xeon L3406; Core i7-600, i5-500/400 mobile, C2 */
	0x00020655, /* Core i5-600, i3-500 desktop, K0                */
	0x000106e5, /* Xeon 3400; Core i7-800, i5-700, B1             */
	0x000106a0, /* Xeon 3500, C0                                  */
	0x000106a1, /* Xeon 3500, C1                                  */
	0x000106a4, /* Core i7-900 desktop, C0                        */
	0x000106a5, /* Xeon 3500/5500, Core i7-900, D0                */
	0x000306a8, /* Xeon E3-1220 v2                                */
};
#define CPUID1_EAX_RESERVED (0x3u << 14 | 0xfu << 28)

bool vmx_preemption_timer_broken(uint32_t signature)
{
	for (size_t i = 0; i < ARRAY_SIZE(preemption_timer_errata); i++)
		if ((signature & ~CPUID1_EAX_RESERVED) == preemption_timer_errata[i])
			return true;
	return false;
}

int vmx_compute_controls(const struct vmx_caps *caps, struct vmx_controls *c, char *msg, size_t size)
{
	int rc = fit("pin-based VM-execution", pin_wanted, ARRAY_SIZE(pin_wanted), caps->pinbased, &c->pinbased,
		     msg, size);
	if (!rc)
		rc = fit("primary processor-based VM-execution", proc_wanted, ARRAY_SIZE(proc_wanted),
			 caps->procbased, &c->procbased, msg, size);
	if (!rc)
		rc = fit("secondary processor-based VM-execution", proc2_wanted, ARRAY_SIZE(proc2_wanted),
			 caps->procbased2, &c->procbased2, msg, size);
	if (!rc)
		rc = fit("VM-exit", exit_wanted, ARRAY_SIZE(exit_wanted), caps->exit, &c->exit, msg, size);
	if (!rc)
		rc = fit("VM-entry", entry_wanted, ARRAY_SIZE(entry_wanted), caps->entry, &c->entry, msg, size);
	c->entry &= ~(uint32_t)ENTRY_IA32E_MODE_GUEST; /* guests boot in 32-bit mode */
	/* Optional: the VMX-preemption timer bounds how long a guest runs
	 * without an exit. External-interrupt exiting alone should do that,
	 * but Bochs 2.7 makes no external-interrupt exit while the guest has
	 * RFLAGS.IF = 0 (it computes the interrupt mask at VM entry before it
	 * counts as being in the guest), and memvisor's guests run with
	 * IF = 0. The timer's exit is reported as EXIT_INTERRUPT. */
	if (((caps->pinbased >> CTLS_ALLOWED1_SHIFT) & PIN_ACTIVATE_VMX_PREEMPTION_TIMER) &&
	    !vmx_preemption_timer_broken(caps->signature))
		c->pinbased |= PIN_ACTIVATE_VMX_PREEMPTION_TIMER;
	/* Optional: VPIDs keep a guest's TLB entries across its exits (SDM
	 * 29.1) where INVVPID can flush them (tlb.c). */
	if (vmx_vpid_usable(caps))
		c->procbased2 |= PROC2_ENABLE_VPID;
	return rc;
}
