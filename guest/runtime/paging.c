/* guest/runtime/paging.c — builds and edits the guest's 4-level page
 * tables (layout in paging.h). See: SDM Vol. 3A (rev. 084) 4.5.
 * Tables are frames from frames.c, reached at gva == gpa (addr.h): the
 * early tables of entry.S map the first 1 GiB, and frame_alloc() hands out
 * the lowest frames first, so the tables built here are reachable before
 * CR3 switches to them. */
#include "paging.h"
#include "console.h"
#include "exit.h"
#include "frames.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/string.h"

#define CANONICAL_BITS 48 /* bits 63:47 of a gva must be equal (SDM 3A 3.3.7.1) */
#define TABLE_FLAGS (PTE_PRESENT | PTE_WRITE) /* leaf entries restrict access */

extern char guest_stack_guard[]; /* entry.S */

static gpa_t paging_root; /* the PML4 */

static bool gva_is_canonical(uint64_t va)
{
	int64_t sign_extended = (int64_t)(va << (64 - CANONICAL_BITS)) >> (64 - CANONICAL_BITS);
	return (uint64_t)sign_extended == va;
}

static uint64_t *table_at(uint64_t entry)
{
	return gpa_to_ptr(gpa_of(entry & PTE_ADDR_MASK));
}

static int table_alloc(gpa_t *out)
{
	int err = frame_alloc(out);
	if (err)
		return err;
	memset(gpa_to_ptr(*out), 0, PAGE_SIZE);
	return 0;
}

/* The PT entry for va; NULL if a table on the way is missing (create ==
 * false) or cannot be allocated (create == true). */
static uint64_t *pte_find(uint64_t va, bool create)
{
	static const unsigned upper_shifts[] = { PML4_SHIFT, PDPT_SHIFT, PD_SHIFT };
	uint64_t *table = gpa_to_ptr(paging_root);
	for (unsigned level = 0; level < ARRAY_SIZE(upper_shifts); level++) {
		uint64_t *entry = &table[PT_INDEX(va, upper_shifts[level])];
		if (!(*entry & PTE_PRESENT)) {
			gpa_t next;
			if (!create || table_alloc(&next))
				return NULL;
			*entry = next.raw | TABLE_FLAGS;
		}
		table = table_at(*entry);
	}
	return &table[PT_INDEX(va, PT_SHIFT)];
}

static void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

int guest_map(gva_t gva, gpa_t gpa, uint64_t flags)
{
	if (gva.raw % PAGE_SIZE || gpa.raw % PAGE_SIZE || (gpa.raw & ~PTE_ADDR_MASK) ||
	    (flags & ~GUEST_MAP_FLAGS) || !gva_is_canonical(gva.raw))
		return -E_INVAL;
	uint64_t *pte = pte_find(gva.raw, true);
	if (!pte)
		return -E_NO_MEMORY;
	if (*pte & PTE_PRESENT)
		return -E_EXISTS;
	*pte = gpa.raw | flags | PTE_PRESENT;
	/* Not needed when an entry goes from not present to present (SDM
	 * 4.10.4.3: nothing is cached from a not-present entry); kept so that
	 * every PTE change is followed by INVLPG, the habit the other cases need. */
	invlpg(gva.raw);
	return 0;
}

int guest_unmap(gva_t gva)
{
	uint64_t *pte = gva_is_canonical(gva.raw) ? pte_find(gva.raw, false) : NULL;
	if (!pte || !(*pte & PTE_PRESENT))
		return -E_NOT_FOUND;
	*pte = 0;
	invlpg(gva.raw); /* the TLB may still hold the old translation */
	return 0;
}

int guest_virt_to_phys(gva_t gva, gpa_t *gpa)
{
	uint64_t *pte = gva_is_canonical(gva.raw) ? pte_find(gva.raw, false) : NULL;
	if (!pte || !(*pte & PTE_PRESENT))
		return -E_NOT_FOUND;
	*gpa = gpa_of((*pte & PTE_ADDR_MASK) | (gva.raw & (PAGE_SIZE - 1)));
	return 0;
}

uint64_t guest_gpa_of_ptr(const volatile void *p)
{
	gpa_t gpa;
	if (guest_virt_to_phys(gva_of_ptr(p), &gpa)) {
		guest_printf("guest: error: %p is not mapped: no gpa to give\n", (const void *)p);
		guest_exit(GUEST_EXIT_FATAL);
	}
	return gpa.raw;
}

uint64_t paging_table_frames(uint64_t pages)
{
	uint64_t pts = (pages + PT_ENTRIES - 1) / PT_ENTRIES;
	uint64_t pds = (pts + PT_ENTRIES - 1) / PT_ENTRIES;
	uint64_t pdpts = (pds + PT_ENTRIES - 1) / PT_ENTRIES;
	return pts + pds + pdpts;
}

int paging_init(uint64_t memory_bytes)
{
	int err = table_alloc(&paging_root);
	if (err)
		return err;
	uint64_t guard = (uintptr_t)guest_stack_guard;
	for (uint64_t a = PAGE_SIZE; a + PAGE_SIZE <= memory_bytes; a += PAGE_SIZE) {
		if (a == guard)
			continue;
		err = guest_map(gva_of(a), gpa_of(a), PTE_WRITE);
		if (err)
			return err;
	}
	write_cr3(paging_root.raw); /* also flushes every non-global TLB entry */
	return 0;
}
