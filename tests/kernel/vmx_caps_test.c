/* tests/kernel/vmx_caps_test.c — VT-x detection errors and control fitting, on
 * synthetic machines: no emulator here shows "locked by firmware", and each
 * missing piece (EPT, unrestricted guest) needs its own clear message.
 * The capability values are those of Bochs' corei7_skylake_x, then with
 * one piece taken away. */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "vmm/vmx/vmx.h"

static const struct vmx_caps skylake = {
	.vmx = true,
	.signature = 0x00050654, /* Skylake-SP */
	.feature_control = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX,
	.basic = 0x00d810000000002bull,
	.pinbased = 0x0000007f00000016ull,
	.procbased = 0xfff9fffe04006172ull,
	.procbased2 = 0x02177fff00000000ull,
	.exit = 0x01ffffff00036dfbull,
	.entry = 0x0003ffff000011fbull,
	.misc = 0x00000000000401e0ull,
	.cr0_fixed0 = 0x80000021ull,
	.cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x2000ull,
	.cr4_fixed1 = 0x003727ffull,
	.ept_vpid = 0x00000f0106334141ull,
};

static bool says(const char *msg, const char *words)
{
	for (size_t n = strlen(words); *msg; msg++)
		if (!strncmp(msg, words, n))
			return true;
	return false;
}

KTEST(vmx, skylake_passes)
{
	char msg[512];
	KT_EXPECT_EQ(t, vmx_check_caps(&skylake, msg, sizeof(msg)), 0);
}

KTEST(vmx, no_vmx_names_the_cpuid_bit_and_the_fix)
{
	char msg[512];
	struct vmx_caps c = { .vmx = false };
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_VMX);
	KT_EXPECT(t, says(msg, "no Intel VT-x") && says(msg, "CPUID.1:ECX bit 5") && says(msg, "corei7_skylake_x"));
}

KTEST(vmx, firmware_lock_says_what_to_enable)
{
	char msg[512];
	struct vmx_caps c = skylake;
	c.feature_control = FEATURE_CONTROL_LOCK;
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_LOCKED_BY_FIRMWARE);
	KT_EXPECT(t, says(msg, "VT-x is disabled by firmware: enable Intel Virtualization Technology in the "
			       "firmware setup"));
}

KTEST(vmx, unlocked_feature_control_is_not_an_error)
{
	char msg[512];
	struct vmx_caps c = skylake;
	c.feature_control = 0; /* vmx_detect() locks it with VMX on */
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), 0);
}

KTEST(vmx, no_ept_is_its_own_error)
{
	char msg[512];
	struct vmx_caps c = skylake; /* core2_penryn_t9600: CTLS2 allowed-1 = 0x41 */
	c.procbased2 = 0x0000004100000000ull;
	c.ept_vpid = 0;
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_NESTED_PAGING);
	KT_EXPECT(t, says(msg, "no EPT") && says(msg, "core2_penryn_t9600"));
	c = skylake; /* no secondary controls at all */
	c.procbased &= ~(PROC_ACTIVATE_SECONDARY_CONTROLS << CTLS_ALLOWED1_SHIFT);
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_NESTED_PAGING);
}

KTEST(vmx, ept_needs_4_levels_write_back_and_invept)
{
	char msg[512];
	struct vmx_caps c = skylake;
	c.ept_vpid &= ~EPT_CAP_WALK_LENGTH_4;
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_NESTED_PAGING);
	c = skylake;
	c.ept_vpid &= ~EPT_CAP_WB;
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_NESTED_PAGING);
	c = skylake;
	c.ept_vpid &= ~(EPT_CAP_INVEPT_SINGLE_CONTEXT | EPT_CAP_INVEPT_ALL_CONTEXT);
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_NESTED_PAGING);
	c = skylake;
	c.ept_vpid &= ~EPT_CAP_AD; /* optional: only test_and_clear_ad needs it */
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), 0);
}

KTEST(vmx, no_unrestricted_guest_explains_the_boot_protocol)
{
	char msg[512];
	struct vmx_caps c = skylake; /* corei5_lynnfield_750: EPT, no bit 7 */
	c.procbased2 &= ~(PROC2_UNRESTRICTED_GUEST << CTLS_ALLOWED1_SHIFT);
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_UNRESTRICTED_GUEST);
	KT_EXPECT(t, says(msg, "unrestricted guest") && says(msg, "paging off") && says(msg, "corei5_lynnfield_750"));
}

KTEST(vmx, adjust_controls_ors_allowed0_and_ands_allowed1)
{
	uint32_t out, missing;
	uint64_t cap = (0x0000f0ffull << CTLS_ALLOWED1_SHIFT) | 0x00000016ull;
	KT_EXPECT_EQ(t, vmx_adjust_controls(0x81, cap, &out, &missing), 0);
	KT_EXPECT_EQ(t, out, 0x97);
	KT_EXPECT_EQ(t, vmx_adjust_controls(0x181, cap, &out, &missing), -E_NOT_SUPPORTED);
	KT_EXPECT_EQ(t, missing, 0x100);
}

KTEST(vmx, controls_for_skylake)
{
	char msg[512];
	struct vmx_controls c = { 0 };
	KT_EXPECT_EQ(t, vmx_compute_controls(&skylake, &c, msg, sizeof(msg)), 0);
	KT_EXPECT(t, c.pinbased & PIN_EXTERNAL_INTERRUPT_EXITING);
	KT_EXPECT(t, c.pinbased & PIN_ACTIVATE_VMX_PREEMPTION_TIMER); /* optional, skylake has it */
	const uint32_t proc = PROC_HLT_EXITING | PROC_RDPMC_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS;
	KT_EXPECT(t, (c.procbased & proc) == proc);
	KT_EXPECT(t, !(c.procbased & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING))); /* TRUE MSRs */
	KT_EXPECT_EQ(t, c.procbased2,
		     PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST | PROC2_WBINVD_EXITING | PROC2_ENABLE_VPID);
	KT_EXPECT(t, !(c.exit & EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT));
	KT_EXPECT(t, (c.entry & ENTRY_LOAD_IA32_EFER) && !(c.entry & ENTRY_IA32E_MODE_GUEST));
}

/* A model with the preemption-timer erratum gets no timer even though its
 * capability MSR allows one; its reserved CPUID bits do not hide it, and
 * the model next to it in the list keeps the timer. */
KTEST(vmx, controls_leave_the_timer_off_on_a_model_with_the_erratum)
{
	char msg[512];
	struct vmx_controls c = { 0 };
	struct vmx_caps xeon5500 = skylake;
	xeon5500.signature = 0x000106a5 | 0x3u << 14 | 0xfu << 28;
	KT_EXPECT_EQ(t, vmx_compute_controls(&xeon5500, &c, msg, sizeof(msg)), 0);
	KT_EXPECT(t, !(c.pinbased & PIN_ACTIVATE_VMX_PREEMPTION_TIMER));
	KT_EXPECT(t, c.pinbased & PIN_EXTERNAL_INTERRUPT_EXITING); /* what ends a slice there */
	xeon5500.signature = 0x000106a6;
	KT_EXPECT_EQ(t, vmx_compute_controls(&xeon5500, &c, msg, sizeof(msg)), 0);
	KT_EXPECT(t, c.pinbased & PIN_ACTIVATE_VMX_PREEMPTION_TIMER);
}

/* Guest CR8 and DR7 stay the guest's: a TPR shadow instead of the real
 * TPR, no CR8 exits to emulate, DR7/DEBUGCTL saved and loaded per VMCS. */
KTEST(vmx, controls_keep_cr8_and_dr7_per_guest)
{
	char msg[512];
	struct vmx_controls c = { 0 };
	KT_EXPECT_EQ(t, vmx_compute_controls(&skylake, &c, msg, sizeof(msg)), 0);
	KT_EXPECT(t, c.procbased & PROC_USE_TPR_SHADOW);
	KT_EXPECT(t, !(c.procbased & (PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING)));
	KT_EXPECT(t, c.exit & EXIT_SAVE_DEBUG_CONTROLS);
	KT_EXPECT(t, c.entry & ENTRY_LOAD_DEBUG_CONTROLS);
}

/* INVEPT and INVVPID types follow IA32_VMX_EPT_VPID_CAP (SDM A.10):
 * single-context when bit 25 / 41 says so, else all-context (26 / 42). */
KTEST(vmx, invalidation_types_follow_the_capability_msr)
{
	struct vmx_caps c = skylake;
	KT_EXPECT_EQ(t, vmx_invept_type(&c), INVEPT_SINGLE_CONTEXT);
	KT_EXPECT_EQ(t, vmx_invvpid_type(&c), INVVPID_SINGLE_CONTEXT);
	c.ept_vpid &= ~(EPT_CAP_INVEPT_SINGLE_CONTEXT | VPID_CAP_INVVPID_SINGLE_CONTEXT);
	KT_EXPECT_EQ(t, vmx_invept_type(&c), INVEPT_ALL_CONTEXT);
	KT_EXPECT_EQ(t, vmx_invvpid_type(&c), INVVPID_ALL_CONTEXT);
	c.ept_vpid &= ~(EPT_CAP_INVEPT_ALL_CONTEXT | VPID_CAP_INVVPID_ALL_CONTEXT);
	KT_EXPECT_EQ(t, vmx_invept_type(&c), 0);
	KT_EXPECT_EQ(t, vmx_invvpid_type(&c), 0);
	c = skylake; /* types listed but INVVPID itself absent (bit 32) */
	c.ept_vpid &= ~VPID_CAP_INVVPID;
	KT_EXPECT_EQ(t, vmx_invvpid_type(&c), 0);
}

/* No INVEPT type at all: detection refuses, naming the bits. */
KTEST(vmx, no_invept_type_is_refused_with_the_bits)
{
	char msg[512];
	struct vmx_caps c = skylake;
	c.ept_vpid &= ~(EPT_CAP_INVEPT_SINGLE_CONTEXT | EPT_CAP_INVEPT_ALL_CONTEXT);
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_NESTED_PAGING);
	KT_EXPECT(t, says(msg, "INVEPT") && says(msg, "25 or 26"));
}

/* "Enable VPID" only where it may be 1 and INVVPID can flush a VPID;
 * otherwise memvisor runs without VPIDs (VPID 0 is flushed by every
 * entry and exit, SDM 29.4.3.1) rather than failing. */
KTEST(vmx, vpid_only_with_a_usable_invvpid)
{
	char msg[512];
	struct vmx_controls ctl = { 0 };
	struct vmx_caps c = skylake;
	KT_EXPECT(t, vmx_vpid_usable(&c));
	c.ept_vpid &= ~VPID_CAP_INVVPID;
	KT_EXPECT(t, !vmx_vpid_usable(&c));
	KT_EXPECT_EQ(t, vmx_compute_controls(&c, &ctl, msg, sizeof(msg)), 0);
	KT_EXPECT(t, !(ctl.procbased2 & PROC2_ENABLE_VPID));
	c = skylake;
	c.ept_vpid &= ~(VPID_CAP_INVVPID_SINGLE_CONTEXT | VPID_CAP_INVVPID_ALL_CONTEXT);
	KT_EXPECT(t, !vmx_vpid_usable(&c));
	c = skylake;
	c.procbased2 &= ~(PROC2_ENABLE_VPID << CTLS_ALLOWED1_SHIFT);
	KT_EXPECT(t, !vmx_vpid_usable(&c));
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), 0);
}

/* A VPID per vCPU, never 0 (SDM 27.2.1.1), none shared by two VMs. */
KTEST(vmx, vpids_are_per_vm_and_never_zero)
{
	static struct vm a, b; /* ids as guests_option.c gives them: 1..VM_MAX */
	for (unsigned i = 1; i <= VM_MAX; i++) {
		a.id = i;
		KT_EXPECT(t, vmx_vpid(&a) != 0);
		for (unsigned j = 1; j < i; j++) {
			b.id = j;
			KT_EXPECT(t, vmx_vpid(&a) != vmx_vpid(&b));
		}
	}
}

KTEST(vmx, missing_control_is_named)
{
	char msg[512];
	struct vmx_caps c = skylake;
	c.exit &= ~(EXIT_LOAD_IA32_EFER << CTLS_ALLOWED1_SHIFT);
	KT_EXPECT_EQ(t, vmx_check_caps(&c, msg, sizeof(msg)), -E_NO_VMX);
	KT_EXPECT(t, says(msg, "\"load IA32_EFER\""));
}

KTEST(vmx, ept_entries_and_pointer)
{
	mpa_t frame = mpa(0x12345000);
	KT_EXPECT_EQ(t, npt_leaf_entry(&vmx_ept_format, frame, NPT_RWX), 0x12345000ull | EPT_RWX | (6 << 3));
	KT_EXPECT_EQ(t, npt_leaf_entry(&vmx_ept_format, frame, NPT_READ), 0x12345000ull | EPT_READ | (6 << 3));
	KT_EXPECT_EQ(t, npt_leaf_entry(&vmx_ept_format, frame, NPT_WRITE), 0); /* W without R: misconfiguration */
	KT_EXPECT_EQ(t, npt_table_entry(&vmx_ept_format, frame), 0x12345000ull | EPT_RWX);
	KT_EXPECT_EQ(t, vmx_eptp(mfn(0x777), false), 0x777000ull | 6 | (3 << 3));
	KT_EXPECT_EQ(t, vmx_eptp(mfn(0x777), true), 0x777000ull | 6 | (3 << 3) | BIT(6));
}

KTEST(vmx, names_follow_the_sdm)
{
	KT_EXPECT_STR(t, vmx_instruction_error_name(7), "VM entry with invalid control field(s)");
	KT_EXPECT_STR(t, vmx_instruction_error_name(8), "VM entry with invalid host-state field(s)");
	KT_EXPECT_STR(t, vmx_instruction_error_name(28), "Invalid operand to INVEPT/INVVPID");
	KT_EXPECT(t, says(vmx_instruction_error_name(14), "not a VM-instruction error"));
	KT_EXPECT_STR(t, vmx_exit_reason_name(33), "VM-entry failure due to invalid guest state");
	KT_EXPECT_STR(t, vmx_exit_reason_name(48), "EPT violation");
	KT_EXPECT_STR(t, vmx_exit_reason_name(49), "EPT misconfiguration");
	KT_EXPECT_STR(t, vmx_exit_reason_name(69), "LOADIWKEY");
	for (uint32_t r = 0; r <= 69; r++)
		if (r != 35 && r != 38 && r != 42)
			KT_EXPECT(t, !says(vmx_exit_reason_name(r), "not a basic exit reason"));
}
