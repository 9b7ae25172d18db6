/* tests/kernel/paging_test.c — the kernel's own page tables. */
#include "kernel/io.h"
#include "kernel/ktest.h"
#include "kernel/mem.h"
#include "kernel/paging.h"

KTEST(paging, kernel_image_is_identity_mapped)
{
	mpa_t m;
	uint64_t text = (uintptr_t)&paging_translate;
	KT_EXPECT(t, paging_translate(text, &m));
	KT_EXPECT_EQ(t, m.raw, text);
}

KTEST(paging, direct_map_covers_all_ram)
{
	mpa_t m;
	uint64_t end = paging_direct_end();
	KT_EXPECT(t, end >= machine_frames.nframes * PAGE_SIZE);
	for (uint64_t a = 0; a < end; a += end / 8 ? ALIGN_DOWN(end / 8, PAGE_SIZE) : PAGE_SIZE) {
		KT_EXPECT(t, paging_translate(DIRECT_MAP_BASE + a + 0x123, &m));
		KT_EXPECT_EQ(t, m.raw, a + 0x123);
	}
	KT_EXPECT(t, paging_translate(DIRECT_MAP_BASE + end - 1, &m));
	KT_EXPECT(t, !paging_translate(DIRECT_MAP_BASE + end, &m));
}

KTEST(paging, direct_map_aliases_the_same_frame)
{
	static volatile uint64_t cell;
	cell = 0x1122334455667788ull;
	volatile uint64_t *alias = mpa_to_virt(mpa((uintptr_t)&cell));
	KT_EXPECT_EQ(t, *alias, 0x1122334455667788ull);
	*alias = 42;
	KT_EXPECT_EQ(t, cell, 42);
}

KTEST(paging, unmapped_addresses_do_not_translate)
{
	mpa_t m;
	KT_EXPECT(t, !paging_translate(IDENTITY_MAP_SIZE + 0x1000, &m));
	KT_EXPECT(t, !paging_translate(0x0000400000000000ull, &m));
}

KTEST(paging, kernel_tables_are_loaded)
{
	uint64_t cr3 = read_cr3() & PTE_ADDR_MASK;
	/* The early tables live in the kernel image; ours came from the allocator. */
	KT_EXPECT(t, cr3 < (uintptr_t)_kernel_start || cr3 >= (uintptr_t)_kernel_end);
	KT_EXPECT(t, !frames_is_free(&machine_frames, mpa_to_mfn(mpa(cr3))));
}
