/* vmm/cpu/regs_frame.h — where each guest general register sits in struct
 * vcpu_regs (vmm/backend.h), for the two world-switch stubs that load and
 * store them: vmm/svm/vmrun.S and vmm/vmx/vmentry.S. Written once here;
 * the C half below pins every offset to the struct, so a change of the
 * struct that these lines miss stops the build.
 * Neither VMRUN (APM Vol. 2 15.5.1) nor VM entry (SDM Vol. 3C 28.1) saves
 * or loads these registers: the stubs must. */
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
