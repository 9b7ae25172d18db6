/* kernel/memmap.h — reading the boot memory map (pure; tests/unit runs it). */
#ifndef MEMVISOR_MEMMAP_H
#define MEMVISOR_MEMMAP_H

#include "kernel/boot_info.h"
#include "kernel/types.h"

/* A range of machine memory [start, end) that must not be handed out. */
struct mem_hole {
	uint64_t start, end;
};

/* One past the highest byte of usable RAM, rounded down to a page. */
uint64_t memmap_usable_end(const struct boot_mem_range *map, uint32_t n);

/* Finds `bytes` (page-aligned) of usable RAM in [floor, limit) that overlap
 * no hole. Returns 0 and sets *start, or -E_NO_MEMORY. */
int memmap_find_free(const struct boot_mem_range *map, uint32_t n, const struct mem_hole *holes,
		     uint32_t nholes, uint64_t bytes, uint64_t floor, uint64_t limit, uint64_t *start);

#endif
