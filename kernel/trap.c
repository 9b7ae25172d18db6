/* kernel/trap.c — what memvisor does with an interrupt or exception once
 * kernel/isr.S has saved the registers: IRQ handlers (the timer), faults
 * that a test expects, and otherwise the exception dump and a stop.
 * See: SDM Vol. 3A 6.15 (exception reference). */
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/shutdown.h"
#include "kernel/trap.h"

#define FIRST_IRQ_VECTOR VECTOR_IRQ_BASE
#define IRQ_LINES 16

static irq_handler_t irq_handlers[IRQ_LINES];
struct trap_expectation trap_expectation;

void irq_set_handler(unsigned irq, irq_handler_t handler)
{
	ASSERT(irq < IRQ_LINES);
	irq_handlers[irq] = handler;
}

void trap_expect(uint64_t vector, uint64_t skip)
{
	trap_expectation = (struct trap_expectation){ .armed = true, .vector = vector, .skip = skip };
}

void trap_dump(const struct trap_frame *tf)
{
	kprintf("memvisor: exception %s (vector %llu) error=%#llx\n", trap_vector_name(tf->vector),
		(unsigned long long)tf->vector, (unsigned long long)tf->error_code);
	kprintf("  RIP=%p CS=%#llx RFLAGS=%#llx RSP=%p SS=%#llx\n", (void *)tf->rip,
		(unsigned long long)tf->cs, (unsigned long long)tf->rflags, (void *)tf->rsp,
		(unsigned long long)tf->ss);
	kprintf("  CR0=%#llx CR2=%p CR3=%#llx CR4=%#llx\n", (unsigned long long)read_cr0(),
		(void *)read_cr2(), (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	kprintf("  RAX=%p RBX=%p RCX=%p RDX=%p\n", (void *)tf->rax, (void *)tf->rbx, (void *)tf->rcx, (void *)tf->rdx);
	kprintf("  RSI=%p RDI=%p RBP=%p\n", (void *)tf->rsi, (void *)tf->rdi, (void *)tf->rbp);
	kprintf("  R8 =%p R9 =%p R10=%p R11=%p\n", (void *)tf->r8, (void *)tf->r9, (void *)tf->r10, (void *)tf->r11);
	kprintf("  R12=%p R13=%p R14=%p R15=%p\n", (void *)tf->r12, (void *)tf->r13, (void *)tf->r14, (void *)tf->r15);
	kprintf("  backtrace:\n    #0 %p\n", (void *)tf->rip);
	backtrace_from(tf->rbp);
}

static bool trap_expected(struct trap_frame *tf)
{
	struct trap_expectation *e = &trap_expectation;
	if (!e->armed || e->vector != tf->vector)
		return false;
	e->armed = false;
	e->hit = true;
	e->error_code = tf->error_code;
	e->rip = tf->rip;
	e->cr2 = read_cr2();
	tf->rip += e->skip;
	return true;
}

void trap_dispatch(struct trap_frame *tf);

void trap_dispatch(struct trap_frame *tf)
{
	uint64_t v = tf->vector;
	if (v >= FIRST_IRQ_VECTOR && v < FIRST_IRQ_VECTOR + IRQ_LINES && irq_handlers[v - FIRST_IRQ_VECTOR]) {
		irq_handlers[v - FIRST_IRQ_VECTOR](tf);
		return;
	}
	if (v == VECTOR_SPURIOUS || (v >= FIRST_IRQ_VECTOR && v < FIRST_IRQ_VECTOR + IRQ_LINES))
		return; /* masked-line leftovers and spurious IRQ 7/15 */
	if (trap_expected(tf))
		return;
	trap_dump(tf);
	shutdown(STATUS_PANIC, "exception");
}
