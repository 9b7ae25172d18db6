/* guest/runtime/console.h — the guest's console: text on COM1. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stddef.h>
#include "kernel/printf.h"

void console_putc(char c);
void console_write(const char *s, size_t len);
/* printf (kernel/printf.h conversions) to COM1. Lines end with "\n" alone:
 * memvisor prefixes each guest line itself, and terminals under QEMU
 * -serial stdio cope. Output longer than CONSOLE_LINE_MAX is cut. */
int guest_printf(const char *fmt, ...) PRINTF_FORMAT(1, 2);

#define CONSOLE_LINE_MAX 512

#endif
