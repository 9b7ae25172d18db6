/* tests/kernel/mem_zswap_region_test.c — the compressed-swap region reserved at boot. */
#include "kernel/ktest.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/string.h"

KTEST(zswap, region_has_the_requested_size)
{
	KT_EXPECT_EQ(t, zswap_region.bytes, ALIGN_UP(options.zswap, PAGE_SIZE));
	KT_EXPECT_EQ(t, zswap_region.start.raw % PAGE_SIZE, 0);
}

KTEST(zswap, region_frames_are_taken_and_writable)
{
	if (!zswap_region.bytes) {
		ktest_skip(t, "zswap=0");
		return;
	}
	for (uint64_t off = 0; off < zswap_region.bytes; off += PAGE_SIZE)
		KT_EXPECT(t, !frames_is_free(&machine_frames, mpa_to_mfn(mpa(zswap_region.start.raw + off))));
	uint8_t *first = mpa_to_virt(zswap_region.start);
	uint8_t *last = mpa_to_virt(mpa(zswap_region.start.raw + zswap_region.bytes - PAGE_SIZE));
	memset(first, 0xa5, PAGE_SIZE);
	memset(last, 0x5a, PAGE_SIZE);
	KT_EXPECT_EQ(t, first[PAGE_SIZE - 1], 0xa5);
	KT_EXPECT_EQ(t, last[0], 0x5a);
}

KTEST(zswap, region_is_outside_the_kernel_image)
{
	uint64_t s = zswap_region.start.raw, e = s + zswap_region.bytes;
	KT_EXPECT(t, e <= (uintptr_t)_kernel_start || s >= (uintptr_t)_kernel_end || !zswap_region.bytes);
}
