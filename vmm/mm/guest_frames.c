/* vmm/mm/guest_frames.c — the guests' frame budget (see guest_frames.h). */
#include "vmm/mm/guest_frames.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/panic.h"

struct guest_frames guest_frames;

uint64_t guest_frames_charged(void)
{
	return guest_frames.used + guest_frames.zswap_pages;
}

uint64_t guest_frames_free_count(void)
{
	uint64_t charged = guest_frames_charged();
	return charged < guest_frames.budget ? guest_frames.budget - charged : 0;
}

void guest_frames_report_zswap(uint64_t pages)
{
	guest_frames.zswap_pages = pages;
}

int vm_frame_alloc(mfn_t *out)
{
	if (guest_frames_charged() >= guest_frames.budget || mem_try_alloc_zeroed(out))
		return -E_NO_MEMORY;
	guest_frames.used++;
	return 0;
}

void vm_frame_free(mfn_t f)
{
	ASSERT(guest_frames.used > 0);
	guest_frames.used--;
	mem_free_frame(f);
}
