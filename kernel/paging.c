/* kernel/paging.c — the kernel's page tables: a 1 GiB identity map for the
 * kernel image and a direct map of all RAM. 2 MiB pages throughout, which
 * every x86-64 CPU has (1 GiB pages are optional: CPUID 80000001h EDX.26).
 * See: SDM Vol. 3A 4.5. */
#include "kernel/paging.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/panic.h"

static mfn_t kernel_pml4;
static uint64_t direct_end;

static uint64_t *table_at(uint64_t entry)
{
	return mpa_to_virt(mpa(entry & PTE_ADDR_MASK));
}

/* Returns the next-level table under `table[index]`, creating it. */
static uint64_t *next_table(uint64_t *table, unsigned index)
{
	if (!(table[index] & PTE_PRESENT))
		table[index] = mfn_to_mpa(mem_alloc_zeroed_frame()).raw | PTE_PRESENT | PTE_WRITE;
	return table_at(table[index]);
}

static void map_large(uint64_t *pml4, uint64_t va, mpa_t pa)
{
	uint64_t *pdpt = next_table(pml4, PT_INDEX(va, PML4_SHIFT));
	uint64_t *pd = next_table(pdpt, PT_INDEX(va, PDPT_SHIFT));
	pd[PT_INDEX(va, PD_SHIFT)] = pa.raw | PTE_PRESENT | PTE_WRITE | PTE_PS;
}

void paging_init(uint64_t end)
{
	/* The direct map also covers the 32-bit MMIO hole (LAPIC, IOAPIC). */
	direct_end = ALIGN_UP(MAX(end, 4 * GiB), LARGE_PAGE_SIZE);
	if (direct_end > DIRECT_MAP_MAX)
		direct_end = DIRECT_MAP_MAX;
	kernel_pml4 = mem_alloc_zeroed_frame();
	uint64_t *pml4 = mfn_to_virt(kernel_pml4);
	for (uint64_t a = 0; a < IDENTITY_MAP_SIZE; a += LARGE_PAGE_SIZE)
		map_large(pml4, a, mpa(a));
	for (uint64_t a = 0; a < direct_end; a += LARGE_PAGE_SIZE)
		map_large(pml4, DIRECT_MAP_BASE + a, mpa(a));
	write_cr3(mfn_to_mpa(kernel_pml4).raw);
}

uint64_t paging_direct_end(void)
{
	return direct_end;
}

bool paging_translate(uint64_t va, mpa_t *out)
{
	static const unsigned shifts[] = { PML4_SHIFT, PDPT_SHIFT, PD_SHIFT, PT_SHIFT };
	uint64_t *table = mpa_to_virt(mpa(read_cr3() & PTE_ADDR_MASK));
	for (unsigned level = 0; level < ARRAY_SIZE(shifts); level++) {
		uint64_t e = table[PT_INDEX(va, shifts[level])];
		if (!(e & PTE_PRESENT))
			return false;
		uint64_t page = 1ull << shifts[level];
		if (level == ARRAY_SIZE(shifts) - 1 || (level > 0 && (e & PTE_PS))) {
			*out = mpa((e & PTE_ADDR_MASK & ~(page - 1)) | (va & (page - 1)));
			return true;
		}
		table = table_at(e);
	}
	return false;
}
