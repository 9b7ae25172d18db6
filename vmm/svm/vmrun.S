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
 * The offsets of the guest registers in struct vcpu_regs come from
 * vmm/cpu/regs_frame.h, which pins them to the C struct.
 */
#include "vmm/cpu/regs_frame.h"

	.section .text
	.global svm_world_switch
svm_world_switch:
	push_host_callee_saved
	pushq %rdi                 /* regs, needed again after the exit */
	pushq %rdx                 /* host VMCB */
	pushq %rsi                 /* guest VMCB */

	clgi
	movq %rdx, %rax
	vmsave %rax                /* host FS/GS/TR/... */
	movq (%rsp), %rax
	vmload %rax                /* guest FS/GS/TR/... */

	load_guest_gprs            /* RDI last: it was our pointer */

	vmrun %rax                 /* RAX = guest VMCB; back here on #VMEXIT */

	/* #VMEXIT restored host RSP and RAX (= guest VMCB mpa). */
	vmsave %rax
	pushq %rdi
	movq 24(%rsp), %rdi        /* regs: above the rdi copy, guest VMCB, host VMCB */
	store_guest_gprs
	popq %rax
	movq %rax, VCPU_REG_RDI(%rdi)

	movq 8(%rsp), %rax         /* host VMCB */
	vmload %rax
	stgi                       /* a pending host interrupt is taken here */

	addq $24, %rsp
	pop_host_callee_saved
	ret
