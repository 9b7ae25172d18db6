/* vmm/mm/nested_pt.h — a 4-level radix tree of 512-entry tables, the shape that
 * both AMD's nested page tables (APM Vol. 2 15.25) and Intel's EPT (SDM
 * Vol. 3C 29.3) have. The entry *format* differs only in where its bits
 * are, so each backend passes a struct npt_format of bit masks; walking,
 * allocating, freeing and the five leaf operations (map, unmap, protect,
 * lookup, test-and-clear A/D) are here, once.
 *
 *   gpa bits  47..39   38..30   29..21   20..12   11..0
 *             PML4  ─► PDPT  ─► PD    ─► PT    ─► offset
 *
 *   leaf bits     NPT (APM 15.25.5)         EPT (SDM 29.3.2, 29.3.5, 29.3.7)
 *   present       P (0)                     any of R, W, X (2:0)
 *   read          P (0)                     R (0)
 *   write         R/W (1)                   W (1)
 *   exec          — (NX would be reserved)  X (2)
 *   every leaf    U/S (2)                   memory type WB (5:3)
 *   table entry   P | R/W | U/S             R | W | X
 *   accessed      A (5)                     A (8), when the EPTP enables it
 *   dirty         D (6)                     D (9), likewise
 *   address       51:12                     51:12
 * (SDM Vol. 3C 29.3 is 28.2 / 28.3 in revisions before 080.)
 */
#ifndef MEMVISOR_VMM_NESTED_PT_H
#define MEMVISOR_VMM_NESTED_PT_H

#include "kernel/types.h"

struct npt_format {
	uint64_t present;   /* an entry with any of these bits is present     */
	uint64_t read;      /* leaf: readable (NPT_READ)                       */
	uint64_t write;     /* leaf: writable (NPT_WRITE)                      */
	uint64_t exec;      /* leaf: executable; 0: every leaf is executable   */
	uint64_t leaf;      /* set in every present leaf                       */
	uint64_t table;     /* a non-leaf entry: these bits and the address    */
	uint64_t accessed;  /* set by the CPU on a walk through the leaf       */
	uint64_t dirty;     /* set by the CPU on a write through the leaf      */
	uint64_t address;   /* the bits holding the frame's mpa                */
};

struct nested_pt {
	mfn_t root;
	const struct npt_format *fmt;
	uint64_t table_frames; /* frames used by the tables, root included */
	/* A leaf changed that the TLB may still hold (or the backend asked
	 * for a flush): the backend flushes before the VM next runs. */
	bool flush_pending;
};

#define NPT_LEVELS 4
#define NPT_MAX_GFN (1ull << (9 * NPT_LEVELS)) /* 48-bit gpa space */

/* One entry of the tables, read or made through the format. */
static inline bool npt_entry_present(const struct npt_format *fmt, uint64_t e) { return e & fmt->present; }
static inline mpa_t npt_entry_address(const struct npt_format *fmt, uint64_t e) { return mpa(e & fmt->address); }
static inline uint64_t npt_table_entry(const struct npt_format *fmt, mpa_t table) { return table.raw | fmt->table; }
/* A 4 KiB leaf with `prot` (NPT_READ/WRITE/EXEC); 0 (not present) without
 * NPT_READ: x86 paging cannot express write- or exec-only, and EPT's W
 * without R is a misconfiguration. */
uint64_t npt_leaf_entry(const struct npt_format *fmt, mpa_t frame, unsigned prot);

/* Returns 0, or -E_NO_MEMORY. */
int npt_init(struct nested_pt *npt, const struct npt_format *fmt);
/* Frees every table frame (not the guest frames the leaves point at). */
void npt_destroy(struct nested_pt *npt);
/* The leaf entry slot for gfn; creates missing tables when `create`.
 * Returns NULL when absent (create = false) or out of memory. */
uint64_t *npt_leaf(struct nested_pt *npt, gfn_t gfn, bool create);

/* The leaf operations behind struct backend's map, unmap, protect, lookup
 * and test_and_clear_ad (vmm/backend.h), with the same results. Only map
 * creates tables. Each sets flush_pending when it changes a translation
 * the CPU may have cached. */
int npt_map(struct nested_pt *npt, gfn_t gfn, mfn_t frame, unsigned prot);
int npt_unmap(struct nested_pt *npt, gfn_t gfn);
int npt_protect(struct nested_pt *npt, gfn_t gfn, unsigned prot);
int npt_lookup(struct nested_pt *npt, gfn_t gfn, mfn_t *out, unsigned *prot);
int npt_test_and_clear_ad(struct nested_pt *npt, gfn_t gfn);

#endif
