/* guest/runtime/entry.S — a guest's first instructions: 32-bit protected
 * mode to 64-bit long mode, then C. See: SDM Vol. 3A (rev. 084) 10.8.5
 * "Initializing IA-32e Mode", 4.5 (4-level paging); the host kernel does
 * the same in boot/entry.S.
 *
 * Contract — two loaders, one entry point (e_entry = guest_entry32):
 *   memvisor   EAX = GUEST_BOOT_MAGIC, EBX = memory size in KiB
 *              (vmm/hypercall_abi.h §1)
 *   Multiboot  EAX = MULTIBOOT_BOOTLOADER_MAGIC, EBX = gpa of the boot
 *              information (plain QEMU -kernel, for development)
 *   Both: 32-bit protected mode, flat segments, paging off, interrupts off,
 *   no stack. EAX and EBX go unchanged to C as
 *   guest_main_entry(uint32_t magic, uint32_t info), which decides.
 *
 * Steps:
 *   1. zero .bss ourselves: ELF loaders zero-fill p_memsz beyond
 *      p_filesz (memvisor does), but five instructions make the guest
 *      independent of how carefully its loader did that
 *   2. early page tables in .bss, identity map of the first 1 GiB:
 *        early_pml4[0] ──► early_pdpt[0] ──► early_pd[0..511], 2 MiB pages
 *      enough for the image, the stack and the frames paging.c takes first;
 *      guest/runtime/paging.c replaces them with 4 KiB-page tables
 *   3. CR4.PAE, EFER.LME, CR0.PG (in this order: SDM 10.8.5), a 64-bit GDT,
 *      a far jump into 64-bit code, the stack, call C.
 */
#include "boot/long_mode.h"
#include "multiboot.h"
#include "exit.h"

#define GUEST_STACK_SIZE (16 * 1024) /* workloads keep big data in mapped RAM, not here */
#define EXIT_PORT    0xf4          /* GUEST_EXIT_PORT */

#define MULTIBOOT_HEADER_FLAGS MULTIBOOT_HEADER_MEMORY_INFO

/* Multiboot 3.1: a 4-byte aligned header in the first 8 KiB of the file.
 * guest/guest.ld puts this section first. */
	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MULTIBOOT_HEADER_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

	.section .boot.text, "ax"
	.code32
	.global guest_entry32
guest_entry32:
	cli
	cld
	movl %eax, %ebp            /* magic: EBP is free until C */
	movl %ebx, %esi            /* info: survives to C as argument 2 */

	movl $_guest_bss_start, %edi
	movl $_guest_bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	require_long_mode no_long_mode

	/* early_pd[i] = i * 2 MiB | P | W | PS. Only the low dword: .bss is
	 * zero, and every address here is below 4 GiB. */
	movl $early_pd, %edi
	movl $(PTE_PRESENT | PTE_WRITE | PTE_PS), %eax
	movl $PT_ENTRIES, %ecx
1:	movl %eax, (%edi)
	addl $LARGE_PAGE_SIZE, %eax
	addl $PTE_SIZE, %edi
	loop 1b
	movl $(early_pdpt + PTE_PRESENT + PTE_WRITE), early_pml4
	movl $(early_pd + PTE_PRESENT + PTE_WRITE), early_pdpt

	enter_long_mode early_pml4, guest_entry64

/* No long mode: say so on COM1 and leave through the exit port. */
no_long_mode:
	com1_puts no_lm_msg
	movl $GUEST_EXIT_FATAL, %eax
	movw $EXIT_PORT, %dx
	outl %eax, %dx
3:	hlt
	jmp 3b

	.code64
guest_entry64:
	load_data_segments
	movq $guest_stack_top, %rsp
	movl %ebp, %edi            /* arg 1: magic (a 32-bit move zero-extends) */
	movl %esi, %esi            /* arg 2: info */
	xorl %ebp, %ebp            /* ends the frame-pointer chain */
	call guest_main_entry      /* never returns */
1:	cli
	hlt
	jmp 1b

	.section .rodata
no_lm_msg:
	.asciz "guest: error: this CPU has no 64-bit long mode\n"

	early_gdt_table

	.section .bss
	.balign PAGE_SIZE
early_pml4:
	.skip PAGE_SIZE
early_pdpt:
	.skip PAGE_SIZE
early_pd:
	.skip PAGE_SIZE

/* The stack, with one page below it that paging.c leaves unmapped: running
 * off the bottom of the stack is then a #PF (and a #DF on its own IST stack,
 * see gdt.c) instead of silently overwriting .bss. */
	.global guest_stack_guard, guest_stack_top
	.balign PAGE_SIZE
guest_stack_guard:
	.skip PAGE_SIZE
	.skip GUEST_STACK_SIZE
guest_stack_top:
