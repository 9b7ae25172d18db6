/* guest/runtime/gdt.c — the guest's GDT and TSS, replacing entry.S's
 * early GDT (which lives in .rodata and has no TSS).
 * See: SDM Vol. 3A (rev. 084) 3.4.5 (descriptors), 8.7 (64-bit TSS), 6.14.5
 * (interrupt stack table). The TSS is here for one reason: a #DF gets its
 * own stack, so a stack overflow prints a message instead of becoming a
 * silent triple fault. */
#include "trap.h"
#include "kernel/types.h"

#define GDT_ENTRIES 5 /* null, code, data, TSS (16 bytes: two slots) */
#define DESC_CODE64 0x00af9a000000ffffull /* P, DPL0, code, exec/read, L=1 */
#define DESC_DATA 0x00cf92000000ffffull   /* P, DPL0, data, read/write     */
#define DESC_TSS_AVAILABLE 0x89ull         /* P, type 9: 64-bit TSS available */
#define DESC_TYPE_SHIFT 40
#define IST_STACK_SIZE 4096
#define GDT_INDEX(selector) ((selector) >> 3) /* bits 1:0 RPL, bit 2 TI */

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
static uint8_t double_fault_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

/* SDM 3A Figure 8-4: base and limit are scattered over 16 bytes. */
static void tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (DESC_TSS_AVAILABLE << DESC_TYPE_SHIFT) |
		  ((uint64_t)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void gdt_init(void)
{
	gdt[GDT_INDEX(GUEST_CS)] = DESC_CODE64;
	gdt[GDT_INDEX(GUEST_DS)] = DESC_DATA;
	tss.ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)&double_fault_stack[IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	tss_descriptor(&gdt[GDT_INDEX(GUEST_TSS)], (uintptr_t)&tss, sizeof(tss) - 1);

	struct descriptor_pointer gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	/* CS can only be reloaded by a far transfer: push CS:RIP, LRETQ. */
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
			 : "m"(gdtr), "i"(GUEST_CS), "r"(GUEST_DS), "r"(GUEST_TSS)
			 : "rax", "memory");
}
