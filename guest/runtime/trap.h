/* guest/runtime/trap.h — the guest's GDT, IDT and exception entry.
 * See: SDM Vol. 3A (rev. 084) 6.12–6.15 (exceptions, 64-bit gates). */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#define TRAP_EXCEPTIONS 32 /* vectors 0-31: the CPU's own (SDM 3A Table 6-1) */
#define TRAP_VECTOR_DF 8
#define TRAP_VECTOR_PF 14
#define GUEST_CS 0x08     /* gdt.c: 64-bit code                             */
#define GUEST_DS 0x10     /* gdt.c: data                                    */
#define GUEST_TSS 0x18    /* gdt.c: 64-bit TSS (for the #DF stack)          */
#define IST_DOUBLE_FAULT 1

#define TRAP_FRAME_REGS 15 /* general registers isr.S pushes */

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

/* What isr.S builds on the stack, lowest address first. From rip on, the
 * CPU pushed it (SDM 3A Figure 6-9: in 64-bit mode always SS:RSP). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code; /* error_code: 0 where the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(offsetof(struct trap_frame, vector) == TRAP_FRAME_REGS * 8, "isr.S push order");

void gdt_init(void);
void idt_init(void);
/* Called by isr.S with interrupts off; returning resumes the interrupted code. */
void trap_dispatch(struct trap_frame *tf);
#endif

#endif
