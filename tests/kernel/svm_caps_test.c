/* tests/kernel/svm_caps_test.c — SVM detection errors, on synthetic machines:
 * QEMU cannot show "disabled by firmware", so the check is a function of
 * the capabilities and is tested with each missing piece. */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "vmm/svm/svm.h"

static const struct svm_caps full = { .svm = true, .nested_paging = true, .asids = 16 };

static bool says(const char *msg, const char *words)
{
	for (size_t n = strlen(words); *msg; msg++)
		if (!strncmp(msg, words, n))
			return true;
	return false;
}

KTEST(svm, full_machine_passes)
{
	char msg[200];
	KT_EXPECT_EQ(t, svm_check_caps(&full, msg, sizeof(msg)), 0);
}

KTEST(svm, no_svm_names_the_cpuid_bit_and_the_fix)
{
	char msg[200];
	struct svm_caps c = full;
	c.svm = false;
	KT_EXPECT_EQ(t, svm_check_caps(&c, msg, sizeof(msg)), -E_NO_SVM);
	KT_EXPECT(t, says(msg, "no AMD SVM") && says(msg, "-cpu max"));
}

KTEST(svm, firmware_lock_names_vm_cr)
{
	char msg[200];
	struct svm_caps c = full;
	c.disabled = true;
	KT_EXPECT_EQ(t, svm_check_caps(&c, msg, sizeof(msg)), -E_LOCKED_BY_FIRMWARE);
	KT_EXPECT(t, says(msg, "SVMDIS") && says(msg, "firmware setup"));
}

KTEST(svm, no_nested_paging_is_its_own_error)
{
	char msg[200];
	struct svm_caps c = full;
	c.nested_paging = false;
	KT_EXPECT_EQ(t, svm_check_caps(&c, msg, sizeof(msg)), -E_NO_NESTED_PAGING);
	KT_EXPECT(t, says(msg, "nested paging"));
}

/* Decode assists (CPUID 8000_000Ah EDX bit 7; APM 15.33.1): a MOV to CR0
 * names its source GPR in EXITINFO1 and, with next-RIP save, needs no
 * read of guest memory. Without either, or for LMSW/CLTS (bit 63 clear),
 * insn_len stays 0 and the core decodes the bytes. No emulator here
 * offers decode assists, so the VMCB is synthetic. */
KTEST(svm, decode_assists_give_the_mov_to_cr_source)
{
	static struct vmcb v;
	const struct svm_caps saved = svm_caps;
	struct vcpu_regs regs = { .rbx = 0x80000011, .rax = 0x11 };
	struct exit_record e;
	v.control.exit_code = VMEXIT_CR0_WRITE;
	v.control.exit_info1 = CR_EXITINFO1_MOV | 3; /* mov %rbx, %cr0 */
	v.save.rip = 0x1000;
	v.control.next_rip = 0x1003;
	svm_caps.decode_assists = svm_caps.nrip_save = true;
	svm_decode_exit(&e, &v, &regs);
	KT_EXPECT_EQ(t, e.reason, EXIT_CR_WRITE);
	KT_EXPECT_EQ(t, e.cr.reg, VCPU_CR0);
	KT_EXPECT_EQ(t, e.cr.source, 0x80000011);
	KT_EXPECT_EQ(t, e.insn_len, 3);
	v.control.exit_info1 = 0; /* LMSW or CLTS: not described */
	svm_decode_exit(&e, &v, &regs);
	KT_EXPECT_EQ(t, e.insn_len, 0);
	v.control.exit_info1 = CR_EXITINFO1_MOV | 3;
	svm_caps.decode_assists = false;
	svm_decode_exit(&e, &v, &regs);
	KT_EXPECT_EQ(t, e.insn_len, 0);
	svm_caps.decode_assists = true;
	svm_caps.nrip_save = false; /* the source alone would not give the length */
	svm_decode_exit(&e, &v, &regs);
	KT_EXPECT_EQ(t, e.insn_len, 0);
	svm_caps = saved;
}
