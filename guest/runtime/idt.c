/* guest/runtime/idt.c — the guest's IDT (the 32 exception vectors) and
 * what an exception does: a #PF in a demand region maps a frame and
 * retries (demand.c); anything else prints one line and ends the guest
 * with GUEST_EXIT_FATAL.
 * See: SDM Vol. 3A (rev. 084) 6.10 (IDT), 6.14.1 (64-bit gates), 6.15
 * (exception reference, for the names below). */
#include "trap.h"
#include "console.h"
#include "demand.h"
#include "exit.h"
#include "kernel/io.h"

#define GATE_INTERRUPT 0xe /* type 14: 64-bit interrupt gate, clears IF */
#define GATE_PRESENT 0x80

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

extern const uint64_t isr_table[TRAP_EXCEPTIONS]; /* isr.S */
static struct idt_gate idt[TRAP_EXCEPTIONS];

/* The SDM's mnemonics; vectors without one are named by number. */
static const char *const exception_names[TRAP_EXCEPTIONS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "vector-9", "#TS", "#NP", "#SS", "#GP", "#PF", "vector-15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "vector-22", "vector-23",
	"vector-24", "vector-25", "vector-26", "vector-27", "#HV", "#VC", "#SX", "vector-31",
};

static void set_gate(unsigned vector, uint64_t handler, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
		.offset_low = handler & 0xffff,
		.selector = GUEST_CS,
		.ist = ist,
		.type_attr = GATE_PRESENT | GATE_INTERRUPT,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_high = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < TRAP_EXCEPTIONS; v++)
		set_gate(v, isr_table[v], v == TRAP_VECTOR_DF ? IST_DOUBLE_FAULT : 0);
	/* Vectors 32-255 lie beyond the limit: interrupts stay off in guests. */
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap_dispatch(struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();
	if (tf->vector == TRAP_VECTOR_PF && demand_handle_fault(cr2, tf->error_code))
		return;
	guest_printf("guest: exception %s at rip=0x%llx cr2=0x%llx error=0x%llx\n",
		     exception_names[tf->vector % TRAP_EXCEPTIONS], (unsigned long long)tf->rip,
		     (unsigned long long)cr2, (unsigned long long)tf->error_code);
	guest_exit(GUEST_EXIT_FATAL);
}
