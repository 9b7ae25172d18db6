/* vmm/stats.c — reading the statistics out of the PMAP and the counters
 * (see stats.h). Nothing here keeps state: every figure is derived from
 * the PMAP (the truth) or from a counter that its event increments. */
#include "vmm/stats.h"
#include "vmm/balloon/balloon.h"
#include "vmm/sched.h"
#include "vmm/share/scan.h"
#include "vmm/mm/memory.h"
#include "vmm/swap/swap.h"
#include "vmm/zswap/zswap.h"
#include "vmm/policy/active.h"
#include "vmm/policy/policy.h"
#include "kernel/mem.h"
#include "kernel/printf.h"

static const char *const names[STAT_COUNT] = {
	[STAT_GRANTED] = "granted",
	[STAT_TOUCHED] = "touched",
	[STAT_ACTIVE] = "active",
	[STAT_SHARED] = "shared",
	[STAT_SHARED_SAVED] = "shared_saved",
	[STAT_ZERO] = "zero",
	[STAT_COW_BREAKS] = "cow_breaks",
	[STAT_PAGES_SCANNED] = "pages_scanned",
	[STAT_FULL_SCANS] = "full_scans",
	[STAT_VICTIMS_SHARED] = "victims_shared",
	[STAT_BALLOON_SIZE] = "balloon_size",
	[STAT_BALLOON_TARGET] = "balloon_target",
	[STAT_BALLOON_MAX] = "balloon_max",
	[STAT_BALLOON_INFLATED] = "balloon_inflated",
	[STAT_BALLOON_DEFLATED] = "balloon_deflated",
	[STAT_BALLOON_RELEASED] = "balloon_released",
	[STAT_BALLOON_REJECTED] = "balloon_rejected",
	[STAT_BALLOON_TOUCHED] = "balloon_touched",
	[STAT_GUEST_FREE] = "guest_free",
	[STAT_COMPRESSED] = "compressed",
	[STAT_COMPRESSED_BYTES] = "compressed_bytes",
	[STAT_COMPRESSED_SAME] = "compressed_same",
	[STAT_COMPRESS_REJECTED] = "compress_rejected",
	[STAT_COMPRESS_CAPPED] = "compress_capped",
	[STAT_SWAPINS] = "swapins",
	[STAT_READAHEAD] = "readahead",
	[STAT_SWAPPED] = "swapped",
	[STAT_SWAP_OUTS] = "swap_outs",
	[STAT_SWAP_INS] = "swap_ins",
	[STAT_SWAP_ERRORS] = "swap_errors",
	[STAT_SWAP_WRITEBACK] = "swap_writeback",
	[STAT_SWAP_READS] = "swap_reads",
	[STAT_SWAP_DROPPED] = "swap_dropped",
	[STAT_NPF] = "npf",
	[STAT_DEMAND_ZERO] = "demand_zero",
	[STAT_DEMAND_IMAGE] = "demand_image",
	[STAT_EXITS] = "exits",
	[STAT_CPU_MS] = "cpu_ms",
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

static uint64_t share_figure(const struct vm *vm, bool zero)
{
	struct share_figures f;
	share_vm_counts(vm, &f);
	return zero ? f.zero : f.saved;
}

uint64_t stat_value(const struct vm *vm, enum vm_stat s)
{
	const uint64_t *count = vm->pmap.count;
	switch (s) {
	case STAT_GRANTED: return count[PMAP_PRIVATE] + count[PMAP_SHARED];
	case STAT_TOUCHED: return vm->pmap.npages - count[PMAP_UNTOUCHED];
	case STAT_ACTIVE: return active_pages(&vm->active);
	case STAT_SHARED: return count[PMAP_SHARED];
	case STAT_COMPRESSED: return count[PMAP_COMPRESSED];
	case STAT_BALLOON_SIZE: return balloon_size(vm);
	case STAT_BALLOON_TARGET: return vm->balloon.target;
	case STAT_BALLOON_MAX: return balloon_cap(vm);
	case STAT_BALLOON_INFLATED: return vm->balloon.inflated;
	case STAT_BALLOON_DEFLATED: return vm->balloon.deflated;
	case STAT_BALLOON_RELEASED: return vm->balloon.released;
	case STAT_BALLOON_REJECTED: return vm->balloon.rejected;
	case STAT_BALLOON_TOUCHED: return vm->balloon.touched;
	case STAT_GUEST_FREE: return vm->balloon.guest_free;
	case STAT_SHARED_SAVED: return share_figure(vm, false);
	case STAT_ZERO: return share_figure(vm, true);
	case STAT_COW_BREAKS: return vm->share.cow_breaks;
	case STAT_PAGES_SCANNED: return vm->share.pages_scanned;
	case STAT_FULL_SCANS: return vm->share.full_scans;
	case STAT_VICTIMS_SHARED: return vm->share.victims_merged;
	case STAT_COMPRESSED_BYTES: return vm->zswap.bytes;
	case STAT_COMPRESSED_SAME: return vm->zswap.same;
	case STAT_COMPRESS_REJECTED: return vm->zswap.rejected;
	case STAT_COMPRESS_CAPPED: return vm->zswap.capped;
	case STAT_SWAPINS: return vm->zswap.swapins;
	case STAT_READAHEAD: return vm->zswap.readahead;
	case STAT_SWAPPED: return count[PMAP_SWAPPED];
	case STAT_SWAP_OUTS: return vm->swap.outs;
	case STAT_SWAP_INS: return vm->swap.ins;
	case STAT_SWAP_ERRORS: return vm->swap.errors;
	case STAT_SWAP_WRITEBACK: return vm->swap.writeback;
	case STAT_SWAP_READS: return vm->swap.reads;
	case STAT_SWAP_DROPPED: return vm->swap.dropped;
	case STAT_NPF: return vm->stats.npf;
	case STAT_DEMAND_ZERO: return vm->stats.demand_zero;
	case STAT_DEMAND_IMAGE: return vm->stats.demand_image;
	case STAT_EXITS: return total_exits(&vm->vcpu);
	case STAT_CPU_MS: return sched_vm_cpu_ms(vm);
	case STAT_COUNT: return 0;
	}
	return 0;
}

const char *stats_memory_state(void)
{
	return mem_state_name(policy_state());
}

/* Page sharing's machine-wide figures, as " key=value" words. */
static void share_keys(char *buf, size_t size)
{
	struct share_machine_figures m;
	share_machine_counts(&m);
	ksnprintf(buf, size, " shared=%llu shared_saved=%llu zero=%llu cow_breaks=%llu pages_scanned=%llu full_scans=%llu",
		  (unsigned long long)m.shared, (unsigned long long)m.saved, (unsigned long long)m.zero,
		  (unsigned long long)m.cow_breaks, (unsigned long long)m.pages_scanned,
		  (unsigned long long)m.full_scans);
}

void stats_print_vm_line(const struct vm *vm, uint64_t t_ms)
{
	char line[1024]; /* every key of every feature */
	int n = ksnprintf(line, sizeof(line), "stats: t=%llu vm=%s id=%u", (unsigned long long)t_ms, vm->name, vm->id);
	for (int s = 0; s < STAT_COUNT && n < (int)sizeof(line); s++)
		n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %s=%llu", names[s],
			       (unsigned long long)stat_value(vm, (enum vm_stat)s));
	kprintf("%s\n", line);
}

/* Compressed pages written back to disk, every VM's together. */
static uint64_t machine_writeback(void)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		n += vms[i].swap.writeback;
	return n;
}

void stats_print_lines(uint64_t t_ms)
{
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].pmap.entries)
			stats_print_vm_line(&vms[i], t_ms);
	char sharing[160];
	share_keys(sharing, sizeof(sharing));
	kprintf("stats: t=%llu vm=- free=%llu usable=%llu guest_budget=%llu guest_used=%llu guest_zswap=%llu "
		"swap_used=%llu swap_slots=%llu swap_retired=%llu swap_errors=%llu swap_writeback=%llu state=%s "
		"state_changes=%llu%s\n",
		(unsigned long long)t_ms, (unsigned long long)machine_frames.free,
		(unsigned long long)machine_frames.usable, (unsigned long long)guest_frames.budget,
		(unsigned long long)guest_frames_charged(), (unsigned long long)zswap_pages_in_use(),
		(unsigned long long)swap_slots_used(), (unsigned long long)swap_slots_total(),
		(unsigned long long)swap_slots_retired_count(), (unsigned long long)swap_errors(),
		(unsigned long long)machine_writeback(), stats_memory_state(),
		(unsigned long long)policy_state_changes(), sharing);
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
			vm_state_name(vm), (unsigned long long)(vm->mem_bytes / KiB),
			(unsigned long long)stat_value(vm, STAT_GRANTED), (unsigned long long)stat_value(vm, STAT_TOUCHED),
			(unsigned long long)stat_value(vm, STAT_SHARED), (unsigned long long)stat_value(vm, STAT_ZERO),
			(unsigned long long)stat_value(vm, STAT_BALLOON_SIZE),
			(unsigned long long)stat_value(vm, STAT_COMPRESSED),
			(unsigned long long)stat_value(vm, STAT_SWAPINS), (unsigned long long)stat_value(vm, STAT_NPF));
	}
	kprintf("  machine: %llu of %llu frames free, state %s (figures in 4 KiB pages)\n",
		(unsigned long long)machine_frames.free, (unsigned long long)machine_frames.usable,
		stats_memory_state());
	kprintf("  guests: %llu of %llu budget frames charged: %llu holding pages, %llu of the compressed "
		"swap area\n", (unsigned long long)guest_frames_charged(), (unsigned long long)guest_frames.budget,
		(unsigned long long)guest_frames.used, (unsigned long long)zswap_pages_in_use());
}
