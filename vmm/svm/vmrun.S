/* vmm/svm/vmrun.S — the world switch: host → guest → host.
 * See: APM Vol. 2 15.5 (VMRUN), 15.5.2 (VMSAVE/VMLOAD), 15.17 (GIF).
 *
 * void svm_world_switch(struct vcpu_regs *regs,     RDI
 *                       uint64_t guest_vmcb_mpa,    RSI
 *                       uint64_t host_vmcb_mpa);    RDX
 *
 * VMRUN loads RAX, RSP, RIP, RFLAGS and the segment/control state from
 * the VMCB; every other general register is whatever it holds at VMRUN, so
 * we load the guest's from *regs before and store them back after. The
 * host's callee-saved registers are kept on our stack. VMLOAD/VMSAVE move
 * the state VMRUN leaves alone (FS, GS, TR, LDTR, KernelGSBase, STAR,
 * SYSENTER): the host's go to a page of their own around the guest's.
 *
 * GIF: CLGI holds every interrupt until STGI, so none can hit between
 * loading guest registers and VMRUN. With V_INTR_MASKING set, a host
 * interrupt that arrives while the guest runs exits with VMEXIT_INTR and is
 * delivered through the host IDT right after STGI (host IF is 1).
 *
 * struct vcpu_regs offsets, checked against C by static_asserts in vcpu.c:
 */
#define REG_RAX 0x00
#define REG_RBX 0x08
#define REG_RCX 0x10
#define REG_RDX 0x18
#define REG_RSI 0x20
#define REG_RDI 0x28
#define REG_RBP 0x30
#define REG_R8 0x38
#define REG_R9 0x40
#define REG_R10 0x48
#define REG_R11 0x50
#define REG_R12 0x58
#define REG_R13 0x60
#define REG_R14 0x68
#define REG_R15 0x70

	.section .text
	.global svm_world_switch
svm_world_switch:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi                 /* regs, needed again after the exit */
	pushq %rdx                 /* host VMCB */
	pushq %rsi                 /* guest VMCB */

	clgi
	movq %rdx, %rax
	vmsave %rax                /* host FS/GS/TR/... */
	movq (%rsp), %rax
	vmload %rax                /* guest FS/GS/TR/... */

	movq REG_RBX(%rdi), %rbx
	movq REG_RCX(%rdi), %rcx
	movq REG_RDX(%rdi), %rdx
	movq REG_RSI(%rdi), %rsi
	movq REG_RBP(%rdi), %rbp
	movq REG_R8(%rdi), %r8
	movq REG_R9(%rdi), %r9
	movq REG_R10(%rdi), %r10
	movq REG_R11(%rdi), %r11
	movq REG_R12(%rdi), %r12
	movq REG_R13(%rdi), %r13
	movq REG_R14(%rdi), %r14
	movq REG_R15(%rdi), %r15
	movq REG_RDI(%rdi), %rdi   /* last: it was our pointer */

	vmrun %rax                 /* RAX = guest VMCB; back here on #VMEXIT */

	/* #VMEXIT restored host RSP and RAX (= guest VMCB mpa). */
	vmsave %rax
	pushq %rdi
	movq 24(%rsp), %rdi        /* regs: above the rdi copy, guest VMCB, host VMCB */
	movq %rbx, REG_RBX(%rdi)
	movq %rcx, REG_RCX(%rdi)
	movq %rdx, REG_RDX(%rdi)
	movq %rsi, REG_RSI(%rdi)
	movq %rbp, REG_RBP(%rdi)
	movq %r8, REG_R8(%rdi)
	movq %r9, REG_R9(%rdi)
	movq %r10, REG_R10(%rdi)
	movq %r11, REG_R11(%rdi)
	movq %r12, REG_R12(%rdi)
	movq %r13, REG_R13(%rdi)
	movq %r14, REG_R14(%rdi)
	movq %r15, REG_R15(%rdi)
	popq %rax
	movq %rax, REG_RDI(%rdi)

	movq 8(%rsp), %rax         /* host VMCB */
	vmload %rax
	stgi                       /* a pending host interrupt is taken here */

	addq $24, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
