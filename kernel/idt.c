/* kernel/idt.c — the IDT: one 64-bit interrupt gate per vector, pointing at
 * the stubs of kernel/isr.S, and the exceptions' names. The guest runtime
 * builds its IDT with this same file (guest/guest.mk); what happens after
 * the stub — trap_dispatch() — is each one's own (kernel/trap.c for memvisor).
 * See: SDM Vol. 3A 6.10 (IDT), 6.14.1 (64-bit gate descriptors), 6.15
 * (exception reference, for the names below). */
#include "kernel/trap.h"

#define IDT_VECTORS 256
#define GATE_INTERRUPT 0xeull /* type 14: 64-bit interrupt gate (IF cleared) */
#define GATE_PRESENT BIT(7)

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

