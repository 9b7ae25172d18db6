/* tests/kernel/frames_test.c — the machine-frame allocator as booted. */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/paging.h"
#include "kernel/string.h"

#define SAMPLE 64

KTEST(frames, alloc_gives_distinct_free_ram_and_free_returns_it)
{
	mfn_t got[SAMPLE];
	uint64_t before = machine_frames.free;
	for (int i = 0; i < SAMPLE; i++) {
		KT_EXPECT_EQ(t, frames_alloc(&machine_frames, &got[i]), 0);
		KT_EXPECT(t, !frames_is_free(&machine_frames, got[i]));
		for (int j = 0; j < i; j++)
			KT_EXPECT(t, got[i].raw != got[j].raw);
	}
	KT_EXPECT_EQ(t, machine_frames.free, before - SAMPLE);
	for (int i = 0; i < SAMPLE; i++)
		KT_EXPECT_EQ(t, frames_free(&machine_frames, got[i]), 0);
	KT_EXPECT_EQ(t, machine_frames.free, before);
	KT_EXPECT_EQ(t, frames_free(&machine_frames, got[0]), -E_DOUBLE_FREE);
}

KTEST(frames, never_gives_the_kernel_image_or_low_memory)
{
	uint64_t first = (uintptr_t)_kernel_start >> PAGE_SHIFT, last = (uintptr_t)_kernel_end >> PAGE_SHIFT;
	for (uint64_t f = 0; f < last; f++)
		if (f < (1 * MiB >> PAGE_SHIFT) || f >= first)
			KT_EXPECT(t, !frames_is_free(&machine_frames, mfn(f)));
	KT_EXPECT_EQ(t, frames_free(&machine_frames, mfn(first)), -E_RANGE);
}

KTEST(frames, modules_are_reserved)
{
	for (uint32_t i = 0; i < boot_info->module_count; i++)
		for (uint64_t a = ALIGN_DOWN(boot_info->modules[i].start, PAGE_SIZE); a < boot_info->modules[i].end;
		     a += PAGE_SIZE)
			KT_EXPECT(t, !frames_is_free(&machine_frames, mpa_to_mfn(mpa(a))));
}

KTEST(frames, contiguous_run_is_contiguous_and_free)
{
	mfn_t first;
	KT_EXPECT_EQ(t, frames_alloc_contig(&machine_frames, 16, &first), 0);
	for (uint64_t i = 0; i < 16; i++) {
		KT_EXPECT(t, !frames_is_free(&machine_frames, mfn(first.raw + i)));
		KT_EXPECT_EQ(t, frames_free(&machine_frames, mfn(first.raw + i)), 0);
	}
	KT_EXPECT_EQ(t, frames_alloc_contig(&machine_frames, machine_frames.free + 1, &first), -E_NO_MEMORY);
}

/* With more than 4 GiB of RAM, frames above 4 GiB are managed and reachable
 * through the direct map. */
KTEST(frames, ram_above_4g_is_usable)
{
	uint64_t top = machine_frames.nframes;
	if (top <= (4 * GiB >> PAGE_SHIFT)) {
		ktest_skip(t, "no RAM above 4 GiB in this machine");
		return;
	}
	mfn_t high = mfn(top - 1);
	while (high.raw > (4 * GiB >> PAGE_SHIFT) && !frames_is_free(&machine_frames, high))
		high.raw--;
	KT_EXPECT(t, high.raw > (4 * GiB >> PAGE_SHIFT));
	volatile uint64_t *p = mfn_to_virt(high);
	p[0] = 0x5a5a5a5a12345678ull;
	p[511] = high.raw;
	KT_EXPECT_EQ(t, p[0], 0x5a5a5a5a12345678ull);
	KT_EXPECT_EQ(t, p[511], high.raw);
	mpa_t back;
	KT_EXPECT(t, paging_translate((uintptr_t)p, &back));
	KT_EXPECT_EQ(t, back.raw, mfn_to_mpa(high).raw);
}
