/* kernel/serial.c — COM1, a 16550 UART, polled (no interrupts).
 *
 * Every byte waits for the Line Status Register's "transmit holding register
 * empty" bit: Bochs drops bytes written while its FIFO is full, QEMU does
 * not, so a driver that skips the wait works in one emulator only.
 * Register map: PC16550D datasheet, table 2.
 */
#include "kernel/serial.h"
#include "kernel/io.h"

#define COM1_BASE 0x3f8
#define UART_DATA 0          /* DLAB=0: transmit/receive buffer */
#define UART_IER 1           /* DLAB=0: interrupt enable        */
#define UART_DLL 0           /* DLAB=1: divisor latch low       */
#define UART_DLM 1           /* DLAB=1: divisor latch high      */
#define UART_FCR 2           /* FIFO control                    */
#define UART_LCR 3           /* line control                    */
#define UART_MCR 4           /* modem control                   */
#define UART_LSR 5           /* line status                     */
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LSR_TX_EMPTY 0x40 /* holding and shift registers both empty */
#define UART_CLOCK_DIVISOR 1 /* 115200 baud */

void serial_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, LCR_DLAB);
	outb(COM1_BASE + UART_DLL, UART_CLOCK_DIVISOR & 0xff);
	outb(COM1_BASE + UART_DLM, UART_CLOCK_DIVISOR >> 8);
	outb(COM1_BASE + UART_LCR, LCR_8N1);
	outb(COM1_BASE + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1_BASE + UART_MCR, MCR_DTR_RTS_OUT2);
}

void serial_putc(char c)
{
	while (!(inb(COM1_BASE + UART_LSR) & LSR_THR_EMPTY))
		cpu_pause();
	outb(COM1_BASE + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

void serial_flush(void)
{
	while (!(inb(COM1_BASE + UART_LSR) & LSR_TX_EMPTY))
		cpu_pause();
}

bool serial_input_waiting(void)
{
	return inb(COM1_BASE + UART_LSR) & LSR_DATA_READY;
}

int serial_getc_nonblock(void)
{
	if (!(inb(COM1_BASE + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1_BASE + UART_DATA);
}
