/* boot/long_mode.h — assembler macros for the switch from 32-bit protected
 * mode to 64-bit long mode, shared by the host kernel (boot/entry.S) and
 * every guest (guest/runtime/entry.S). Include from .S files only.
 * See: SDM Vol. 3A (rev. 084) 10.8.5 "Initializing IA-32e Mode",
 * 3.4.5 (segment descriptors); APM Vol. 2 14.6 "Enabling and Activating
 * Long Mode".
 *
 * Each caller keeps what is its own: where the page tables come from
 * (static for the host, built at run time by the guest), its stack, and
 * what it does when the CPU has no long mode.
 */
#ifndef MEMVISOR_BOOT_LONG_MODE_H
#define MEMVISOR_BOOT_LONG_MODE_H

#ifndef __ASSEMBLY__
#error "boot/long_mode.h holds assembler macros: include it from .S files"
#endif

#include "kernel/x86.h"

/* The early GDT's selectors (early_gdt_table below). */
#define EARLY_GDT_CODE64 0x08
#define EARLY_GDT_DATA 0x10
#define EARLY_COM1_DATA 0x3f8 /* the PC's first serial port, data register */

/* Jumps to \no_long_mode unless CPUID.80000001H:EDX.LM is 1. The
 * extended leaf is asked for only where CPUID says it exists (a CPU
 * without it returns the data of its highest basic leaf instead).
 * Clobbers EAX, EBX, ECX, EDX. */
	.macro require_long_mode no_long_mode
	movl $CPUID_EXT_MAX, %eax
	cpuid
	cmpl $CPUID_EXT_FEATURES, %eax
	jb \no_long_mode
	movl $CPUID_EXT_FEATURES, %eax
	cpuid
	testl $CPUID_EXT_EDX_LM, %edx
	jz \no_long_mode
	.endm

/* From 32-bit protected mode, paging off, to 64-bit code at \entry64:
 * CR3 = \pml4, CR4.PAE, EFER.LME, then CR0.PG (this order: SDM 10.8.5;
 * EFER.LMA turns on with CR0.PG), the early GDT, and a far jump that loads
 * a 64-bit CS. Clobbers EAX, ECX, EDX. */
	.macro enter_long_mode pml4, entry64
	movl $\pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_IA32_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	lgdt early_gdt_ptr         /* 32-bit LGDT reads a 4-byte base */
	ljmp $EARLY_GDT_CODE64, $\entry64
	.endm

/* Every data segment register to the early GDT's flat data descriptor. */
	.macro load_data_segments
	movw $EARLY_GDT_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	.endm

/* Writes the NUL-terminated string at \msg to the COM1 data port (no
 * initialisation: the firmware or emulator left it usable). 32-bit code;
 * clobbers EAX, ESI, EDX. */
	.macro com1_puts msg
	movl $\msg, %esi
	movw $EARLY_COM1_DATA, %dx
.Lcom1_puts_next\@:
	lodsb
	testb %al, %al
	jz .Lcom1_puts_done\@
	outb %al, %dx
	jmp .Lcom1_puts_next\@
.Lcom1_puts_done\@:
	.endm

/* The early GDT: null, flat 64-bit code (EARLY_GDT_CODE64), flat data
 * (EARLY_GDT_DATA), all DPL 0 (SDM Vol. 3A 3.4.5, 5.2.1), and the pointer
 * LGDT loads. Emit it in a data section. */
	.macro early_gdt_table
	.balign 8
early_gdt:
	.quad 0                    /* null descriptor */
	.quad DESC_CODE64          /* EARLY_GDT_CODE64 */
	.quad DESC_DATA            /* EARLY_GDT_DATA   */
early_gdt_end:
early_gdt_ptr:
	.short early_gdt_end - early_gdt - 1
	.quad early_gdt
	.endm

#endif
