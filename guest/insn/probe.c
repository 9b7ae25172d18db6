/* guest/insn/probe.c — the trap hook behind probe.h.
 * See: SDM Vol. 3A (rev. 084) 6.15 (which exceptions are faults, which
 * traps), 18.2.3 (DR6). */
#include "probe.h"
#include "trap.h"
#include "kernel/cpu_regs.h"

volatile struct probe probe;

static bool probe_trap(struct trap_frame *tf)
{
	if (probe.traps++ == 0) {
		probe.vector = tf->vector;
		probe.error = tf->error_code;
		probe.rip = tf->rip;
		probe.dr6 = tf->vector == VECTOR_DB ? read_dr6() : 0;
	}
	tf->rflags &= ~(uint64_t)RFLAGS_TF; /* one step is enough */
	if (tf->vector != VECTOR_DB)
		tf->rip = probe.resume; /* a fault: RIP is on the instruction */
	return true;
}

void probe_disarm(void)
{
	trap_set_hook(NULL);
}

void probe_arm(void)
{
	trap_set_hook(probe_trap);
	write_dr6(DR6_INIT); /* DR6 bits are sticky: start each check clean */
	probe.traps = 0;
	probe.vector = VECTOR_NO_TRAP;
	probe.error = probe.rip = probe.dr6 = 0;
}
