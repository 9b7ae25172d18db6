/* vmm/vm.c — the VM table (vm.h): the VMs in guests= order, finding one by
 * id or name, ending one, and a VM's state as a word. */
#include "vmm/vm.h"
#include "vmm/exit.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printf.h"
#include "kernel/string.h"

struct vm vms[VM_MAX];
uint32_t vm_count;

struct vm *vm_by_id(uint32_t id)
{
	return id >= 1 && id <= vm_count ? &vms[id - 1] : NULL;
}

struct vm *vm_with_memory(uint32_t id)
{
	struct vm *vm = vm_by_id(id);
	return vm && vm->pmap.entries ? vm : NULL;
}

int vm_find(const char *word, struct vm **out)
{
	uint64_t id;
	*out = NULL;
	if (!cmdline_parse_number(word, &id)) {
		*out = id <= UINT32_MAX ? vm_by_id((uint32_t)id) : NULL;
		return *out ? 0 : -E_NOT_FOUND;
	}
	for (uint32_t i = 0; i < vm_count; i++) {
		if (strcmp(vms[i].name, word))
			continue;
		if (*out) {
			*out = NULL;
			return -E_EXISTS;
		}
		*out = &vms[i];
	}
	return *out ? 0 : -E_NOT_FOUND;
}

const char *vm_find_error(int rc, const char *word, char *buf, size_t size)
{
	if (rc == -E_EXISTS)
		ksnprintf(buf, size, "two VMs are called '%s': name one by its id", word);
	else
		ksnprintf(buf, size, "no VM '%s'", word);
	return buf;
}

const char *vm_state_name(const struct vm *vm)
{
	switch (vm->state) {
	case VM_RUNNABLE:
		return "running";
	case VM_FINISHED:
		return "finished";
	case VM_STOPPED:
		return "stopped";
	}
	return "invalid";
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm_uart_drain(vm);
	vm->state = VM_STOPPED;
	vm_log(vm, "stopped: %s", vm->stop_reason);
}

void vm_finish(struct vm *vm, int status)
{
	vm_uart_drain(vm);
	vm->state = VM_FINISHED;
	vm->exit_status = status;
	vm_log(vm, "finished with status %d", status);
}
