/* vmm/cpu/guest_walk.c — the guest page-table walk of guest_walk.h.
 * See: SDM Vol. 3A 4.4.1-4.4.2 (PAE), 4.5.4 (4-level: Figure 4-8 for the
 * indices, Tables 4-14 to 4-20 for the entries). */
#include "vmm/cpu/guest_walk.h"
#include "kernel/errno.h"
#include "kernel/mmu.h"
#include "kernel/x86.h"

#define INDEX_BITS 9
#define INDEX_MASK 0x1ffull
#define PAE_PDPTE_INDEX_SHIFT 30
#define PAE_PDPTE_INDEX_MASK 0x3ull
#define PAE_CR3_MASK 0xffffffe0ull /* CR3[31:5]: the 32-byte PDPT (SDM 4.4.1) */
#define CANONICAL_SHIFT 47

static unsigned level_shift(int level) { return PAGE_SHIFT + INDEX_BITS * (unsigned)(level - 1); }

static bool canonical(uint64_t gva)
{
	uint64_t top = gva >> CANONICAL_SHIFT;
	return top == 0 || top == (~0ull >> CANONICAL_SHIFT);
}

/* From the table at `table` (a gpa), level by level down to level 1. A PS
 * entry at level 3 (1 GiB) or 2 (2 MiB) ends the walk early. */
static int walk_from(uint64_t table, int level, uint64_t gva, guest_read64_t read64, void *ctx, uint64_t *gpa,
		     const char **why)
{
	for (;; level--) {
		uint64_t entry, at = table + ((gva >> level_shift(level)) & INDEX_MASK) * sizeof(uint64_t);
		if (read64(ctx, at, &entry)) {
			*why = "a guest page-table entry lies outside the VM's memory";
			return -E_RANGE;
		}
		if (!(entry & PTE_PRESENT)) {
			*why = "a guest page-table entry is not present";
			return -E_NOT_FOUND;
		}
		uint64_t frame = entry & PTE_ADDR_MASK;
		if (level == 1 || ((level == 2 || level == 3) && (entry & PTE_PS))) {
			uint64_t offset_mask = (1ull << level_shift(level)) - 1;
			*gpa = (frame & ~offset_mask) | (gva & offset_mask);
			return 0;
		}
		table = frame;
	}
}

int guest_walk(const struct guest_paging *p, uint64_t gva, guest_read64_t read64, void *ctx, uint64_t *gpa,
	       const char **why)
{
	*why = "";
	if (!(p->cr0 & CR0_PG)) {
		*gpa = (p->efer & EFER_LMA) ? gva : gva & UINT32_MAX;
		return 0;
	}
	if (!(p->cr4 & CR4_PAE)) {
		*why = "the guest uses 32-bit paging, which the walker does not read";
		return -E_NOT_SUPPORTED;
	}
	if (p->efer & EFER_LMA) {
		if (p->cr4 & CR4_LA57) {
			*why = "the guest uses 5-level paging, which the walker does not read";
			return -E_NOT_SUPPORTED;
		}
		if (!canonical(gva)) {
			*why = "the address is not canonical";
			return -E_RANGE;
		}
		return walk_from(p->cr3 & PTE_ADDR_MASK, 4, gva, read64, ctx, gpa, why);
	}
	gva &= UINT32_MAX;
	uint64_t pdpte, at = (p->cr3 & PAE_CR3_MASK) +
			     ((gva >> PAE_PDPTE_INDEX_SHIFT) & PAE_PDPTE_INDEX_MASK) * sizeof(uint64_t);
	if (read64(ctx, at, &pdpte)) {
		*why = "a guest PDPTE lies outside the VM's memory";
		return -E_RANGE;
	}
	if (!(pdpte & PTE_PRESENT)) {
		*why = "a guest PDPTE is not present";
		return -E_NOT_FOUND;
	}
	return walk_from(pdpte & PTE_ADDR_MASK, 2, gva, read64, ctx, gpa, why);
}
