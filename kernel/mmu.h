/* kernel/mmu.h — x86-64 4-level paging: entry bits and address split.
 * See: SDM Vol. 3A (rev. 084, June 2024) 4.5 "4-level paging".
 *
 *   63      48 47    39 38    30 29    21 20    12 11       0
 *  +----------+--------+--------+--------+--------+----------+
 *  | sign ext | PML4   | PDPT   | PD     | PT     | offset   |
 *  +----------+--------+--------+--------+--------+----------+
 *               9 bits   9 bits   9 bits   9 bits   12 bits
 *
 * The kernel's own virtual layout:
 *   0x0000000000000000 - 0x000000003fffffff  identity map of the first 1 GiB
 *                                            (the kernel image lives at 1 MiB)
 *   0xffff800000000000 - ...                 DIRECT_MAP_BASE + mpa, all RAM
 */
#ifndef MEMVISOR_MMU_H
#define MEMVISOR_MMU_H

#include "kernel/types.h"
#include "kernel/x86.h" /* the entry bits and PT_ENTRIES, *_SHIFT */

#define PT_INDEX_MASK (PT_ENTRIES - 1)
#define PT_INDEX(va, shift) (((va) >> (shift)) & PT_INDEX_MASK)

#define DIRECT_MAP_BASE 0xffff800000000000ull
#define DIRECT_MAP_MAX (512 * GiB) /* one PML4 entry */
#define IDENTITY_MAP_SIZE (1 * GiB)

static inline void *mpa_to_virt(mpa_t a) { return (void *)(uintptr_t)(DIRECT_MAP_BASE + a.raw); }
static inline void *mfn_to_virt(mfn_t f) { return mpa_to_virt(mfn_to_mpa(f)); }
/* The inverse, for an address inside the direct map only. */
static inline mpa_t virt_to_mpa(const void *p) { return mpa((uintptr_t)p - DIRECT_MAP_BASE); }
static inline mfn_t virt_to_mfn(const void *p) { return mpa_to_mfn(virt_to_mpa(p)); }

#endif
