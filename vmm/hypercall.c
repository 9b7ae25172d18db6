/* vmm/hypercall.c — hypercall dispatch (ABI: vmm/hypercall_abi.h).
 * Every argument is checked; a bad one returns -HC_E_* to the guest and
 * never reaches past the VM's own memory. */
#include "vmm/balloon/balloon.h"
#include "vmm/cpu/emulate.h"
#include "vmm/exit.h"
#include "vmm/mm/memory.h"
#include "vmm/vmm.h"
#include "kernel/errno.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "kernel/timer.h"

static int64_t hc_console_write(struct vm *vm, uint64_t gpa, uint64_t len)
{
	char buf[HC_CONSOLE_MAX];
	if (len > HC_CONSOLE_MAX)
		return -HC_E_INVAL;
	if (vm_gpa_read(vm, gpa, buf, len))
		return -HC_E_FAULT;
	for (uint64_t i = 0; i < len; i++)
		vm_console_putc(vm, buf[i]);
	return (int64_t)len;
}

static int64_t hc_get_info(struct vm *vm, uint64_t gpa)
{
	struct hc_vm_info info;
	memset(&info, 0, sizeof(info));
	info.abi_version = HC_ABI_VERSION;
	info.vm_id = vm->id;
	info.memory_bytes = vm->mem_bytes;
	str_copy(info.name, vm->name, sizeof(info.name));
	str_copy(info.args, vm->args, sizeof(info.args));
	info.tsc_khz = tsc_khz();
	return vm_gpa_write(vm, gpa, &info, sizeof(info)) ? -HC_E_FAULT : 0;
}

void handle_hypercall(struct vcpu *vcpu, const struct exit_record *exit)
{
	struct vm *vm = vcpu->vm;
	struct vcpu_regs *r = &vcpu->regs;
	int64_t result;
	emulate_complete(vcpu, exit);
	vm->stats.hypercalls++;
	switch (r->rax) {
	case HC_CONSOLE_WRITE: result = hc_console_write(vm, r->rbx, r->rcx); break;
	case HC_GET_INFO: result = hc_get_info(vm, r->rbx); break;
	case HC_NOP: result = 0; break;
	case HC_BALLOON_TARGET: result = balloon_hc_target(vm); break;
	case HC_BALLOON_INFLATE: result = balloon_hc_inflate(vm, r->rbx, r->rcx); break;
	case HC_BALLOON_DEFLATE: result = balloon_hc_deflate(vm, r->rbx, r->rcx); break;
	case HC_BALLOON_STATS: result = balloon_hc_stats(vm, r->rbx, r->rcx); break;
	case HC_MARK:
		vmm_mark(vm, r->rbx);
		result = 0;
		break;
	case HC_EXIT:
		vm_finish(vm, (int)r->rbx);
		return;
	default: result = -HC_E_NOSYS; break;
	}
	if (result < 0)
		vm->stats.hypercall_errors++;
	r->rax = (uint64_t)result;
}
