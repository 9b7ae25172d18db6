/* guest/runtime/isr.S — entry stubs for the 32 exception vectors.
 * See: SDM Vol. 3A (rev. 084) 6.12 (exception handling), 6.14 (64-bit).
 *
 * Contract: each stub makes the stack look the same — an error code (the
 * CPU's, or a 0 pushed here) and the vector number on top of the CPU's
 * frame — and jumps to isr_common, which pushes the general registers to
 * complete a struct trap_frame (trap.h), calls trap_dispatch(frame) with
 * interrupts off, restores everything and returns with IRETQ. Stack at the
 * call: 5 CPU words + 2 + 15 registers = 22 words from a 16-byte aligned
 * RSP (the CPU aligns it, SDM 6.14.2), so the call is aligned as the ABI
 * wants. */
#include "trap.h"

	.section .text
	.altmacro

/* Vectors whose exceptions push an error code (SDM Vol. 3A Table 6-1). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro isr_stub vector
isr_\vector:
	.if HAS_ERROR_CODE(\vector) == 0
	pushq $0
	.endif
	pushq $\vector
	jmp isr_common
	.endm

	.macro isr_address vector
	.quad isr_\vector
	.endm

	.set vec, 0
	.rept TRAP_EXCEPTIONS
	isr_stub %vec
	.set vec, vec + 1
	.endr

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp             /* vector and error code */
	iretq

/* isr_table[v] = address of vector v's stub, for idt.c. */
	.section .rodata
	.balign 8
	.global isr_table
isr_table:
	.set vec, 0
	.rept TRAP_EXCEPTIONS
	isr_address %vec
	.set vec, vec + 1
	.endr
