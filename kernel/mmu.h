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

#define PTE_PRESENT BIT(0)
#define PTE_WRITE BIT(1)
#define PTE_USER BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_ACCESSED BIT(5)
#define PTE_DIRTY BIT(6)
#define PTE_PS BIT(7) /* in a PDPTE or PDE: maps a 1 GiB or 2 MiB page */
#define PTE_GLOBAL BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 */

#define PT_ENTRIES 512
#define PT_INDEX_BITS 9
#define PT_INDEX_MASK (PT_ENTRIES - 1)
#define PML4_SHIFT 39
#define PDPT_SHIFT 30
#define PD_SHIFT 21
#define PT_SHIFT 12
#define PT_INDEX(va, shift) (((va) >> (shift)) & PT_INDEX_MASK)
#define LARGE_PAGE_SIZE (1ull << PD_SHIFT) /* 2 MiB */

#define DIRECT_MAP_BASE 0xffff800000000000ull
#define DIRECT_MAP_MAX (512 * GiB) /* one PML4 entry */
#define IDENTITY_MAP_SIZE (1 * GiB)

static inline void *mpa_to_virt(mpa_t a) { return (void *)(uintptr_t)(DIRECT_MAP_BASE + a.raw); }
static inline void *mfn_to_virt(mfn_t f) { return mpa_to_virt(mfn_to_mpa(f)); }

#endif
