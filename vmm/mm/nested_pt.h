/* vmm/mm/nested_pt.h — a 4-level radix tree of 512-entry tables, the shape that
 * both AMD's nested page tables (APM Vol. 2 15.25) and Intel's EPT (SDM
 * Vol. 3C 29.3) have. The entry *format* differs, so each backend passes
 * a struct npt_format that builds and reads its own entries; the walking,
 * allocating and freeing is here, once.
 *
 *   gpa bits  47..39   38..30   29..21   20..12   11..0
 *             PML4  ─► PDPT  ─► PD    ─► PT    ─► offset
 */
#ifndef MEMVISOR_VMM_NESTED_PT_H
#define MEMVISOR_VMM_NESTED_PT_H

#include "kernel/types.h"

struct npt_format {
	uint64_t (*table_entry)(mpa_t table);            /* non-leaf: points at a table */
	uint64_t (*leaf_entry)(mpa_t frame, unsigned prot); /* 4 KiB leaf              */
	bool (*present)(uint64_t entry);
	mpa_t (*address)(uint64_t entry);
};

struct nested_pt {
	mfn_t root;
	const struct npt_format *fmt;
	uint64_t table_frames; /* frames used by the tables, root included */
};

#define NPT_LEVELS 4
#define NPT_MAX_GFN (1ull << (9 * NPT_LEVELS)) /* 48-bit gpa space */

/* Returns 0, or -E_NO_MEMORY. */
int npt_init(struct nested_pt *npt, const struct npt_format *fmt);
/* Frees every table frame (not the guest frames the leaves point at). */
void npt_destroy(struct nested_pt *npt);
/* The leaf entry slot for gfn; creates missing tables when `create`.
 * Returns NULL when absent (create = false) or out of memory. */
uint64_t *npt_leaf(struct nested_pt *npt, gfn_t gfn, bool create);

#endif
