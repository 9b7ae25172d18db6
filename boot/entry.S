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
#include "boot/long_mode.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289

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

	require_long_mode no_long_mode
	enter_long_mode early_pml4, mb2_entry64

no_long_mode:
	com1_puts no_lm_msg
1:	hlt
	jmp 1b

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
	pushq $EARLY_GDT_CODE64    /* reload CS with a far return */
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

	early_gdt_table

	.section .data
	.balign PAGE_SIZE
early_pml4:
	.quad early_pdpt + (PTE_PRESENT | PTE_WRITE)
	.fill 255, 8, 0
	.quad early_pdpt + (PTE_PRESENT | PTE_WRITE)   /* index 256: DIRECT_MAP_BASE */
	.fill 255, 8, 0
early_pdpt:
	.quad early_pd + 0x0000 + (PTE_PRESENT | PTE_WRITE)
	.quad early_pd + 0x1000 + (PTE_PRESENT | PTE_WRITE)
	.quad early_pd + 0x2000 + (PTE_PRESENT | PTE_WRITE)
	.quad early_pd + 0x3000 + (PTE_PRESENT | PTE_WRITE)
	.fill 508, 8, 0
early_pd:
	.set early_mpa, 0
	.rept 2048
	.quad early_mpa + (PTE_PRESENT | PTE_WRITE | PTE_PS)
	.set early_mpa, early_mpa + LARGE_PAGE_SIZE
	.endr

	.section .bss
	.balign 16
	.global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip 32768
boot_stack_top:
