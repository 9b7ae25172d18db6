/* vmm/vmm.c — the run loop: from the guests= option to VMs created, run in
 * turn with background work between their slices, and a final status. The
 * VM table is vmm/vm.c, the option vmm/guests_option.c, the summary
 * vmm/summary.c. */
#include "vmm/vmm.h"
#include "vmm/balloon/schedule.h"
#include "vmm/exit.h"
#include "vmm/guest_memory.h"
#include "vmm/guests_option.h"
#include "vmm/mm/guest_image.h"
#include "vmm/mm/fault_time.h"
#include "vmm/mm/memory.h"
#include "vmm/monitor.h"
#include "vmm/policy/active.h"
#include "vmm/policy/policy.h"
#include "vmm/scenario.h"
#include "vmm/sched.h"
#include "vmm/share/scan.h"
#include "vmm/stats.h"
#include "vmm/summary.h"
#include "vmm/time_use.h"
#include "vmm/swap/swap.h"
#include "vmm/vm.h"
#include "vmm/zswap/zswap.h"
#include "kernel/mem.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/shutdown.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "kernel/io.h"

static void create_vm(struct vm *vm)
{
	char msg[128];
	if (guest_image_load(vm, vm->image, msg, sizeof(msg)))
		guests_option_error("image '%s': %s", vm->name, msg);
	if (vm_memory_init(vm))
		guests_option_error("no machine memory for %s's PMAP", vm->name);
	if (zswap_vm_init(vm))
		guests_option_error("no machine memory for %s's page ages (compression)", vm->name);
	vm->vcpu.vm = vm;
	if (backend->vcpu_init(&vm->vcpu, vm->entry))
		guests_option_error("cannot set up a vCPU for %s", vm->name);
	vm->vcpu.regs.rax = GUEST_BOOT_MAGIC;
	vm->vcpu.regs.rbx = vm->mem_bytes / KiB;
	vm->state = VM_RUNNABLE;
	vm_log(vm, "created: %llu KiB, entry %#llx, %u segments", (unsigned long long)(vm->mem_bytes / KiB),
	       (unsigned long long)vm->entry, vm->nsegs);
}

/* The bucket of time_use.h an exit's handling goes to: a nested page
 * fault's by what its gfn held before. */
static enum time_bucket exit_time_bucket(const struct vm *vm, const struct exit_record *exit)
{
	pmap_entry_t e;
	if (exit->reason != EXIT_NPF)
		return TIME_EXIT_OTHER;
	if (pmap_get(&vm->pmap, (gfn_t){ exit->npf.gpa >> PAGE_SHIFT }, &e))
		return TIME_NPF_OTHER;
	return time_use_npf_bucket(pmap_entry_state(e));
}

/* Runs one VM until its slice is over (vmm/sched.h: checked after every
 * exit, whatever its kind), it ends or waits for memory, or free memory
 * crossed a memory-state threshold (the policy should act before it goes
 * on). */
static void run_slice(struct vm *vm)
{
	if (!sched_slice_begin(vm))
		return;
	while (vm->state == VM_RUNNABLE && !vm->waiting && !swap_waiting(vm)) {
		struct exit_record exit;
		uint64_t t0 = rdtsc();
		backend->vcpu_run(&vm->vcpu, &exit);
		uint64_t t1 = rdtsc();
		time_use_add(TIME_GUEST, t1 - t0);
		vm->vcpu.last_cr3 = backend->get_control(&vm->vcpu, VCPU_CR3);
		enum time_bucket b = exit_time_bucket(vm, &exit);
		exit_dispatch(&vm->vcpu, &exit);
		time_use_add(b, rdtsc() - t1);
		if (sched_slice_over(vm) || policy_update_due())
			break;
	}
	sched_slice_end(vm);
}

static void release_vm(struct vm *vm)
{
	vm->released = true;
	unsigned bad = vmm_check_invariants();
	if (bad)
		panic("%u PMAP/frame-table invariant violations when vm%u ended", bad, vm->id);
	uint64_t frames = vm->pmap.count[PMAP_PRIVATE], before = machine_frames.free;
	vm_log_suppressed(vm);
	backend->vcpu_destroy(&vm->vcpu);
	vm_memory_release(vm);
	zswap_vm_release(vm);
	vm_log(vm, "invariants ok; released %llu guest frames (%llu frames in all)", (unsigned long long)frames,
	       (unsigned long long)(machine_frames.free - before));
}

/* Prints the stats lines when their time has come; returns the next time. */
static uint64_t maybe_print_stats(uint64_t next)
{
	if (!options.stats_interval || timer_ms() < next)
		return next;
	stats_print_lines(timer_ms());
	return timer_ms() + options.stats_interval;
}

/* script_at=boot|end|vm:NAME|mark:VM:N: the point where script= runs.
 * vm:NAME is the moment that VM has ended but still holds its memory, so
 * its PMAP can be inspected; mark:VM:N the moment the VM (a name or an
 * id) made HC_MARK N. */
static bool script_due(const char *point)
{
	const char *at = options.script_at;
	if (strcmp(at, "boot") && strcmp(at, "end") && strncmp(at, "vm:", 3) && strncmp(at, "mark:", 5))
		options_error("script_at", "expected boot, end, vm:NAME or mark:VM:N");
	return options.script[0] && !strcmp(at, point);
}

/* The monitor said quit: the guests still running are stopped. */
static __attribute__((noreturn)) void quit_run(void)
{
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].state == VM_RUNNABLE)
			vm_stop(&vms[i], "the monitor ended the run");
	summary_print_and_shut_down();
}

void vmm_mark(struct vm *vm, uint64_t n)
{
	char by_name[32 + VM_NAME_MAX], by_id[48];
	if (vm_log_guest(vm, "mark %llu", (unsigned long long)n))
		stats_print_vm_line(vm, timer_ms()); /* the mark's line and its stats: one line of the budget */
	ksnprintf(by_name, sizeof(by_name), "mark:%s:%llu", vm->name, (unsigned long long)n);
	ksnprintf(by_id, sizeof(by_id), "mark:%u:%llu", vm->id, (unsigned long long)n);
	if ((script_due(by_name) || script_due(by_id)) && monitor_script(options.script) == MONITOR_QUIT)
		quit_run();
}

/* The script and the monitor's prompt at one point of the run. */
static void monitor_point(const char *point, const char *why)
{
	if (script_due(point) && monitor_script(options.script) == MONITOR_QUIT)
		quit_run();
	if (options.monitor && monitor_interactive(why) == MONITOR_QUIT)
		quit_run();
}

/* Work memvisor does between guest time slices, for memory management:
 * page sharing's scanner, the balloon, compression, the state policy.
 * Each step is bounded (a rate limit, a page budget), and in high and soft
 * they take at most background_pct of the CPU while a guest can run: the
 * long ones stop when the time budget is spent (vmm/sched.h). */
static void background_work(bool unbounded)
{
	uint64_t now = timer_ms();
	/* In hard and low the guests wait on reclamation: it takes what it needs. */
	uint64_t deadline_tsc = sched_background_begin(unbounded || policy_state() >= MEM_HARD);
	uint64_t t0 = rdtsc();
	policy_update(now);
	policy_act(deadline_tsc);
	swap_out_flush(); /* the pass's victims for the disk, in one request, before anything else looks */
	uint64_t t1 = rdtsc();
	share_scan_step(now);
	uint64_t t2 = rdtsc();
	balloon_schedule_tick(now);
	uint64_t t3 = rdtsc();
	zswap_age_step(now, deadline_tsc);
	active_step();
	uint64_t t4 = rdtsc();
	time_use_add(TIME_BG_POLICY, t1 - t0);
	time_use_add(TIME_BG_SHARE, t2 - t1);
	time_use_add(TIME_BG_OTHER, t3 - t2);
	time_use_add(TIME_BG_AGING, t4 - t3);
	sched_background_end();
}

/* A VM waiting for a frame runs again once one is free, and it is below
 * its limit= (vm_memory_at_limit()). If every VM still
 * running waits and reclamation freed nothing, their working sets do not
 * fit: that is thrashing, and they are stopped with that diagnosis. A VM
 * waiting for the swap disk runs again once swap_poll() (at each VM's
 * turn) has brought its page back. */
static bool may_run(struct vm *vm)
{
	if (vm->waiting && guest_frames_free_count() && !vm_memory_at_limit(vm))
		vm->waiting = false;
	return !vm->waiting && !swap_waiting(vm);
}

/* Memory is short and some working set does not fit. A VM over its fair
 * share of guest_mem that keeps waiting while nothing can be taken from
 * it is the one whose demand cannot be met: it alone is stopped, and the
 * others go on. When reclamation as a whole is stuck (vmm/policy/policy.c), it is
 * the VM furthest over its share, or, with every VM within its share, the
 * waiting ones — rather than spinning on faults for ever. */
static void stop_if_thrashing(void)
{
	struct vm *stuck = policy_stuck_at_limit();
	if (stuck)
		vm_stop(stuck, "thrashing: its working set does not fit in its limit of %llu KiB and nothing is left "
			"to reclaim", (unsigned long long)(stuck->alloc.limit * PAGE_SIZE / KiB));
	/* With a free slot on the swap disk, every victim can still go out:
	 * slower, but nobody need be stopped (README: host swap). Swap gets
	 * its victims from zswap's clock: without the area, it gets none. */
	if (swap_has_room() && zswap_enabled())
		return;
	uint64_t kib = PAGE_SIZE / KiB;
	struct vm *greedy = policy_starving_over_share();
	if (!greedy && policy_reclaim_possible())
		return;
	greedy = greedy ? greedy : policy_most_over_share();
	if (greedy) {
		vm_stop(greedy, "thrashing: it holds %llu KiB, over its entitlement of %llu KiB of %llu KiB, and wants "
			"more; nothing is left to reclaim", (unsigned long long)(policy_vm_held(greedy) * kib),
			(unsigned long long)(policy_vm_entitled(greedy) * kib), (unsigned long long)(guest_frames.budget * kib));
		policy_thrash_reset();
		return;
	}
	/* The ones waiting, or, churning without a wait, the ones faulting
	 * their pages back from the swap area — those above their reservation
	 * if any is: one at or under it is owed the memory it waits for. */
	bool any_waits = false, any_above = false;
	for (uint32_t i = 0; i < vm_count; i++)
		any_waits |= vms[i].state == VM_RUNNABLE && vms[i].waiting;
	for (uint32_t i = 0; i < vm_count; i++)
		any_above |= vms[i].state == VM_RUNNABLE && (any_waits ? vms[i].waiting : vms[i].zswap.swapins > 0) &&
			     policy_above_reservation(&vms[i]);
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].state == VM_RUNNABLE && (any_waits ? vms[i].waiting : vms[i].zswap.swapins > 0) &&
		    (!any_above || policy_above_reservation(&vms[i])))
			vm_stop(&vms[i], "thrashing: the guests' working sets do not fit in %llu KiB and nothing "
				"is left to reclaim", (unsigned long long)(guest_frames.budget * kib));
	policy_thrash_reset();
}

/* Once a VM has ended: the script's vm:NAME point, then its memory goes back. */
static void vm_ended(struct vm *vm)
{
	char point[8 + VM_NAME_MAX];
	ksnprintf(point, sizeof(point), "vm:%s", vm->name);
	if (script_due(point) && monitor_script(options.script) == MONITOR_QUIT)
		quit_run();
	release_vm(vm);
}

/* Round robin until every VM has ended; a key on the serial port (with
 * monitor) pauses them all at the monitor's prompt. */
static void run_all(void)
{
	uint64_t next_stats = maybe_print_stats(0); /* every VM as it starts */
	for (unsigned live = vm_count; live;) {
		if (options.monitor && monitor_key_waiting() &&
		    monitor_interactive("guests paused") == MONITOR_QUIT)
			quit_run();
		live = 0;
		bool ran = false;
		for (uint32_t i = 0; i < vm_count; i++) {
			struct vm *vm = &vms[i];
			swap_poll(); /* a scheduling point: a finished swap-in makes its VM runnable */
			if (vm->state == VM_RUNNABLE && may_run(vm)) {
				run_slice(vm);
				ran = true;
			}
			/* A threshold crossed: the new state acts at once. */
			if (policy_update_due())
				background_work(false);
			if (vm->state == VM_RUNNABLE)
				live++;
			else if (!vm->released)
				vm_ended(vm);
		}
		/* Sampled after the guests' slices, before the background work
		 * acts (a balloon target it sets shows once the guests ran). */
		next_stats = maybe_print_stats(next_stats);
		background_work(!ran);
		if (live)
			stop_if_thrashing();
	}
	if (options.stats_interval)
		stats_print_lines(timer_ms());
}

void vmm_run(const char *guests_option)
{
	time_use_start();
	guests_option_parse(guests_option);
	swap_option_on(); /* a bad swap= is reported now, not once the guests exist */
	swap_io_dma();    /* and a bad swap_io= */
	script_due("end"); /* checks script_at before anything runs */
	if (!vm_count) {
		kprintf("memvisor: no guests (guests= is empty)\n");
		shutdown(STATUS_OK, "idle");
	}
	if (!backend || vmm_enable())
		shutdown(STATUS_NO_VIRTUALIZATION, "no-virtualization");
	policy_init();
	sched_init();
	zswap_init();
	swap_init();
	scenario_check_devices();
	fault_time_on = options.swap_bench != 0; /* make bench: fault times by kind */
	guest_memory_frame_table_setup();
	for (uint32_t i = 0; i < vm_count; i++)
		create_vm(&vms[i]);
	if (share_setup(timer_ms(), vmm_check_invariants))
		guests_option_error("no machine memory for page sharing's table");
	guest_memory_budget_setup();
	guests_option_check_reservations(guest_frames.budget);
	balloon_schedule_init();
	monitor_point("boot", "guests created, none has run yet");
	run_all();
	monitor_point("end", "every guest has ended");
	summary_print_and_shut_down();
}
