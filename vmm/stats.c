/* vmm/stats.c — reading the statistics out of the PMAP and the counters
 * (see stats.h). Nothing here keeps state: every figure is derived from
 * the PMAP (the truth) or from a counter that its event increments. */
#include "stats.h"
#include "memory.h"
#include "policy.h"
#include "../kernel/mem.h"
#include "../kernel/printf.h"

static const char *const names[STAT_COUNT] = {
	[STAT_GRANTED] = "granted",
	[STAT_TOUCHED] = "touched",
	[STAT_SHARED] = "shared",
	[STAT_SHARED_SAVED] = "shared_saved",
	[STAT_ZERO] = "zero",
	[STAT_BALLOON_SIZE] = "balloon_size",
	[STAT_BALLOON_TARGET] = "balloon_target",
	[STAT_COMPRESSED] = "compressed",
	[STAT_COMPRESSED_BYTES] = "compressed_bytes",
	[STAT_SWAPINS] = "swapins",
	[STAT_NPF] = "npf",
	[STAT_EXITS] = "exits",
};

const char *stat_name(enum vm_stat s)
{
	return s < STAT_COUNT ? names[s] : "invalid";
}

static uint64_t total_exits(const struct vcpu *v)
{
	uint64_t n = 0;
	for (int r = 0; r < EXIT_REASON_COUNT; r++)
		n += v->exits[r];
	return n;
}

uint64_t stat_value(const struct vm *vm, enum vm_stat s)
{
	const uint64_t *count = vm->pmap.count;
	switch (s) {
	case STAT_GRANTED: return count[PMAP_PRIVATE] + count[PMAP_SHARED];
	case STAT_TOUCHED: return vm->pmap.npages - count[PMAP_UNTOUCHED];
	case STAT_SHARED: return count[PMAP_SHARED];
	case STAT_COMPRESSED: return count[PMAP_COMPRESSED];
	case STAT_BALLOON_SIZE: return count[PMAP_BALLOONED];
	case STAT_NPF: return vm->stats.npf;
	case STAT_EXITS: return total_exits(&vm->vcpu);
	/* Counted by features still to come (sharing, balloon, compression). */
	case STAT_SHARED_SAVED:
	case STAT_ZERO:
	case STAT_BALLOON_TARGET:
	case STAT_COMPRESSED_BYTES:
	case STAT_SWAPINS:
	case STAT_COUNT: return 0;
	}
	return 0;
}

const char *stats_memory_state(void)
{
	return mem_state_name(policy_state());
}

static const char *state_word(const struct vm *vm)
{
	return vm->state == VM_RUNNABLE ? "running" : vm->state == VM_STOPPED ? "stopped" : "finished";
}

void stats_print_lines(uint64_t t_ms)
{
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		if (!vm->pmap.entries)
			continue;
		char line[512];
		int n = ksnprintf(line, sizeof(line), "stats: t=%llu vm=%s id=%u", (unsigned long long)t_ms, vm->name,
				  vm->id);
		for (int s = 0; s < STAT_COUNT && n < (int)sizeof(line); s++)
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %s=%llu", names[s],
				       (unsigned long long)stat_value(vm, (enum vm_stat)s));
		kprintf("%s\n", line);
	}
	kprintf("stats: t=%llu vm=- free=%llu usable=%llu guest_budget=%llu guest_used=%llu state=%s "
		"state_changes=%llu\n",
		(unsigned long long)t_ms, (unsigned long long)machine_frames.free,
		(unsigned long long)machine_frames.usable, (unsigned long long)guest_frames.budget,
		(unsigned long long)guest_frames.used, stats_memory_state(),
		(unsigned long long)policy_state_changes());
}

void stats_print_table(const struct vm *only)
{
	kprintf("  %-3s %-10s %-8s %8s %8s %7s %7s %6s %7s %7s %7s %8s\n", "id", "name", "state", "memKiB", "granted",
		"touched", "shared", "zero", "balloon", "zipped", "swapin", "npf");
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		if (only && vm != only)
			continue;
		kprintf("  %-3u %-10s %-8s %8llu %8llu %7llu %7llu %6llu %7llu %7llu %7llu %8llu\n", vm->id, vm->name,
			state_word(vm), (unsigned long long)(vm->mem_bytes / KiB),
			(unsigned long long)stat_value(vm, STAT_GRANTED), (unsigned long long)stat_value(vm, STAT_TOUCHED),
			(unsigned long long)stat_value(vm, STAT_SHARED), (unsigned long long)stat_value(vm, STAT_ZERO),
			(unsigned long long)stat_value(vm, STAT_BALLOON_SIZE),
			(unsigned long long)stat_value(vm, STAT_COMPRESSED),
			(unsigned long long)stat_value(vm, STAT_SWAPINS), (unsigned long long)stat_value(vm, STAT_NPF));
	}
	kprintf("  machine: %llu of %llu frames free, state %s (figures in 4 KiB pages)\n",
		(unsigned long long)machine_frames.free, (unsigned long long)machine_frames.usable,
		stats_memory_state());
}
