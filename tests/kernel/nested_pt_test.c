/* tests/kernel/nested_pt_test.c — the leaf operations of vmm/mm/nested_pt.c
 * over both entry formats, on tables in machine memory: no backend runs,
 * so the EPT format is checked under QEMU too and the NPT one under Bochs. */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mem.h"
#include "vmm/backend.h"
#include "vmm/mm/nested_pt.h"
#include "vmm/svm/svm.h"
#include "vmm/vmx/vmx.h"

KTEST(nested_pt, npt_format_builds_x86_entries_with_user_set)
{
	mpa_t frame = mpa(0x12345000);
	KT_EXPECT_EQ(t, npt_leaf_entry(&svm_npt_format, frame, NPT_RWX), 0x12345000ull | PTE_PRESENT | PTE_WRITE | PTE_USER);
	KT_EXPECT_EQ(t, npt_leaf_entry(&svm_npt_format, frame, NPT_READ | NPT_EXEC), 0x12345000ull | PTE_PRESENT | PTE_USER);
	KT_EXPECT_EQ(t, npt_leaf_entry(&svm_npt_format, frame, NPT_WRITE), 0); /* x86 paging has no write-only */
	KT_EXPECT_EQ(t, npt_table_entry(&svm_npt_format, frame), 0x12345000ull | PTE_PRESENT | PTE_WRITE | PTE_USER);
}

/* map, lookup, protect (A/D kept), test-and-clear A/D, unmap; which of
 * them leave a flush pending. */
static void leaf_operations(struct ktest_ctx *t, const struct npt_format *fmt, unsigned exec_without_x)
{
	struct nested_pt npt;
	mfn_t f = mem_alloc_zeroed_frame(), seen;
	unsigned prot;
	gfn_t g = { 0x12345 };
	KT_EXPECT_EQ(t, npt_init(&npt, fmt), 0);
	npt.flush_pending = false;
	KT_EXPECT_EQ(t, npt_lookup(&npt, g, &seen, &prot), -E_NOT_FOUND);
	KT_EXPECT_EQ(t, npt.table_frames, 1); /* a lookup never builds tables */
	KT_EXPECT_EQ(t, npt_map(&npt, g, f, NPT_RWX), 0);
	KT_EXPECT(t, !npt.flush_pending); /* nothing was cached for an absent leaf */
	KT_EXPECT_EQ(t, npt.table_frames, 4);
	KT_EXPECT_EQ(t, npt_lookup(&npt, g, &seen, &prot), 0);
	KT_EXPECT_EQ(t, seen.raw, f.raw);
	KT_EXPECT_EQ(t, prot, NPT_RWX);

	*npt_leaf(&npt, g, false) |= fmt->accessed | fmt->dirty; /* as the CPU would */
	KT_EXPECT_EQ(t, npt_protect(&npt, g, NPT_READ), 0);
	KT_EXPECT(t, npt.flush_pending);
	KT_EXPECT_EQ(t, npt_lookup(&npt, g, &seen, &prot), 0);
	KT_EXPECT_EQ(t, prot, NPT_READ | exec_without_x);
	KT_EXPECT_EQ(t, npt_test_and_clear_ad(&npt, g), NPT_ACCESSED | NPT_DIRTY);
	KT_EXPECT_EQ(t, npt_test_and_clear_ad(&npt, g), 0);

	npt.flush_pending = false;
	KT_EXPECT_EQ(t, npt_unmap(&npt, g), 0);
	KT_EXPECT(t, npt.flush_pending);
	KT_EXPECT_EQ(t, npt_unmap(&npt, g), -E_NOT_FOUND);
	KT_EXPECT_EQ(t, npt_protect(&npt, g, NPT_RWX), -E_NOT_FOUND);
	KT_EXPECT_EQ(t, npt_test_and_clear_ad(&npt, g), -E_NOT_FOUND);
	npt_destroy(&npt);
	KT_EXPECT_EQ(t, npt.table_frames, 0);
	mem_free_frame(f);
}

KTEST(nested_pt, leaf_operations_on_npt_entries)
{
	leaf_operations(t, &svm_npt_format, NPT_EXEC); /* NX is never used: always executable */
}

KTEST(nested_pt, leaf_operations_on_ept_entries)
{
	leaf_operations(t, &vmx_ept_format, 0);
}
