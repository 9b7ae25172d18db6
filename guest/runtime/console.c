/* guest/runtime/console.c — COM1 output, polled, one byte at a time.
 * Register map: PC16550D datasheet, table 2.
 *
 * No UART set-up on purpose: memvisor's per-VM UART only implements THR
 * writes and LSR reads (vmm/hypercall_abi.h §3), and a divisor-latch write
 * to port 0x3f8 would look like a data byte to it. QEMU's UART prints
 * whatever the baud rate. */
#include "console.h"
#include "kernel/io.h"
#include "vmm/hypercall_abi.h"

#define UART_THR 0          /* transmit holding register (write) */
#define UART_LSR 5          /* line status register (read)       */
#define LSR_THR_EMPTY 0x20  /* bit 5: THR can take a byte        */

void console_putc(char c)
{
	/* Waiting matters on a real 16550 and in Bochs, which drop bytes
	 * written while the transmitter is busy. */
	while (!(inb(GUEST_COM1_PORT + UART_LSR) & LSR_THR_EMPTY))
		cpu_pause();
	outb(GUEST_COM1_PORT + UART_THR, (uint8_t)c);
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
}

int guest_printf(const char *fmt, ...)
{
	char line[CONSOLE_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	console_write(line, len);
	return n;
}
