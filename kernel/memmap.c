/* kernel/memmap.c — questions about the boot memory map (see memmap.h).
 * Ranges are clipped inward to whole pages: a partial page is not RAM we
 * can hand out. */
#include "kernel/memmap.h"
#include "kernel/errno.h"

uint64_t memmap_usable_end(const struct boot_mem_range *map, uint32_t n)
{
	uint64_t end = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = ALIGN_DOWN(map[i].base + map[i].length, PAGE_SIZE);
		if (map[i].type == BOOT_MEM_USABLE && e > ALIGN_UP(map[i].base, PAGE_SIZE) && e > end)
			end = e;
	}
	return end;
}

static bool overlaps(uint64_t s, uint64_t e, const struct mem_hole *h)
{
	return s < h->end && h->start < e;
}

/* Lowest candidate at or after `start` that clears every hole and every
 * range the map calls non-usable (a non-usable range wins where a buggy
 * map overlaps it with a usable one). */
static uint64_t skip_holes(uint64_t start, uint64_t bytes, const struct mem_hole *holes, uint32_t nholes,
			   const struct boot_mem_range *map, uint32_t n)
{
	for (bool moved = true; moved;) {
		moved = false;
		for (uint32_t h = 0; h < nholes; h++) {
			if (overlaps(start, start + bytes, &holes[h])) {
				start = ALIGN_UP(holes[h].end, PAGE_SIZE);
				moved = true;
			}
		}
		for (uint32_t i = 0; i < n; i++) {
			struct mem_hole r = { map[i].base, map[i].base + map[i].length };
			if (map[i].type != BOOT_MEM_USABLE && overlaps(start, start + bytes, &r)) {
				start = ALIGN_UP(r.end, PAGE_SIZE);
				moved = true;
			}
		}
	}
	return start;
}

int memmap_find_free(const struct boot_mem_range *map, uint32_t n, const struct mem_hole *holes,
		     uint32_t nholes, uint64_t bytes, uint64_t floor, uint64_t limit, uint64_t *start)
{
	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	for (uint32_t i = 0; i < n; i++) {
		if (map[i].type != BOOT_MEM_USABLE)
			continue;
		/* floor is rounded up too: the block must start on a page. */
		uint64_t s = MAX(ALIGN_UP(map[i].base, PAGE_SIZE), ALIGN_UP(floor, PAGE_SIZE));
		uint64_t e = MIN(ALIGN_DOWN(map[i].base + map[i].length, PAGE_SIZE), limit);
		s = skip_holes(s, bytes, holes, nholes, map, n);
		if (s < e && e - s >= bytes) {
			*start = s;
			return 0;
		}
	}
	return -E_NO_MEMORY;
}
