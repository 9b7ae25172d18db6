/* guest/runtime/trap.c — what an exception does in a guest: a workload
 * that provokes exceptions on purpose (trap_set_hook(), trap.h) sees each
 * one first; then a #PF in a demand region maps a frame and retries
 * (demand.c); anything else prints one line and ends the guest with
 * GUEST_EXIT_FATAL.
 * See: SDM Vol. 3A (rev. 084) 6.15 (exception reference). */
#include "trap.h"
#include "console.h"
#include "demand.h"
#include "exit.h"
#include "kernel/io.h"

static trap_hook_t trap_hook;

void trap_set_hook(trap_hook_t hook)
{
	trap_hook = hook;
}

void trap_dispatch(struct trap_frame *tf)
{
	if (trap_hook && trap_hook(tf))
		return;
	uint64_t cr2 = read_cr2();
	if (tf->vector == VECTOR_PF && demand_handle_fault(cr2, tf->error_code))
		return;
	guest_printf("guest: exception %s at rip=0x%llx cr2=0x%llx error=0x%llx\n", trap_vector_name(tf->vector),
		     (unsigned long long)tf->rip, (unsigned long long)cr2, (unsigned long long)tf->error_code);
	guest_exit(GUEST_EXIT_FATAL);
}
