/* vmm/swap/print.c — the monitor's `swap`: the device, how full it is,
 * each VM's pages on it and its traffic, the write requests and the
 * pages they carried (cluster.c), the swap-ins waited for off the CPU. */
#include "vmm/swap/swap.h"
#include "kernel/printf.h"

void swap_print(void)
{
	if (!swap_enabled()) {
		kprintf("swap: no swap device (tools/mkswap FILE SIZE; tools/run --swap SIZE)\n");
		return;
	}
	kprintf("swap: %s, %llu of %llu slots used, %llu retired after a failed write, %llu errors\n",
		swap_device_name(), (unsigned long long)swap_slots_used(), (unsigned long long)swap_slots_total(),
		(unsigned long long)swap_slots_retired_count(), (unsigned long long)swap_errors());
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		kprintf("  vm%u %-10s %8llu slots  %8llu out  %8llu in  %llu errors\n", vm->id, vm->name,
			(unsigned long long)vm->pmap.count[PMAP_SWAPPED], (unsigned long long)vm->swap.outs,
			(unsigned long long)vm->swap.ins, (unsigned long long)vm->swap.errors);
	}
	uint64_t req = swap_write_requests(), pages = swap_write_pages();
	kprintf("  writes: %llu requests for %llu pages (%llu.%02llu pages per request)\n", (unsigned long long)req,
		(unsigned long long)pages, (unsigned long long)(req ? pages / req : 0),
		(unsigned long long)(req ? pages * 100 / req % 100 : 0));
	for (uint32_t i = 0; i < vm_count; i++) /* read_wait.c: the swap-ins waited for off the CPU */
		if (vms[i].swap.waits)
			kprintf("  vm%u %-10s %8llu swap-ins waited off the CPU, %llu while others ran\n", vms[i].id,
				vms[i].name, (unsigned long long)vms[i].swap.waits,
				(unsigned long long)vms[i].swap.waits_others_ran);
}
