/* vmm/pio.c — port I/O a guest may do: its own COM1 and the exit port.
 * The UART is emulated only as far as a polling driver needs (PC16550D
 * registers): THR writes collect a line, LSR reads say "transmitter empty".
 * Each finished line is printed on the real console as "[vmN:name] line",
 * whole, so lines of different VMs never interleave, and with every byte
 * that is not printable ASCII shown as \xHH (vmm/console_escape.h): a guest
 * cannot hide its prefix or drive the student's terminal. */
#include "vmm/console_escape.h"
#include "vmm/cpu/emulate.h"
#include "vmm/exit.h"
#include "kernel/printf.h"

#define UART_THR 0 /* transmit holding register (DLAB = 0) */
#define UART_SCR 7 /* scratch register                     */
#define UART_LSR 5
#define UART_PORTS 8
#define LSR_THR_EMPTY 0x20
#define LSR_TX_EMPTY 0x40

static void uart_flush(struct vm *vm)
{
	struct vm_uart *u = &vm->com1;
	char shown[UART_LINE_MAX * CONSOLE_ESCAPE_MAX_PER_BYTE + 1];
	console_escape(shown, sizeof(shown), u->line, u->len);
	kprintf("[vm%u:%s] %s\n", vm->id, vm->name, shown);
	u->len = 0;
}

void vm_console_putc(struct vm *vm, char c)
{
	struct vm_uart *u = &vm->com1;
	if (c == '\r')
		return;
	if (c == '\n') {
		uart_flush(vm);
		return;
	}
	u->line[u->len++] = c;
	if (u->len == UART_LINE_MAX)
		uart_flush(vm); /* an overlong line is split, not lost */
}

static void uart_out(struct vm *vm, unsigned reg, uint8_t v)
{
	if (reg == UART_SCR)
		vm->com1.scratch = v;
	else if (reg == UART_THR)
		vm_console_putc(vm, (char)v);
	/* divisor, line control, FIFO control: nothing to model */
}

static uint32_t uart_in(struct vm *vm, unsigned reg)
{
	if (reg == UART_LSR)
		return LSR_THR_EMPTY | LSR_TX_EMPTY;
	return reg == UART_SCR ? vm->com1.scratch : 0;
}

void vm_uart_drain(struct vm *vm)
{
	if (vm->com1.len)
		uart_flush(vm);
}

/* IN's destination is AL, AX or EAX. Like any 32-bit register write in
 * 64-bit mode, EAX zero-extends into RAX (outside 64-bit mode the upper
 * half is undefined, so zero is right there too); AL and AX leave the
 * other bits alone. See: SDM Vol. 1 3.4.1.1. */
static void io_in_result(struct vcpu_regs *r, unsigned size, uint32_t value)
{
	if (size == 4) {
		r->rax = value;
		return;
	}
	uint64_t mask = (1ull << (8 * size)) - 1;
	r->rax = (r->rax & ~mask) | (value & mask);
}

void handle_io(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vm *vm = vcpu->vm;
	struct vcpu_regs *r = &vcpu->regs;
	uint16_t port = exit->io.port;
	uint32_t mask = exit->io.size == 4 ? 0xffffffffu : (1u << (8 * exit->io.size)) - 1;
	if (exit->io.string) {
		vm_stop(vm, "string I/O (INS/OUTS) on port %#x is not emulated (rip=%#llx)", port,
			(unsigned long long)r->rip);
		return;
	}
	emulate_complete(vcpu, exit);
	if (port >= GUEST_COM1_PORT && port < GUEST_COM1_PORT + UART_PORTS) {
		if (exit->io.in)
			io_in_result(r, exit->io.size, uart_in(vm, port - GUEST_COM1_PORT));
		else
			uart_out(vm, port - GUEST_COM1_PORT, (uint8_t)r->rax);
	} else if (port == GUEST_EXIT_PORT && !exit->io.in) {
		vm_finish(vm, (int)(r->rax & mask));
	} else if (exit->io.in) {
		io_in_result(r, exit->io.size, mask); /* nothing there: the bus floats high */
	}
	/* OUT to any other port: ignored, as on a PC with nothing there. */
}
