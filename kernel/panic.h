/* kernel/panic.h — stop with a message, registers and a backtrace. */
#ifndef MEMVISOR_PANIC_H
#define MEMVISOR_PANIC_H

#include "kernel/printf.h"
#include "kernel/types.h"

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

/* Assertions stay on in every build: a broken invariant is found where it
 * breaks, not later as corrupted memory. */
#define ASSERT(cond)                                                         \
	do {                                                                 \
		if (!(cond))                                                 \
			panic("assertion failed: %s", #cond);                \
	} while (0)

__attribute__((noreturn)) void panic_at(const char *file, int line, const char *fmt, ...) PRINTF_FORMAT(3, 4);

/* Prints return addresses by walking saved frame pointers from `rbp`. */
void backtrace_from(uint64_t rbp);

#endif
