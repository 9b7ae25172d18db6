/* guest/runtime/trap.c — what an exception does in a guest: a #PF in a
 * demand region maps a frame and retries (demand.c); one the workload said
 * it expects (trap_expect(), kernel/trap.h) is recorded and skipped;
 * anything else prints one line and ends the guest with GUEST_EXIT_FATAL.
 * See: SDM Vol. 3A (rev. 084) 6.15 (exception reference). */
#include "trap.h"
#include "console.h"
#include "demand.h"
#include "exit.h"
#include "kernel/io.h"

struct trap_expectation trap_expectation;

void trap_expect(uint64_t vector, uint64_t skip)
{
	trap_expectation = (struct trap_expectation){ .armed = true, .vector = vector, .skip = skip };
}

static bool trap_expected(struct trap_frame *tf, uint64_t cr2)
{
	struct trap_expectation *e = &trap_expectation;
	if (!e->armed || e->vector != tf->vector)
		return false;
	*e = (struct trap_expectation){ .hit = true, .vector = tf->vector, .skip = e->skip,
					.error_code = tf->error_code, .rip = tf->rip, .cr2 = cr2 };
	tf->rip += e->skip;
	return true;
}

void trap_dispatch(struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();
	if (tf->vector == VECTOR_PF && demand_handle_fault(cr2, tf->error_code))
		return;
	if (trap_expected(tf, cr2))
		return;
	guest_printf("guest: exception %s at rip=0x%llx cr2=0x%llx error=0x%llx\n", trap_vector_name(tf->vector),
		     (unsigned long long)tf->rip, (unsigned long long)cr2, (unsigned long long)tf->error_code);
	guest_exit(GUEST_EXIT_FATAL);
}
