/* guest/attack/probe.c — provoking exceptions on purpose: probe_arm()
 * and PROBE_START (attack.h) set one vector and the address to resume at; the runtime's trap hook
 * (guest/runtime/trap.h) sends that exception there. Any other exception
 * stays fatal, as in every guest. */
#include "attack.h"

uint64_t probe_resume;
static uint64_t armed_vector = UINT64_MAX;
static bool hit;

static bool hook(struct trap_frame *tf)
{
	if (tf->vector != armed_vector || !probe_resume)
		return false;
	tf->rip = probe_resume;
	hit = true;
	return true;
}

void probe_init(void)
{
	trap_set_hook(hook);
}

void probe_arm(uint64_t vector)
{
	armed_vector = vector;
	hit = false;
}

bool probe_disarm(void)
{
	armed_vector = UINT64_MAX;
	probe_resume = 0;
	return hit;
}
