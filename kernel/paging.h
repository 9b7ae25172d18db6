/* kernel/paging.h — the kernel's own page tables (kernel/paging.c). */
#ifndef MEMVISOR_PAGING_H
#define MEMVISOR_PAGING_H

#include "kernel/mmu.h"

/* Builds tables mapping the first 1 GiB identity and [0, direct_end) at
 * DIRECT_MAP_BASE, from frames of the machine allocator, and loads CR3. */
void paging_init(uint64_t direct_end);

/* Walks the current tables. Returns true and the machine address that `va`
 * maps to, or false when it is not mapped. */
bool paging_translate(uint64_t va, mpa_t *out);

/* The end of the direct map built by paging_init(). */
uint64_t paging_direct_end(void);

#endif
