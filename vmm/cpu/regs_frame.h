/* vmm/cpu/regs_frame.h — the world-switch frame of vmm/svm/vmrun.S and
 * vmm/vmx/vmentry.S, written once: where each guest general register sits
 * in struct vcpu_regs (vmm/backend.h), the macros that load and store
 * them, and the host's callee-saved registers kept around the switch.
 * The C half below pins every offset to the struct, so a change of the
 * struct that these lines miss stops the build.
 * VMRUN and #VMEXIT switch only RAX and RSP of the general registers (APM
 * Vol. 2 15.5.1), VM entry and exit only RSP (SDM Vol. 3C 27.3, 28.3,
 * 28.5): the stubs move the others themselves. */
#ifndef MEMVISOR_VMM_REGS_FRAME_H
#define MEMVISOR_VMM_REGS_FRAME_H

#define VCPU_REG_RAX 0x00
#define VCPU_REG_RBX 0x08
#define VCPU_REG_RCX 0x10
#define VCPU_REG_RDX 0x18
#define VCPU_REG_RSI 0x20
#define VCPU_REG_RDI 0x28
#define VCPU_REG_RBP 0x30
#define VCPU_REG_R8 0x38
#define VCPU_REG_R9 0x40
#define VCPU_REG_R10 0x48
#define VCPU_REG_R11 0x50
#define VCPU_REG_R12 0x58
#define VCPU_REG_R13 0x60
#define VCPU_REG_R14 0x68
#define VCPU_REG_R15 0x70

#ifdef __ASSEMBLY__
/* The host registers a call must find unchanged (System V AMD64 ABI
 * 3.2.1: RBX, RBP, R12-R15), which the guest's values will overwrite:
 * pushed first thing in a world switch (RBP as its frame pointer), popped
 * just before it returns. */
	.macro push_host_callee_saved
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro pop_host_callee_saved
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	.endm

/* RDI = struct vcpu_regs *: loads the guest's RBX, RCX, RDX, RSI, RBP and
 * R8-R15, then RDI itself (last: it held the pointer). RAX is the
 * caller's: VMRUN takes the guest's from the VMCB. MOV leaves RFLAGS
 * alone, so flags set before survive to the entry instruction. */
	.macro load_guest_gprs
	movq VCPU_REG_RBX(%rdi), %rbx
	movq VCPU_REG_RCX(%rdi), %rcx
	movq VCPU_REG_RDX(%rdi), %rdx
	movq VCPU_REG_RSI(%rdi), %rsi
	movq VCPU_REG_RBP(%rdi), %rbp
	movq VCPU_REG_R8(%rdi), %r8
	movq VCPU_REG_R9(%rdi), %r9
	movq VCPU_REG_R10(%rdi), %r10
	movq VCPU_REG_R11(%rdi), %r11
	movq VCPU_REG_R12(%rdi), %r12
	movq VCPU_REG_R13(%rdi), %r13
	movq VCPU_REG_R14(%rdi), %r14
	movq VCPU_REG_R15(%rdi), %r15
	movq VCPU_REG_RDI(%rdi), %rdi
	.endm

/* RDI = struct vcpu_regs *: stores the guest's RBX, RCX, RDX, RSI, RBP and
 * R8-R15. RAX and RDI are the caller's to store (RDI was reused for the
 * pointer; the caller saved the guest's value first). */
	.macro store_guest_gprs
	movq %rbx, VCPU_REG_RBX(%rdi)
	movq %rcx, VCPU_REG_RCX(%rdi)
	movq %rdx, VCPU_REG_RDX(%rdi)
	movq %rsi, VCPU_REG_RSI(%rdi)
	movq %rbp, VCPU_REG_RBP(%rdi)
	movq %r8, VCPU_REG_R8(%rdi)
	movq %r9, VCPU_REG_R9(%rdi)
	movq %r10, VCPU_REG_R10(%rdi)
	movq %r11, VCPU_REG_R11(%rdi)
	movq %r12, VCPU_REG_R12(%rdi)
	movq %r13, VCPU_REG_R13(%rdi)
	movq %r14, VCPU_REG_R14(%rdi)
	movq %r15, VCPU_REG_R15(%rdi)
	.endm
#endif

#ifndef __ASSEMBLY__
#include <stddef.h>

#include "vmm/backend.h"

#define VCPU_REG_CHECK(field, offset) \
	_Static_assert(offsetof(struct vcpu_regs, field) == (offset), #offset " != offsetof(" #field ")")
VCPU_REG_CHECK(rax, VCPU_REG_RAX);
VCPU_REG_CHECK(rbx, VCPU_REG_RBX);
VCPU_REG_CHECK(rcx, VCPU_REG_RCX);
VCPU_REG_CHECK(rdx, VCPU_REG_RDX);
VCPU_REG_CHECK(rsi, VCPU_REG_RSI);
VCPU_REG_CHECK(rdi, VCPU_REG_RDI);
VCPU_REG_CHECK(rbp, VCPU_REG_RBP);
VCPU_REG_CHECK(r8, VCPU_REG_R8);
VCPU_REG_CHECK(r9, VCPU_REG_R9);
VCPU_REG_CHECK(r10, VCPU_REG_R10);
VCPU_REG_CHECK(r11, VCPU_REG_R11);
VCPU_REG_CHECK(r12, VCPU_REG_R12);
VCPU_REG_CHECK(r13, VCPU_REG_R13);
VCPU_REG_CHECK(r14, VCPU_REG_R14);
VCPU_REG_CHECK(r15, VCPU_REG_R15);
#undef VCPU_REG_CHECK
#endif

#endif
