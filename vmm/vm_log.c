/* vmm/vm_log.c — memvisor's log lines about one VM: "memvisor: [vmN:name] ...".
 * Lines the guest causes at will go through the VM's budget (vmm/log_limit.h),
 * so a guest in a loop cannot flood COM1. */
#include "vmm/vm.h"
#include "kernel/printf.h"
#include "kernel/timer.h"

void vm_log(const struct vm *vm, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("memvisor: [vm%u:%s] %s\n", vm->id, vm->name, msg);
}

void vm_log_suppressed(struct vm *vm)
{
	uint64_t n = log_limit_take_suppressed(&vm->log_limit);
	if (n)
		vm_log(vm, "%llu log lines this VM caused were suppressed (at most %u at once, then %u a second)",
		       (unsigned long long)n, LOG_LIMIT_BURST, LOG_LIMIT_PER_SEC);
}

bool vm_log_guest_allowed(struct vm *vm)
{
	if (!log_limit_allow(&vm->log_limit, timer_ms()))
		return false;
	vm_log_suppressed(vm);
	return true;
}

bool vm_log_guest(struct vm *vm, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	if (!vm_log_guest_allowed(vm))
		return false;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vm_log(vm, "%s", msg);
	return true;
}
