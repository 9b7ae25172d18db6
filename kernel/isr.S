/* kernel/isr.S — interrupt and exception entry stubs.
 * See: SDM Vol. 3A 6.12 (exception and interrupt handling), 6.14 (64-bit).
 *
 * Contract: each vector's stub makes the stack look the same — an error
 * code (the CPU's, or a 0 it pushes itself) and the vector number on top of
 * the CPU's frame — then jumps to isr_common, which saves the general
 * registers into a struct trap_frame (kernel/trap.h), calls
 * trap_dispatch(frame) with interrupts still off, restores everything and
 * returns with IRETQ. trap_dispatch may change the frame (tests move RIP).
 */
	.section .text
	.altmacro

/* Vectors whose exceptions push an error code (SDM Vol. 3A Table 6-1). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro isr_stub vector
	.balign 16
isr_\vector:
	.if HAS_ERROR_CODE(\vector) == 0
	pushq $0
	.endif
	pushq $\vector
	jmp isr_common
	.endm

	.global isr_table
isr_table_code:
	.set vec, 0
	.rept 256
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

	.section .rodata
	.balign 8
/* isr_table[v] = address of vector v's stub, for idt_init(). */
isr_table:
	.set vec, 0
	.rept 256
	.quad isr_table_code + vec * 16
	.set vec, vec + 1
	.endr
