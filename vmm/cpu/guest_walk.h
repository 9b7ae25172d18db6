/* vmm/cpu/guest_walk.h — gva → gpa through the guest's own page tables, as its
 * MMU would walk them; for reading the instruction a vCPU exited on.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3A 4.1 (paging modes), 4.4
 * (PAE paging), 4.5 (4-level paging); AMD APM Vol. 2 5.3 (long mode).
 *
 *   CR0.PG = 0                 no paging: gpa = gva (32 bits outside long mode)
 *   CR0.PG = 1, CR4.PAE = 1,   4-level: PML4 → PDPT → PD → PT, 1 GiB and
 *     EFER.LMA = 1             2 MiB pages where PS = 1
 *   CR0.PG = 1, CR4.PAE = 1    PAE: 4 PDPTEs → PD → PT (2 MiB pages)
 *   CR0.PG = 1, CR4.PAE = 0    32-bit paging: not walked (-E_NOT_SUPPORTED)
 *   CR4.LA57 = 1               5-level: not walked (-E_NOT_SUPPORTED)
 *
 * The walk reads guest memory through a callback (the core passes one that
 * goes through the PMAP), so the same code runs under unit tests.
 * Accessed/dirty bits are not set: memvisor only reads what the CPU
 * already fetched. */
#ifndef MEMVISOR_VMM_GUEST_WALK_H
#define MEMVISOR_VMM_GUEST_WALK_H

#include "kernel/types.h"

struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/* Reads the 8-byte entry at gpa; 0 or -E_*. */
typedef int (*guest_read64_t)(void *ctx, uint64_t gpa, uint64_t *value);

/* Returns 0 with *gpa, or -E_NOT_FOUND (an entry not present), -E_RANGE
 * (an entry the read callback refused, or a non-canonical gva),
 * -E_NOT_SUPPORTED (a paging mode above). *why says which, for a message. */
int guest_walk(const struct guest_paging *p, uint64_t gva, guest_read64_t read64, void *ctx, uint64_t *gpa,
	       const char **why);

#endif
