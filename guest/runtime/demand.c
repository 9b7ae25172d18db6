/* guest/runtime/demand.c — demand regions (demand.h).
 * See: SDM Vol. 3A (rev. 084) 4.7 (page-fault error code), 6.15 (#PF). */
#include "demand.h"
#include "console.h"
#include "frames.h"
#include "paging.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/x86.h"


struct demand_region {
	uint64_t start, end; /* gva, end exclusive; end == 0: free slot */
};

static struct demand_region demand_regions[DEMAND_REGIONS_MAX];
static uint64_t demand_faults;

int demand_region_add(gva_t start, uint64_t size)
{
	uint64_t end = start.raw + size;
	if (start.raw % PAGE_SIZE || size % PAGE_SIZE || !size || end < start.raw)
		return -E_INVAL;
	for (unsigned i = 0; i < DEMAND_REGIONS_MAX; i++) {
		if (!demand_regions[i].end) {
			demand_regions[i] = (struct demand_region){ start.raw, end };
			return 0;
		}
	}
	return -E_NO_MEMORY;
}

static bool demand_covers(uint64_t va)
{
	for (unsigned i = 0; i < DEMAND_REGIONS_MAX; i++)
		if (va >= demand_regions[i].start && va < demand_regions[i].end)
			return true;
	return false;
}

bool demand_handle_fault(uint64_t cr2, uint64_t error_code)
{
	/* A protection fault on a present page is a bug, not a first touch. */
	if ((error_code & PF_ERROR_PRESENT) || !demand_covers(cr2))
		return false;
	gva_t page = gva_of(ALIGN_DOWN(cr2, PAGE_SIZE));
	gpa_t frame;
	if (frame_alloc(&frame)) {
		guest_printf("guest: no free frame for a demand fault at gva 0x%llx\n",
			     (unsigned long long)cr2);
		return false;
	}
	/* A recycled frame holds old data; the first touch must read zeros. */
	memset(gpa_to_ptr(frame), 0, PAGE_SIZE);
	int err = guest_map(page, frame, PTE_WRITE);
	if (err) {
		guest_printf("guest: demand fault at gva 0x%llx: guest_map failed (%d)\n",
			     (unsigned long long)cr2, err);
		frame_free(frame);
		return false;
	}
	demand_faults++;
	return true;
}

uint64_t demand_fault_count(void)
{
	return demand_faults;
}
