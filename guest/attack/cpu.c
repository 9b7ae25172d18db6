/* guest/attack/cpu.c — attacks with the CPU's own instructions.
 *
 * kind=cr          writes to CR0, CR3, CR4 and CR8 that the architecture
 *                  refuses: each must be #GP(0), as on hardware, and leave
 *                  the register as it was (SDM Vol. 3A 2.5; Vol. 2 MOV CR).
 * kind=vminsn      the other vendor's VM instructions (#UD: this CPU does
 *                  not have them), then one of its own vendor's (VMRUN or
 *                  VMXON): memvisor stops the VM, naming the exit.
 * kind=msr         RDMSR of an MSR memvisor does not emulate: stopped, named.
 * kind=hlt         HLT with interrupts off: nothing could wake it: stopped.
 * kind=exceptions  an exception storm (#UD, #BP, #DE, #GP, #PF) its own
 *                  IDT handles: no exit at all, and nothing for memvisor.
 * kind=exits       an exit storm: CPUID, port reads and HC_NOP back to
 *                  back, each answer checked. */
#include "attack.h"
#include "kernel/cpu_regs.h"
#include "kernel/io.h"
#include "kernel/x86.h"

#define CR_HIGH_RESERVED BIT(40) /* bits 63:32 of CR0 and CR4 are reserved */
#define CR3_RESERVED BIT(62)     /* above MAXPHYADDR on every CPU here */
#define CR8_RESERVED BIT(4)      /* the TPR has 4 bits */

#define MOV_CR_EXPECT_GP(a, cr, what, value)                                                             \
	do {                                                                                             \
		uint64_t before = read_##cr();                                                           \
		probe_arm(VECTOR_GP);                                                                    \
		__asm__ volatile(PROBE_START "mov %0, %%" #cr PROBE_END ::"r"(value) : PROBE_CLOBBERS); \
		attack_expect(a, what, 1, probe_disarm());                                               \
		attack_expect(a, what "-unchanged", (int64_t)before, (int64_t)read_##cr());              \
	} while (0)

void attack_cr(struct attack *a)
{
	for (uint64_t i = 0; i < a->rounds / 64 + 1; i++) {
		uint64_t cr0 = read_cr0(), cr4 = read_cr4();
		MOV_CR_EXPECT_GP(a, cr0, "cr0-nw-without-cd", (cr0 & ~CR0_CD) | CR0_NW);
		MOV_CR_EXPECT_GP(a, cr0, "cr0-pg-off-in-long-mode", cr0 & ~CR0_PG);
		MOV_CR_EXPECT_GP(a, cr0, "cr0-high-bits", cr0 | CR_HIGH_RESERVED);
		MOV_CR_EXPECT_GP(a, cr4, "cr4-pae-off-in-long-mode", cr4 & ~CR4_PAE);
		MOV_CR_EXPECT_GP(a, cr4, "cr4-high-bits", cr4 | CR_HIGH_RESERVED);
		MOV_CR_EXPECT_GP(a, cr4, "cr4-vmxe", cr4 | CR4_VMXE); /* no VMX in CPUID: reserved */
		/* CR3 and CR8 are the guest's own under both backends (no exit).
		 * QEMU's SVM takes reserved bits in either without the #GP that
		 * silicon raises (and then fails the next VMRUN for CR3): these
		 * two run on Intel only. */
		if (!a->amd) {
			MOV_CR_EXPECT_GP(a, cr3, "cr3-reserved", read_cr3() | CR3_RESERVED);
			MOV_CR_EXPECT_GP(a, cr8, "cr8-reserved", read_cr8() | CR8_RESERVED);
		}
	}
}

/* 0F 01 with a third byte: VMX's VMCALL C1, VMLAUNCH C2, VMRESUME C3,
 * VMXOFF C4; SVM's VMMCALL D9, VMLOAD DA, VMSAVE DB, STGI DC, CLGI DD,
 * SKINIT DE, INVLPGA DF (VMRUN D8 is the one kept for the end). */
#define OTHER_VENDOR_UD(a, byte3, what)                                                              \
	do {                                                                                         \
		probe_arm(VECTOR_UD);                                                                \
		__asm__ volatile(PROBE_START ".byte 0x0f, 0x01, " #byte3 PROBE_END ::: "rax", "rcx", \
				 "rdx", PROBE_CLOBBERS);                                             \
		attack_expect(a, what, 1, probe_disarm());                                           \
	} while (0)

void attack_vminsn(struct attack *a)
{
	if (a->amd) {
		OTHER_VENDOR_UD(a, 0xc1, "vmcall-is-ud");
		OTHER_VENDOR_UD(a, 0xc2, "vmlaunch-is-ud");
		OTHER_VENDOR_UD(a, 0xc3, "vmresume-is-ud");
		OTHER_VENDOR_UD(a, 0xc4, "vmxoff-is-ud");
	} else {
		OTHER_VENDOR_UD(a, 0xd9, "vmmcall-is-ud");
		OTHER_VENDOR_UD(a, 0xda, "vmload-is-ud");
		OTHER_VENDOR_UD(a, 0xdb, "vmsave-is-ud");
		OTHER_VENDOR_UD(a, 0xdc, "stgi-is-ud");
		OTHER_VENDOR_UD(a, 0xdd, "clgi-is-ud");
		OTHER_VENDOR_UD(a, 0xdf, "invlpga-is-ud");
	}
	guest_printf("attack: kind=vminsn: %llu checks, %llu failed so far; now %s: memvisor should stop this VM\n",
		     (unsigned long long)a->checks, (unsigned long long)a->failed, a->amd ? "VMRUN" : "VMXON");
	static uint64_t region[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));
	if (a->amd)
		__asm__ volatile("mov %0, %%rax; vmrun" : : "r"((uint64_t)(uintptr_t)region) : "rax", "memory");
	else
		__asm__ volatile("vmxon %0" : : "m"(region) : "memory");
	guest_exit(GUEST_EXIT_FAILED);
}

void attack_msr(struct attack *a)
{
	(void)a;
	guest_printf("attack: RDMSR of IA32_FEATURE_CONTROL: memvisor should stop this VM\n");
	(void)rdmsr(0x3a);
	guest_exit(GUEST_EXIT_FAILED);
}

void attack_hlt(struct attack *a)
{
	(void)a;
	guest_printf("attack: HLT with interrupts off: memvisor should stop this VM\n");
	__asm__ volatile("cli; hlt");
	guest_exit(GUEST_EXIT_FAILED);
}

void attack_exceptions(struct attack *a)
{
	for (uint64_t i = 0; i < a->rounds; i++) {
		probe_arm(VECTOR_UD);
		__asm__ volatile(PROBE_START "ud2" PROBE_END ::: PROBE_CLOBBERS);
		attack_expect(a, "ud2", 1, probe_disarm());
		probe_arm(VECTOR_DE);
		__asm__ volatile(PROBE_START "xor %%ecx, %%ecx; div %%ecx" PROBE_END ::: "rax", "rcx", "rdx",
				 PROBE_CLOBBERS);
		attack_expect(a, "divide-by-zero", 1, probe_disarm());
		probe_arm(VECTOR_GP);
		__asm__ volatile(PROBE_START "mov $0x1234, %%ax; mov %%ax, %%ds" PROBE_END ::: "rax", PROBE_CLOBBERS);
		attack_expect(a, "bad-selector", 1, probe_disarm());
		probe_arm(VECTOR_PF);
		__asm__ volatile(PROBE_START "mov 0x8, %%rax" PROBE_END ::: "rax", PROBE_CLOBBERS);
		attack_expect(a, "null-page", 1, probe_disarm());
		probe_arm(VECTOR_BP);
		__asm__ volatile(PROBE_START "int3; jmp 1f" PROBE_END ::: PROBE_CLOBBERS);
		attack_expect(a, "int3", 1, probe_disarm());
	}
}

void attack_exits(struct attack *a)
{
	for (uint64_t i = 0; i < a->rounds; i++) {
		uint32_t eax, b, c, d;
		cpuid(CPUID_HYPERVISOR_BASE, 0, &eax, &b, &c, &d);
		attack_expect(a, "cpuid-signature", 0x766d656d, b); /* "memv" */
		attack_expect(a, "in-floating", 0xff, inb(0x80));
		attack_expect(a, "nop", 0, hc_call(HC_NOP, i, 0, 0, 0));
	}
}
