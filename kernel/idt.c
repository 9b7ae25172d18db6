/* kernel/idt.c — the IDT, trap dispatch and the exception dump.
 * See: SDM Vol. 3A 6.10 (IDT), 6.14.1 (64-bit gate descriptors), 6.15
 * (exception reference, for the names below). */
#include "io.h"
#include "panic.h"
#include "printf.h"
#include "shutdown.h"
#include "trap.h"

#define IDT_VECTORS 256
#define GATE_INTERRUPT 0xeull /* type 14: 64-bit interrupt gate (IF cleared) */
#define GATE_PRESENT BIT(7)
#define FIRST_IRQ_VECTOR VECTOR_IRQ_BASE
#define IRQ_LINES 16

struct __attribute__((packed)) idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "SDM Vol. 3A Figure 6-8");
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "kernel/isr.S pushes 15 registers");
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "kernel/isr.S frame size");

extern const uint64_t isr_table[IDT_VECTORS];
static struct idt_gate idt[IDT_VECTORS];
static irq_handler_t irq_handlers[IRQ_LINES];
struct trap_expectation trap_expectation;

static const char *const exception_names[32] = {
	"#DE Divide Error", "#DB Debug", "NMI Interrupt", "#BP Breakpoint",
	"#OF Overflow", "#BR BOUND Range Exceeded", "#UD Invalid Opcode", "#NM Device Not Available",
	"#DF Double Fault", "Coprocessor Segment Overrun", "#TS Invalid TSS", "#NP Segment Not Present",
	"#SS Stack-Segment Fault", "#GP General Protection", "#PF Page Fault", "Reserved (15)",
	"#MF x87 Floating-Point Error", "#AC Alignment Check", "#MC Machine Check", "#XM SIMD Floating-Point",
	"#VE Virtualization Exception", "#CP Control Protection", "Reserved (22)", "Reserved (23)",
	"Reserved (24)", "Reserved (25)", "Reserved (26)", "Reserved (27)",
	"#HV Hypervisor Injection", "#VC VMM Communication", "#SX Security Exception", "Reserved (31)",
};

const char *trap_vector_name(uint64_t vector)
{
	if (vector < 32)
		return exception_names[vector];
	return vector == VECTOR_SPURIOUS ? "spurious interrupt" : "external interrupt";
}

static void set_gate(unsigned vector, uint64_t handler, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
		.offset_low = handler & 0xffff,
		.selector = KERNEL_CS,
		.ist = ist,
		.type_attr = GATE_PRESENT | GATE_INTERRUPT,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_high = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_VECTORS; v++)
		set_gate(v, isr_table[v], 0);
	set_gate(VECTOR_DF, isr_table[VECTOR_DF], IST_DOUBLE_FAULT);
	set_gate(2, isr_table[2], IST_NMI);
	set_gate(18, isr_table[18], IST_MACHINE_CHECK);
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

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
