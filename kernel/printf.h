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

/* Where kvprintf_to() hands its output: len bytes at s, in order. */
typedef void (*printf_sink)(void *ctx, const char *s, size_t len);

/* Formats into buf (size > 0) and hands buf to sink each time it is full
 * and once at the end: output of any length arrives whole, in pieces of
 * at most size bytes. Returns the length of the whole output. */
int kvprintf_to(printf_sink sink, void *ctx, char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_FORMAT(3, 4);
int kprintf(const char *fmt, ...) PRINTF_FORMAT(1, 2);
int kvprintf(const char *fmt, va_list ap);

#endif
