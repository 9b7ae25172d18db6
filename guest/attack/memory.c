/* guest/attack/memory.c — attacks on memory.
 *
 * kind=balloon     balloon batches wrong in one entry each (outside the
 *                  VM, untouched, ballooned twice, in twice, over the cap):
 *                  each refused whole with its error, and the pages of a
 *                  refused batch keep their contents. Before the last
 *                  batches it makes HC_MARK 1: a monitor script may move
 *                  its pages now (e.g. `swap out`, so that the batch and
 *                  the page it gives are on the swap disk).
 * kind=pagetables  its own page tables made to point anywhere: a
 *                  recursive PML4 slot (allowed: it reads its own tables
 *                  back through it), then a page mapped to a gpa past its
 *                  memory — memvisor stops the VM, naming the gpa.
 * kind=gpa         CR3 loaded with a gpa past its memory: the CPU's own
 *                  walk leaves the VM — stopped, named. */
#include "attack.h"
#include "kernel/io.h"

#define PAGES 64
#define FILL 0xa5

static uint8_t pages[PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint64_t batch[HC_BALLOON_BATCH_MAX] __attribute__((aligned(PAGE_SIZE)));

static int64_t inflate(uint64_t n)
{
	return hc_call(HC_BALLOON_INFLATE, guest_gpa_of_ptr(batch), n, 0, 0);
}

static void fill_batch(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		batch[i] = guest_gpa_of_ptr(pages[i]) >> PAGE_SHIFT;
}

static bool pages_intact(void)
{
	for (int i = 0; i < PAGES; i++)
		for (uint64_t b = 0; b < PAGE_SIZE; b += 512)
			if (pages[i][b] != FILL)
				return false;
	return true;
}

void attack_balloon(struct attack *a)
{
	memset(pages, FILL, sizeof(pages));
	uint64_t mem_pages = a->env->memory_bytes / PAGE_SIZE;
	for (uint64_t r = 0; r < a->rounds / 16 + 1; r++) {
		uint64_t n = 2 + attack_random(a) % (PAGES - 2), bad = attack_random(a) % n;
		fill_batch(n);
		batch[bad] = mem_pages + attack_random(a) % (1ull << 40);
		attack_expect(a, "inflate-gfn-outside", -HC_E_FAULT, inflate(n));
		fill_batch(n);
		batch[bad] = batch[(bad + 1) % n];
		attack_expect(a, "inflate-gfn-twice", -HC_E_INVAL, inflate(n));
		attack_expect(a, "refused-batches-change-nothing", 1, pages_intact());
	}
	/* Given once, not twice; only given pages come back. */
	fill_batch(1);
	hc_call(HC_MARK, 1, 0, 0, 0); /* standalone: -HC_E_NOSYS, nothing happens */
	attack_expect(a, "inflate-one", 1, inflate(1));
	attack_expect(a, "inflate-it-again", -HC_E_PERM, inflate(1));
	batch[0] = guest_gpa_of_ptr(pages[1]) >> PAGE_SHIFT;
	uint64_t gpa = guest_gpa_of_ptr(batch);
	attack_expect(a, "deflate-not-ballooned", -HC_E_PERM, hc_call(HC_BALLOON_DEFLATE, gpa, 1, 0, 0));
	batch[0] = guest_gpa_of_ptr(pages[0]) >> PAGE_SHIFT;
	attack_expect(a, "deflate-it", 1, hc_call(HC_BALLOON_DEFLATE, gpa, 1, 0, 0));
	attack_expect(a, "deflated-page-reads-zero", 0, pages[0][0]);
}

/* The PML4 slot used for the recursive mapping: any free one. */
#define RECURSIVE_SLOT 300ull
#define SLOT_GVA(s) (((s) << 39) | ((s) >= 256 ? 0xffff000000000000ull : 0))
#define ATTACK_GVA 0x0000700000000000ull /* PML4 slot 224 */

void attack_pagetables(struct attack *a)
{
	uint64_t cr3 = read_cr3() & PTE_ADDR_MASK;
	uint64_t *pml4 = (uint64_t *)(uintptr_t)cr3; /* identity-mapped RAM */
	pml4[RECURSIVE_SLOT] = cr3 | PTE_PRESENT | PTE_WRITE;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
	/* Through the slot four times, the PML4 is a page of data. */
	uint64_t s = RECURSIVE_SLOT;
	const uint64_t *self = (const uint64_t *)(uintptr_t)(SLOT_GVA(s) | (s << 30) | (s << 21) | (s << 12));
	/* (the walk through the slot sets its accessed bit: compare addresses) */
	attack_expect(a, "recursive-pml4-reads-itself", (int64_t)(pml4[RECURSIVE_SLOT] & PTE_ADDR_MASK),
		      (int64_t)(self[RECURSIVE_SLOT] & PTE_ADDR_MASK));
	pml4[RECURSIVE_SLOT] = 0;
	__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
	/* A page of ours mapped to a gpa 1 GiB past the end of memory. */
	gpa_t beyond = { ALIGN_UP(a->env->memory_bytes, PAGE_SIZE) + GiB };
	if (guest_map(gva_of(ATTACK_GVA), beyond, PTE_WRITE)) {
		attack_expect(a, "guest-map", 0, -1);
		return;
	}
	guest_printf("attack: reading gpa 0x%llx through its own page table: memvisor should stop this VM\n",
		     (unsigned long long)beyond.raw);
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)ATTACK_GVA;
	attack_expect(a, "read-past-memory", 0, (int64_t)*p + 1);
	guest_exit(GUEST_EXIT_FAILED);
}

void attack_gpa(struct attack *a)
{
	uint64_t beyond = ALIGN_UP(a->env->memory_bytes, PAGE_SIZE) + 64 * MiB;
	guest_printf("attack: CR3 = gpa 0x%llx, past its memory: memvisor should stop this VM\n",
		     (unsigned long long)beyond);
	__asm__ volatile("mov %0, %%cr3; mov (%%rsp), %%rax" : : "r"(beyond) : "rax", "memory");
	attack_expect(a, "cr3-past-memory", 0, 1);
	guest_exit(GUEST_EXIT_FAILED);
}
