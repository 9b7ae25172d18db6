/* kernel/console.c — kprintf(): format, then write to COM1.
 * A call's output goes out in one piece per buffer-full, one after the
 * other (nothing else prints in between: one CPU, and no interrupt handler
 * prints), so a line longer than the buffer still comes out whole, its
 * newline included. */
#include "kernel/printf.h"
#include "kernel/serial.h"

#define CONSOLE_BUFFER 1024

static void console_sink(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	serial_write(s, len);
}

int kvprintf(const char *fmt, va_list ap)
{
	char buf[CONSOLE_BUFFER];
	return kvprintf_to(console_sink, 0, buf, sizeof(buf), fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
