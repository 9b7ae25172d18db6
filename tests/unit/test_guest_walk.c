/* tests/unit/test_guest_walk.c — the guest page-table walk
 * (vmm/cpu/guest_walk.c) over tables built in a small fake guest memory:
 * paging off, 4-level with 4 KiB, 2 MiB and 1 GiB pages, PAE, and each
 * way a walk stops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/cpu/guest_walk.h"
#include "kernel/x86.h"

#define MEM_BYTES (64 * 4096)

static uint64_t mem[MEM_BYTES / 8];

static int read64(void *ctx, uint64_t gpa, uint64_t *value)
{
	(void)ctx;
	if (gpa % 8 || gpa >= MEM_BYTES)
		return -E_RANGE;
	*value = mem[gpa / 8];
	return 0;
}

static void set(uint64_t table_gpa, unsigned index, uint64_t entry) { mem[table_gpa / 8 + index] = entry; }

static const struct guest_paging four_level = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PAE,
						.efer = EFER_LME | EFER_LMA };

/* gva 0x0000_7f80_8020_3abc: PML4 255, PDPT 2, PD 1, PT 3, offset 0xabc */
#define GVA 0x00007f8080203abcull

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	set(0x1000, 255, 0x2000 | PTE_PRESENT | PTE_WRITE);
	set(0x2000, 2, 0x3000 | PTE_PRESENT | PTE_WRITE);
	set(0x3000, 1, 0x4000 | PTE_PRESENT | PTE_WRITE);
	set(0x4000, 3, 0x9000 | PTE_PRESENT | PTE_WRITE);
	return 0;
}

static void expect_walk(const struct guest_paging *p, uint64_t gva, int rc, uint64_t gpa)
{
	uint64_t seen = 0;
	const char *why = NULL;
	int got = guest_walk(p, gva, read64, NULL, &seen, &why);
	if (got != rc)
		fail_msg("gva %#llx: expected rc %d, seen %d (%s)", (unsigned long long)gva, rc, got, why);
	if (!rc && seen != gpa)
		fail_msg("gva %#llx: expected gpa %#llx, seen %#llx", (unsigned long long)gva,
			 (unsigned long long)gpa, (unsigned long long)seen);
	if (rc && (!why || !*why))
		fail_msg("gva %#llx: rc %d without a reason", (unsigned long long)gva, rc);
}

static void test_paging_off(void **state)
{
	(void)state;
	struct guest_paging off = { .cr0 = CR0_PE };
	expect_walk(&off, 0x12345678, 0, 0x12345678);
	expect_walk(&off, 0x100012345678ull, 0, 0x12345678); /* 32-bit linear addresses */
}

static void test_four_level_4k(void **state)
{
	(void)state;
	expect_walk(&four_level, GVA, 0, 0x9abc);
}

static void test_large_pages(void **state)
{
	(void)state;
	set(0x3000, 1, 0x00400000 | PTE_PRESENT | PTE_PS); /* a 2 MiB page at gpa 4 MiB */
	expect_walk(&four_level, GVA, 0, 0x00400000 + 0x3abc);
	set(0x2000, 2, 0x40000000 | PTE_PRESENT | PTE_PS); /* a 1 GiB page at gpa 1 GiB */
	expect_walk(&four_level, GVA, 0, 0x40000000 + 0x203abc);
}

static void test_stops(void **state)
{
	(void)state;
	expect_walk(&four_level, GVA + 0x1000, -E_NOT_FOUND, 0); /* PT entry 4 is empty */
	expect_walk(&four_level, 0x0000800000000000ull, -E_RANGE, 0); /* not canonical */
	set(0x4000, 3, 0x7fff000 | PTE_PRESENT); /* fine: the leaf's frame is not read */
	expect_walk(&four_level, GVA, 0, 0x7fffabc);
	set(0x3000, 1, 0x7fff000 | PTE_PRESENT); /* a table outside the memory */
	expect_walk(&four_level, GVA, -E_RANGE, 0);
	struct guest_paging p32 = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 };
	expect_walk(&p32, 0x1000, -E_NOT_SUPPORTED, 0);
	struct guest_paging la57 = four_level;
	la57.cr4 |= CR4_LA57;
	expect_walk(&la57, GVA, -E_NOT_SUPPORTED, 0);
}

/* PAE: CR3 → 4 PDPTEs (32-byte aligned) → PD → PT. */
static void test_pae(void **state)
{
	(void)state;
	struct guest_paging pae = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x5020, .cr4 = CR4_PAE };
	set(0x5020, 3, 0x6000 | PTE_PRESENT);        /* gva 0xc000_0000 .. */
	set(0x6000, 2, 0x7000 | PTE_PRESENT | PTE_WRITE);   /* + 4 MiB */
	set(0x7000, 5, 0xb000 | PTE_PRESENT | PTE_WRITE);   /* + 20 KiB */
	expect_walk(&pae, 0xc0405123ull, 0, 0xb123);
	set(0x6000, 2, 0x00a00000 | PTE_PRESENT | PTE_PS);
	expect_walk(&pae, 0xc0405123ull, 0, 0x00a05123);
	expect_walk(&pae, 0x00001000ull, -E_NOT_FOUND, 0); /* PDPTE 0 not present */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_paging_off, setup),
		cmocka_unit_test_setup(test_four_level_4k, setup),
		cmocka_unit_test_setup(test_large_pages, setup),
		cmocka_unit_test_setup(test_stops, setup),
		cmocka_unit_test_setup(test_pae, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
