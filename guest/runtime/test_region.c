/* guest/runtime/test_region.c — how big a test region can be (see
 * test_region.h). */
#include "test_region.h"
#include "frames.h"
#include "paging.h"

uint64_t test_region_sums_bytes(uint64_t pages)
{
	return ALIGN_UP(pages * sizeof(uint64_t), PAGE_SIZE);
}

uint64_t test_region_frames(uint64_t pages)
{
	uint64_t sum_pages = test_region_sums_bytes(pages) / PAGE_SIZE;
	return pages + sum_pages + paging_table_frames(pages) + paging_table_frames(sum_pages);
}

uint64_t test_region_pages_that_fit(uint64_t slack_bytes)
{
	uint64_t slack = slack_bytes / PAGE_SIZE;
	uint64_t budget = frame_count_free() > slack ? frame_count_free() - slack : 0, pages = budget;
	/* test_region_frames() grows by at least 1 per page, so each step lands
	 * at or below the budget; the loop is for clarity, not convergence. */
	while (pages && test_region_frames(pages) > budget)
		pages -= MIN(pages, test_region_frames(pages) - budget);
	return pages;
}
