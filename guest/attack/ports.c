/* guest/attack/ports.c — kind=ports: IN and OUT of every width on random
 * ports. memvisor intercepts every port (its I/O bitmaps are all ones):
 * nothing reaches the machine's devices. A port with nothing behind it
 * reads all ones (the bus floats high); a 32-bit IN zero-extends into
 * RAX, narrower ones keep the upper bits (SDM Vol. 1 3.4.1.1); the
 * UART's scratch register is this VM's own. kind=stringio: INS/OUTS,
 * which memvisor does not emulate: it stops the VM and says so. */
#include "attack.h"

#define COM1 GUEST_COM1_PORT
#define COM1_PORTS 8
#define UART_LSR 5
#define UART_SCR 7
#define LSR_IDLE 0x60 /* transmitter empty, holding register empty */
#define RAX_FILL 0x5a5a5a5a5a5a5a5aull

static uint64_t in_width(uint16_t port, unsigned bytes)
{
	uint64_t rax = RAX_FILL;
	if (bytes == 1)
		__asm__ volatile("inb %w1, %b0" : "+a"(rax) : "Nd"(port));
	else if (bytes == 2)
		__asm__ volatile("inw %w1, %w0" : "+a"(rax) : "Nd"(port));
	else
		__asm__ volatile("inl %w1, %k0" : "+a"(rax) : "Nd"(port));
	return rax;
}

static void out_width(uint16_t port, unsigned bytes, uint32_t v)
{
	if (bytes == 1)
		__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
	else if (bytes == 2)
		__asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
	else
		__asm__ volatile("outl %k0, %w1" : : "a"(v), "Nd"(port));
}

/* What an IN of `bytes` from a port with nothing behind it leaves in RAX. */
static uint64_t floating(unsigned bytes)
{
	if (bytes == 4)
		return 0xffffffffull;
	uint64_t mask = bytes == 1 ? 0xff : 0xffff;
	return (RAX_FILL & ~mask) | mask;
}

static bool ours(uint16_t port)
{
	return port == GUEST_EXIT_PORT || (port >= COM1 && port < COM1 + COM1_PORTS);
}

void attack_ports(struct attack *a)
{
	static const unsigned widths[] = { 1, 2, 4 };
	for (uint64_t i = 0; i < a->rounds; i++) {
		uint16_t port = (uint16_t)attack_random(a);
		unsigned bytes = widths[attack_random(a) % 3];
		if (ours(port))
			continue;
		out_width(port, bytes, (uint32_t)attack_random(a));
		attack_expect(a, "in-floating", (int64_t)floating(bytes), (int64_t)in_width(port, bytes));
	}
	/* The UART: LSR always idle, the scratch register keeps what we wrote. */
	attack_expect(a, "uart-lsr", LSR_IDLE, (int64_t)(in_width(COM1 + UART_LSR, 1) & 0xff));
	for (unsigned v = 0; v < 256; v += 17) {
		out_width(COM1 + UART_SCR, 1, v);
		attack_expect(a, "uart-scratch", v, (int64_t)(in_width(COM1 + UART_SCR, 1) & 0xff));
	}
}

void attack_stringio(struct attack *a)
{
	static const char bytes[] = "INS/OUTS";
	(void)a;
	guest_printf("attack: rep outsb to port 0x80: memvisor should stop this VM\n");
	__asm__ volatile("cld; rep outsb" : : "S"(bytes), "c"(sizeof(bytes) - 1), "d"(0x80) : "memory");
	guest_printf("attack: string I/O went through\n");
	guest_exit(GUEST_EXIT_FAILED);
}
