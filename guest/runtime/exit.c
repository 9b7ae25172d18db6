/* guest/runtime/exit.c — guest_exit(): end the VM through the exit port
 * (vmm/hypercall_abi.h §3), the same port QEMU's isa-debug-exit uses. */
#include "exit.h"
#include "console.h"
#include "kernel/io.h"
#include "vmm/hypercall_abi.h"

void guest_exit(uint32_t status)
{
	irq_disable();
	outl(GUEST_EXIT_PORT, status);
	for (;;)
		cpu_halt(); /* with IF=0 only an NMI wakes us, and we halt again */
}

void guest_die(const char *guest, const char *what, int err)
{
	guest_printf("%s: error: %s failed (%d)\n", guest, what, err);
	guest_exit(GUEST_EXIT_FATAL);
}
