/* kernel/printf.h — formatted output without libc.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%; flags '-' '0' '+' ' ' '#';
 * width and precision as numbers or '*'; length modifiers hh h l ll z j t.
 * kvsnprintf() is pure (it compiles hosted for tests/unit); kprintf() sends
 * the result to the console.
 */
#ifndef MEMVISOR_PRINTF_H
#define MEMVISOR_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

#define PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))

/* Like C's vsnprintf: writes at most size-1 chars plus NUL, returns the
 * length the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_FORMAT(3, 4);
int kprintf(const char *fmt, ...) PRINTF_FORMAT(1, 2);
int kvprintf(const char *fmt, va_list ap);

#endif
