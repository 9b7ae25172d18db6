/* vmm/policy.c — the memory state from free guest memory, with the
 * thresholds of mem_states= (ESX's 6,4,2,1 by default). Each change is
 * logged, so a run's log shows the machine going down and up through the
 * states (tools/stats-plot shades them). */
#include "policy.h"
#include "memory.h"
#include "../kernel/options.h"
#include "../kernel/printf.h"

static struct mem_thresholds thresholds;
static enum mem_state state = MEM_HIGH;
static uint64_t changes;

void policy_init(void)
{
	char msg[160];
	if (mem_thresholds_parse(options.mem_states, &thresholds, msg, sizeof(msg)))
		options_error("mem_states", msg);
}

void policy_update(uint64_t now_ms)
{
	uint64_t total = guest_frames.budget, used = guest_frames.used;
	uint64_t free = used < total ? total - used : 0;
	enum mem_state next = mem_state_next(state, free, total, &thresholds);
	if (next == state)
		return;
	kprintf("memvisor: memory state %s -> %s at t=%llu ms (%llu of %llu guest frames free)\n",
		mem_state_name(state), mem_state_name(next), (unsigned long long)now_ms, (unsigned long long)free,
		(unsigned long long)total);
	state = next;
	changes++;
}

enum mem_state policy_state(void)
{
	return state;
}

uint64_t policy_state_changes(void)
{
	return changes;
}

bool policy_reclaim_possible(void)
{
	/* Sharing, ballooning and compression report here as they land. */
	return false;
}
