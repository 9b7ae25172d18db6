/* kernel/panic.c — panic(): message, registers, backtrace, status 3. */
#include "kernel/io.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/shutdown.h"

#define BACKTRACE_MAX 16

static bool in_panic;

/* The kernel is built with frame pointers: each frame starts with the
 * caller's RBP, and the return address sits just above it. */
void backtrace_from(uint64_t rbp)
{
	for (int depth = 1; depth <= BACKTRACE_MAX && rbp; depth++) {
		if (rbp & 7)
			break;
		mpa_t where;
		if (!paging_translate(rbp, &where) || !paging_translate(rbp + 8, &where))
			break;
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		if (!frame[1])
			break;
		kprintf("    #%d %p\n", depth, (void *)frame[1]);
		rbp = frame[0];
	}
	kprintf("  (resolve addresses with: addr2line -f -e build/memvisor.elf ADDRESS)\n");
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	irq_disable();
	if (in_panic) {
		kprintf("memvisor: panic while panicking at %s:%d\n", file, line);
		shutdown(STATUS_PANIC, "panic");
	}
	in_panic = true;
	kprintf("memvisor: panic at %s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");

	/* Only the callee-saved registers still hold the caller's values here. */
	uint64_t rsp, rbp, rbx, r12, r13, r14, r15;
	__asm__ volatile("mov %%rsp, %0; mov %%rbp, %1; mov %%rbx, %2; mov %%r12, %3; mov %%r13, %4;"
			 "mov %%r14, %5; mov %%r15, %6"
			 : "=m"(rsp), "=m"(rbp), "=m"(rbx), "=m"(r12), "=m"(r13), "=m"(r14), "=m"(r15));
	kprintf("  RSP=%p RBP=%p RBX=%p\n", (void *)rsp, (void *)rbp, (void *)rbx);
	kprintf("  R12=%p R13=%p R14=%p R15=%p\n", (void *)r12, (void *)r13, (void *)r14, (void *)r15);
	kprintf("  CR0=%#llx CR2=%p CR3=%#llx CR4=%#llx\n", (unsigned long long)read_cr0(), (void *)read_cr2(),
		(unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	kprintf("  backtrace:\n");
	backtrace_from(rbp);
	shutdown(STATUS_PANIC, "panic");
}
