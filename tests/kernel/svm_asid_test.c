/* tests/kernel/svm_asid_test.c — ASIDs shared by more VMs than the CPU has:
 * the TLB keeps a VM's translations under its ASID (APM 15.16), so every
 * change of the VM behind an ASID must flush it, in both directions. */
#include "kernel/ktest.h"
#include "vmm/svm/svm.h"

#define ASIDS 16 /* what QEMU's SVM offers: ASID 0 is the host's */

static struct vm vm_a, vm_b;

/* Runs `body` with a machine of ASIDS ASIDs and the VMs' flags cleared. */
static void with_asids(struct ktest_ctx *t, uint32_t id_a, uint32_t id_b,
		       void (*body)(struct ktest_ctx *t, struct vm *a, struct vm *b))
{
	uint32_t saved = svm_caps.asids;
	svm_caps.asids = ASIDS;
	vm_a.id = id_a;
	vm_b.id = id_b;
	svm_take_flush(&vm_a); /* whatever was pending from earlier users */
	svm_take_flush(&vm_b);
	body(t, &vm_a, &vm_b);
	svm_caps.asids = saved;
}

static void alternate(struct ktest_ctx *t, struct vm *a, struct vm *b)
{
	KT_EXPECT_EQ(t, svm_asid(a), svm_asid(b));
	for (int round = 0; round < 3; round++) {
		KT_EXPECT_EQ(t, svm_take_flush(a), true); /* b used the ASID last */
		KT_EXPECT_EQ(t, svm_take_flush(b), true); /* a used it last     */
	}
}

static void same_vm_again(struct ktest_ctx *t, struct vm *a, struct vm *b)
{
	(void)b;
	svm_take_flush(a);
	KT_EXPECT_EQ(t, svm_take_flush(a), false); /* nothing changed: no flush */
	svm_flush(a);
	KT_EXPECT_EQ(t, svm_take_flush(a), true);
}

static void own_asids(struct ktest_ctx *t, struct vm *a, struct vm *b)
{
	KT_EXPECT(t, svm_asid(a) != svm_asid(b));
	svm_take_flush(a);
	svm_take_flush(b);
	KT_EXPECT_EQ(t, svm_take_flush(a), false); /* b ran under another ASID */
}

KTEST(svm, vms_sharing_the_last_asid_flush_on_every_change)
{
	with_asids(t, ASIDS - 1, ASIDS, alternate); /* VM 15 and VM 16 share ASID 15 */
}

KTEST(svm, a_vm_back_on_its_own_asid_flushes_only_when_asked)
{
	with_asids(t, 3, ASIDS - 1, same_vm_again);
	with_asids(t, ASIDS, ASIDS - 1, same_vm_again);
}

KTEST(svm, vms_with_their_own_asids_do_not_flush_each_other)
{
	with_asids(t, 2, 3, own_asids);
}

/* memvisor writing a guest's CR3 for it stands in for the guest's own MOV
 * to CR3, which flushes its non-global TLB entries (APM Vol. 2 5.5.2); a
 * VMCB field written by hand flushes nothing, so the ASID must be. A CR4
 * written unchanged needs none. */
KTEST(svm, control_register_writes_flush_as_the_guests_mov_would)
{
	static struct vmcb v;
	struct svm_vcpu sv = { .vmcb = &v };
	uint32_t saved = svm_caps.asids;
	svm_caps.asids = ASIDS;
	vm_a.id = 1;
	vm_a.vcpu.vm = &vm_a;
	vm_a.vcpu.arch = &sv;
	svm_take_flush(&vm_a);
	svm_take_flush(&vm_a);
	svm_set_control(&vm_a.vcpu, VCPU_CR3, 0x5000);
	KT_EXPECT_EQ(t, svm_take_flush(&vm_a), true);
	v.save.cr4 = CR4_PAE;
	svm_set_control(&vm_a.vcpu, VCPU_CR4, CR4_PAE);
	KT_EXPECT_EQ(t, svm_take_flush(&vm_a), false);
	svm_set_control(&vm_a.vcpu, VCPU_CR4, CR4_PAE | CR4_PGE);
	KT_EXPECT_EQ(t, svm_take_flush(&vm_a), true);
	vm_a.vcpu.arch = NULL;
	svm_caps.asids = saved;
}
