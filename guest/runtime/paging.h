/* guest/runtime/paging.h — the guest's own page tables: the "guest
 * virtual" level of docs/memory-words.md (gva → gpa). 4-level paging, 4 KiB pages.
 * See: SDM Vol. 3A (rev. 084) 4.5, 4.10.4 (invalidating the TLB).
 *
 *   63      48 47    39 38    30 29    21 20    12 11       0
 *  +----------+--------+--------+--------+--------+----------+
 *  | sign ext | PML4   | PDPT   | PD     | PT     | offset   |
 *  +----------+--------+--------+--------+--------+----------+
 *
 * The layout paging_init() builds:
 *   gva 0 .. 4 KiB              unmapped: a NULL dereference is a #PF
 *   gva 4 KiB .. memory size    identity (gva == gpa): low memory, the
 *                               image, every frame frames.c hands out —
 *                               except the stack guard page (entry.S)
 *   anything else               what workloads add with guest_map(),
 *                               e.g. memtest at 0x0000400000000000
 */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include "addr.h"
#include "kernel/mmu.h"

/* Flags guest_map() accepts; PTE_PRESENT is implied. PTE_NX is not among
 * them: the runtime leaves EFER.NXE off, and bit 63 is then reserved. */
#define GUEST_MAP_FLAGS (PTE_WRITE | PTE_USER | PTE_PWT | PTE_PCD)

/* Builds the tables above with frames from frames.c and loads CR3.
 * Returns 0 or -E_NO_MEMORY. */
int paging_init(uint64_t memory_bytes);

/* Maps the 4 KiB page at gva to the frame at gpa. Both page-aligned, gva
 * canonical. Returns 0, -E_INVAL (alignment, flags, non-canonical),
 * -E_EXISTS (gva already mapped: unmap first) or -E_NO_MEMORY (no frame
 * for a page table). */
int guest_map(gva_t gva, gpa_t gpa, uint64_t flags);
/* Returns 0 or -E_NOT_FOUND. The frame itself stays the caller's; page
 * tables that become empty are kept (a teaching runtime, not an OS). */
int guest_unmap(gva_t gva);
/* Walks the tables as the MMU would. Returns 0 or -E_NOT_FOUND. */
int guest_virt_to_phys(gva_t gva, gpa_t *gpa);
/* The gpa of an object the guest can see (a buffer to hand memvisor by
 * hypercall): one that is not mapped is a bug in the workload, which
 * ends with GUEST_EXIT_FATAL after saying so. */
uint64_t guest_gpa_of_ptr(const volatile void *p);

/* Frames needed for the page tables that map `pages` consecutive pages
 * starting at a 512 GiB boundary (one fresh PML4 slot): for callers that
 * size a workload to fit the free memory. */
uint64_t paging_table_frames(uint64_t pages);

#endif
