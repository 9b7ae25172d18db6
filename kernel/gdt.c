/* kernel/gdt.c — the kernel's GDT and TSS.
 * See: SDM Vol. 3A 3.4.5 (segment descriptors), 8.7 (64-bit TSS), 6.14.5
 * (interrupt stack table). The TSS matters for two reasons: IST stacks let
 * a double fault on a broken stack still print its dump, and VT-x requires
 * a non-null host TR (SDM Vol. 3C 28.2.3). */
#include "kernel/trap.h"

#define GDT_NULL 0
#define GDT_KERNEL_CODE 1
#define GDT_KERNEL_DATA 2
#define GDT_TSS 3 /* a 16-byte system descriptor: slots 3 and 4 */
#define GDT_ENTRIES 5
#define SELECTOR(index) ((index) * 8)


#define IST_STACK_SIZE 8192

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7]; /* ist[0] is IST1 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "SDM Vol. 3A Figure 8-11");

struct __attribute__((packed)) descriptor_pointer {
	uint16_t limit;
	uint64_t base;
};

static uint64_t gdt[GDT_ENTRIES];
static struct tss64 tss;
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

static void tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (DESC_TSS_AVAILABLE << 40) |
		  ((uint64_t)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void gdt_init(void)
{
	gdt[GDT_NULL] = 0;
	gdt[GDT_KERNEL_CODE] = DESC_CODE64;
	gdt[GDT_KERNEL_DATA] = DESC_DATA;
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)(uintptr_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	tss_descriptor(&gdt[GDT_TSS], (uintptr_t)&tss, sizeof(tss) - 1);

	struct descriptor_pointer gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "movw %w2, %%fs\n\t"
			 "movw %w2, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(SELECTOR(GDT_KERNEL_CODE)), "r"(SELECTOR(GDT_KERNEL_DATA)),
			   "r"(SELECTOR(GDT_TSS))
			 : "rax", "memory");
}
