/* boot/entry.S — from the loader's hand-off to C in 64-bit long mode.
 *
 * Two ways in, one way on:
 *
 *   GRUB multiboot2 ──► mb2_entry32 (32-bit protected mode, paging off)
 *                         enable PAE, EFER.LME, paging  (SDM Vol. 3A 10.8.5)
 *                         ──► mb2_entry64 ──► multiboot2_main(magic, mbi)
 *
 *   GNU-EFI loader ───► efi_kernel_entry (64-bit, firmware's page tables)
 *                         ──► kernel_main(boot_info)
 *
 * Both load the early page tables below, so that the firmware's tables and
 * stack can be reused as free RAM once kernel_main() has copied boot_info.
 *
 * Early page tables (all static, filled at assembly time):
 *   PML4[0]   ──► early_pdpt   identity map of the first 4 GiB
 *   PML4[256] ──► early_pdpt   the same 4 GiB at DIRECT_MAP_BASE
 *   early_pdpt[0..3] ──► early_pd (4 pages × 512 entries × 2 MiB pages)
 * kernel/paging.c replaces them with tables that cover all RAM.
 */
#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define CR0_PE   (1 << 0)
#define CR0_PG   (1 << 31)
#define CR4_PAE  (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define PTE_P    0x1
#define PTE_W    0x2
#define PTE_PS   0x80
#define CPUID_EXT_LM (1 << 29)
#define COM1     0x3f8

#define GDT_CODE64 0x08
#define GDT_DATA   0x10

/* Every data segment register to the early GDT's flat data descriptor. */
	.macro load_data_segments
	movw $GDT_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	.endm

	.section .boot.text, "ax"
	.code32
	.global mb2_entry32
/* Contract (Multiboot2 spec 3.3): EAX = MB2_BOOTLOADER_MAGIC, EBX = mpa of
 * the multiboot2 information, protected mode with flat segments, paging off,
 * interrupts off, no usable stack. */
mb2_entry32:
	cli
	cld
	movl $boot_stack_top, %esp
	movl %eax, %edi            /* survives to the 64-bit call as arg 1 */
	movl %ebx, %esi            /* arg 2 */

	/* CPUID 0x80000001 EDX bit 29: long mode (SDM Vol. 2A, CPUID). */
	movl $0x80000001, %eax
	cpuid
	testl $CPUID_EXT_LM, %edx
	jz no_long_mode

	movl $early_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	lgdt early_gdt_ptr
	ljmp $GDT_CODE64, $mb2_entry64

no_long_mode:
	movl $no_lm_msg, %esi
1:	lodsb
	testb %al, %al
	jz 2f
	movw $COM1, %dx
	outb %al, %dx
	jmp 1b
2:	hlt
	jmp 2b

	.code64
mb2_entry64:
	load_data_segments
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp            /* ends the backtrace */
	call multiboot2_main       /* (uint32 magic, uint32 mbi) — never returns */
	jmp halt_forever

	.global efi_kernel_entry
/* Contract: called (not jumped to) by boot/efi/loader.c after
 * ExitBootServices with RDI = pointer to struct boot_info below 4 GiB, in
 * long mode on the firmware's identity-mapped page tables. Never returns. */
efi_kernel_entry:
	cli
	cld
	movq %rdi, %r12
	lgdt early_gdt_ptr
	movq $early_pml4, %rax
	movq %rax, %cr3
	movq $boot_stack_top, %rsp
	load_data_segments
	pushq $GDT_CODE64          /* reload CS with a far return */
	pushq $1f
	lretq
1:	xorl %ebp, %ebp
	movq %r12, %rdi
	call kernel_main
halt_forever:
	cli
	hlt
	jmp halt_forever

	.section .rodata
no_lm_msg:
	.asciz "memvisor: error: this CPU has no 64-bit long mode\r\n"

	.balign 8
early_gdt:
	.quad 0                    /* null descriptor */
	.quad 0x00af9a000000ffff   /* 0x08: 64-bit code, DPL 0 (SDM Vol. 3A 3.4.5) */
	.quad 0x00cf92000000ffff   /* 0x10: data, DPL 0 */
early_gdt_end:
early_gdt_ptr:
	.short early_gdt_end - early_gdt - 1
	.quad early_gdt

	.section .data
	.balign 4096
early_pml4:
	.quad early_pdpt + (PTE_P | PTE_W)
	.fill 255, 8, 0
	.quad early_pdpt + (PTE_P | PTE_W)   /* index 256: DIRECT_MAP_BASE */
	.fill 255, 8, 0
early_pdpt:
	.quad early_pd + 0x0000 + (PTE_P | PTE_W)
	.quad early_pd + 0x1000 + (PTE_P | PTE_W)
	.quad early_pd + 0x2000 + (PTE_P | PTE_W)
	.quad early_pd + 0x3000 + (PTE_P | PTE_W)
	.fill 508, 8, 0
early_pd:
	.set early_mpa, 0
	.rept 2048
	.quad early_mpa + (PTE_P | PTE_W | PTE_PS)
	.set early_mpa, early_mpa + 0x200000
	.endr

	.section .bss
	.balign 16
	.global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip 32768
boot_stack_top:
