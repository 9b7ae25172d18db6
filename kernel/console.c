/* kernel/console.c — kprintf(): format, then write to COM1.
 * One buffer per call keeps a line whole on the wire. */
#include "printf.h"
#include "serial.h"

#define CONSOLE_LINE_MAX 1024

int kvprintf(const char *fmt, va_list ap)
{
	char buf[CONSOLE_LINE_MAX];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	serial_write(buf, len);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
