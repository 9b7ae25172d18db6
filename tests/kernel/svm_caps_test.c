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
