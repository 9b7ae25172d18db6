/* kernel/trap.h — interrupts and exceptions: the saved register frame, the
 * IDT, and a way for tests to expect a fault. See: SDM Vol. 3A 6.12–6.14. */
#ifndef MEMVISOR_TRAP_H
#define MEMVISOR_TRAP_H

#include "kernel/types.h"
#include "kernel/x86.h"

/* What kernel/isr.S pushes, lowest address first. The CPU pushes the part
 * from rip on (SDM Vol. 3A Figure 6-9, 64-bit mode: always SS:RSP). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code; /* error_code is 0 where the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;
};

#define VECTOR_IRQ_BASE 32 /* the 8259's IRQ 0 after remapping */
#define VECTOR_SPURIOUS 255

/* Interrupt stack table slots (kernel/gdt.c fills them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

#define KERNEL_CS 0x08

typedef void (*irq_handler_t)(struct trap_frame *tf);

void gdt_init(void);
void idt_init(void);
void irq_set_handler(unsigned irq, irq_handler_t handler);

/* Test support: the next exception with `vector` is not fatal; it is
 * recorded in trap_expectation and execution resumes `skip` bytes past the
 * faulting instruction (0 for traps such as INT3, which already resume
 * after it). */
struct trap_expectation {
	bool armed;
	uint64_t vector, skip;
	bool hit;
	uint64_t error_code, rip, cr2;
};
extern struct trap_expectation trap_expectation;
void trap_expect(uint64_t vector, uint64_t skip);

void trap_dump(const struct trap_frame *tf);
const char *trap_vector_name(uint64_t vector);

#endif
