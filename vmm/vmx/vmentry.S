/* vmm/vmx/vmentry.S — the world switch: host → guest → host.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 31.3 (VMLAUNCH/VMRESUME),
 * 28.5 (the host state a VM exit loads), 31.2 (how they fail).
 *
 * enum vmx_status vmx_world_switch(struct vcpu_regs *regs,   RDI
 *                                  uint64_t launched);       RSI
 *
 * VM entry loads RSP, RIP, RFLAGS and the segment/control state from the
 * current VMCS; every general register, RAX included, is whatever it holds
 * at VMLAUNCH/VMRESUME, so we load the guest's from *regs before and store
 * them back after. The host's callee-saved registers stay on our stack.
 *
 * A VM exit does not come back here by returning: the CPU loads HOST_RSP
 * and HOST_RIP (= vmx_exit_rip) from the VMCS. We write HOST_RSP just
 * before entering, so the exit finds *regs at (%rsp). RFLAGS is 0x2 after
 * an exit: IF = 0, DF = 0.
 *
 * Returns 0 (VMX_OK) after a VM exit. When VMLAUNCH/VMRESUME fails as an
 * instruction (no entry at all), returns 1 (VMX_FAIL_VALID, ZF: the reason
 * is in VM_INSTRUCTION_ERROR) or 2 (VMX_FAIL_INVALID, CF).
 *
 * The offsets of the guest registers in struct vcpu_regs come from
 * vmm/cpu/regs_frame.h, which pins them to the C struct; the constants
 * below are checked against C by static_asserts in vcpu.c.
 */
#include "vmm/cpu/regs_frame.h"

#define FIELD_HOST_RSP 0x6c14
#define VMX_FAIL_VALID 1
#define VMX_FAIL_INVALID 2

	.section .text
	.global vmx_world_switch
	.type vmx_world_switch, @function
vmx_world_switch:
	push_host_callee_saved
	pushq %rdi                 /* regs: at (%rsp) when the exit lands */

	movq $FIELD_HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfailed               /* CF or ZF: VMfail */

	cmpq $0, %rsi              /* launched? the MOVs below keep ZF */
	movq VCPU_REG_RAX(%rdi), %rax
	load_guest_gprs            /* RDI last: it was our pointer */
	jne .Lresume
	vmlaunch
	jmp .Lfailed               /* only reached when VMLAUNCH failed */
.Lresume:
	vmresume

	/* The instruction failed: the guest never ran. */
.Lfailed:
	movl $VMX_FAIL_INVALID, %eax
	jc 1f
	movl $VMX_FAIL_VALID, %eax
1:	popq %rdi
	jmp .Lreturn

	.global vmx_exit_rip
vmx_exit_rip:
	pushq %rdi                 /* the guest's RDI */
	movq 8(%rsp), %rdi         /* regs */
	movq %rax, VCPU_REG_RAX(%rdi)
	store_guest_gprs
	popq %rax
	movq %rax, VCPU_REG_RDI(%rdi)
	xorl %eax, %eax            /* VMX_OK */
	popq %rdi

.Lreturn:
	pop_host_callee_saved
	ret
	.size vmx_world_switch, . - vmx_world_switch
