/* vmm/vmm.c — from the guests= option to running VMs and a final status. */
#include "vmm/vmm.h"
#include "vmm/balloon/schedule.h"
#include "vmm/exit.h"
#include "vmm/mm/guest_image.h"
#include "vmm/mm/memory.h"
#include "vmm/monitor.h"
#include "vmm/policy/policy.h"
#include "vmm/sched.h"
#include "vmm/share/scan.h"
#include "vmm/stats.h"
#include "vmm/vm.h"
#include "vmm/zswap/zswap.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/shutdown.h"
#include "kernel/string.h"
#include "kernel/timer.h"

const struct backend *backend;
struct vm vms[VM_MAX];
uint32_t vm_count;
struct frame_table frame_table;

/* Guest RAM starts below the image (at gpa 0) and must hold it. */
#define GUEST_MEM_MIN (2 * MiB)
#define GUEST_MEM_MAX (64 * GiB)

int vmm_detect(void)
{
	uint32_t a, b, c, d;
	char vendor[13];
	cpuid(0, 0, &a, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	if (!strcmp(vendor, "AuthenticAMD"))
		backend = &svm_backend;
	if (!strcmp(vendor, "GenuineIntel"))
		backend = &vmx_backend;
	if (!backend) {
		kprintf("memvisor: error: CPU vendor '%s' has no backend yet (AMD SVM is supported)\n", vendor);
		return -E_NOT_FOUND;
	}
	int rc = backend->detect();
	if (rc)
		backend = NULL;
	return rc;
}

int vmm_enable(void)
{
	static bool enabled;
	if (enabled)
		return 0;
	int rc = backend->enable();
	if (!rc)
		rc = cpu_state_enable(); /* x87/SSE/XCR0 per vCPU (vmm/cpu/state.h) */
	enabled = rc == 0;
	return rc;
}

static uint64_t now_ms(void)
{
	return timer_ticks() * 1000 / timer_hz();
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm_uart_drain(vm);
	vm->state = VM_STOPPED;
	vm_log(vm, "stopped: %s", vm->stop_reason);
}

void vm_finish(struct vm *vm, int status)
{
	vm_uart_drain(vm);
	vm->state = VM_FINISHED;
	vm->exit_status = status;
	vm_log(vm, "finished with status %d", status);
}

/* ---- guests=NAME:SIZE[:key=value...],... ---- */

static const struct boot_module *find_image(const char *name)
{
	for (uint32_t i = 0; i < boot_info->module_count; i++)
		if (!strcmp(boot_info->modules[i].name, name))
			return &boot_info->modules[i];
	return NULL;
}

static void list_images(char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < boot_info->module_count && used < size; i++)
		if (strcmp(boot_info->modules[i].name, "selftest"))
			used += (size_t)ksnprintf(buf + used, size - used, "%s%s", used ? ", " : "",
						  boot_info->modules[i].name);
}

__attribute__((noreturn, format(printf, 1, 2))) static void guests_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	options_error("guests", msg);
}

/* The key=value words after NAME:SIZE, ':'-separated. memvisor's own
 * (salt=, share=: vmm/share/scan.h) stay here; the rest go to the guest
 * (HC_GET_INFO), space-separated, whole or not at all: words that do not
 * fit in vm->args are an error, never cut. */
static void parse_guest_args(struct vm *vm, const char *spec, char *args)
{
	size_t used = 0;
	vm->args[0] = 0;
	for (char *word = args; word && *word;) {
		char *end = word, msg[96];
		while (*end && *end != ':')
			end++;
		bool last = !*end;
		*end = 0;
		int mine = share_parse_guest_arg(vm, word, msg, sizeof(msg));
		if (mine < 0)
			guests_error("%s: %s", spec, msg);
		if (!mine) {
			size_t from = used;
			used += (used ? 1 : 0) + strlen(word);
			if (used < sizeof(vm->args))
				ksnprintf(vm->args + from, sizeof(vm->args) - from, "%s%s", from ? " " : "", word);
		}
		word = last ? end : end + 1;
	}
	if (used >= sizeof(vm->args))
		guests_error("%s: the guest's arguments are %llu characters, the limit is %u", spec,
			     (unsigned long long)used, (unsigned)sizeof(vm->args) - 1);
}

/* Splits `spec` (one NAME:SIZE[:args] item, NUL-terminated) into vm. */
static void parse_guest(struct vm *vm, char *spec)
{
	char *size = spec, *args = NULL;
	while (*size && *size != ':')
		size++;
	if (!*size)
		guests_error("'%s' needs a memory size (NAME:SIZE, e.g. %s:16M)", spec, spec);
	*size++ = 0;
	for (char *p = size; *p; p++)
		if (*p == ':') {
			*p = 0;
			args = p + 1;
			break;
		}
	char images[128];
	vm->image = find_image(spec);
	if (!vm->image || !strcmp(spec, "selftest")) {
		list_images(images, sizeof(images));
		guests_error("no guest image '%s' (images: %s)", spec, images);
	}
	str_copy(vm->name, spec, sizeof(vm->name));
	if (cmdline_parse_size(size, &vm->mem_bytes))
		guests_error("'%s' is not a size for %s (a number with an optional K, M or G suffix)", size, spec);
	if (vm->mem_bytes < GUEST_MEM_MIN || vm->mem_bytes > GUEST_MEM_MAX || vm->mem_bytes % PAGE_SIZE)
		guests_error("%s:%s: memory must be a multiple of 4K between 2M and 64G", spec, size);
	parse_guest_args(vm, spec, args);
}

static void parse_guests(const char *option)
{
	char buf[OPT_STRING_MAX];
	str_copy(buf, option, sizeof(buf));
	for (char *item = buf; *item;) {
		char *end = item;
		while (*end && *end != ',')
			end++;
		bool last = !*end;
		*end = 0;
		if (vm_count == VM_MAX)
			guests_error("more than %d guests", VM_MAX);
		struct vm *vm = &vms[vm_count];
		vm->id = ++vm_count;
		parse_guest(vm, item);
		item = last ? end : end + 1;
	}
}

/* memvisor's own memory (nested tables, VMCBs) comes from what the guests
 * do not get: 1/64 of the free frames when guest_mem= is not given. */
#define OVERHEAD_SHARE 64

/* What a guest touches before its own work starts, besides its image: the
 * page tables it builds for itself (PML4, PDPT, PDs, PTs: SDM Vol. 3A 4.5),
 * its frame allocator's bitmap and its first allocations. hello, the
 * smallest, holds 32 frames when it ends, 24 of them its image. */
#define GUEST_START_PAGES 32

/* guest_mem= must let every guest at least start: a smaller budget is an
 * option error (it would make the first guest wait forever, or divide the
 * overcommit ratio by zero), as is one that is not whole pages. */
static void check_guest_mem(uint64_t budget)
{
	char msg[160];
	if (options.guest_mem % PAGE_SIZE) {
		ksnprintf(msg, sizeof(msg), "%llu bytes is not a multiple of 4K", (unsigned long long)options.guest_mem);
		options_error("guest_mem", msg);
	}
	for (uint32_t i = 0; i < vm_count; i++) {
		uint64_t need = guest_image_pages(&vms[i]) + GUEST_START_PAGES;
		if (budget >= need)
			continue;
		ksnprintf(msg, sizeof(msg), "%llu KiB is less than the %llu KiB %s needs to start (its image and "
			  "%u KiB for its page tables and allocator)", (unsigned long long)(budget * PAGE_SIZE / KiB),
			  (unsigned long long)(need * PAGE_SIZE / KiB), vms[i].name, (unsigned)(GUEST_START_PAGES * PAGE_SIZE / KiB));
		options_error("guest_mem", msg);
	}
}

/* The guests' budget (guest_mem=), once their PMAPs are allocated. Without
 * guest_mem= each VM must fit in the machine alone; with it, they may ask
 * for more (overcommit): then the memory-state policy reclaims, and a VM
 * that needs a frame waits. */
static void budget_setup(void)
{
	uint64_t avail = machine_frames.free - machine_frames.free / OVERHEAD_SHARE;
	uint64_t budget = options.guest_mem ? options.guest_mem >> PAGE_SHIFT : avail, asked = 0;
	if (budget > avail) {
		char msg[128];
		ksnprintf(msg, sizeof(msg), "%llu KiB is more than the %llu KiB free for guests",
			  (unsigned long long)(budget * PAGE_SIZE / KiB), (unsigned long long)(avail * PAGE_SIZE / KiB));
		options_error("guest_mem", msg);
	}
	if (options.guest_mem)
		check_guest_mem(budget);
	if (!budget) {
		kprintf("memvisor: error: no machine memory is left for the guests\n");
		shutdown(STATUS_NO_MEMORY, "no-memory");
	}
	for (uint32_t i = 0; i < vm_count; i++) {
		uint64_t pages = vms[i].mem_bytes >> PAGE_SHIFT;
		if (pages > budget && !options.guest_mem) /* with guest_mem=, overcommit is asked for */
			guests_error("%s needs %llu KiB, more than the %llu KiB the guests may use", vms[i].name,
				     (unsigned long long)(vms[i].mem_bytes / KiB),
				     (unsigned long long)(budget * PAGE_SIZE / KiB));
		asked += pages;
	}
	guest_frames.budget = budget;
	kprintf("memvisor: guest memory: %llu KiB for %llu KiB of guests (overcommit %llu.%02llux)\n",
		(unsigned long long)(budget * PAGE_SIZE / KiB), (unsigned long long)(asked * PAGE_SIZE / KiB),
		(unsigned long long)(asked / budget), (unsigned long long)(asked * 100 / budget % 100));
}

int vmm_frame_table_setup(uint64_t guest_pages)
{
	uint64_t nframes = machine_frames.nframes;
	uint64_t bytes = nframes * sizeof(struct frame_info) + guest_pages * sizeof(struct rmap_entry);
	mfn_t first;
	if (frames_alloc_contig(&machine_frames, ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT, &first))
		return -E_NO_MEMORY;
	struct frame_info *frames = mfn_to_virt(first);
	frame_table_init(&frame_table, frames, nframes, (struct rmap_entry *)(frames + nframes),
			 (uint32_t)guest_pages);
	return 0;
}

static void frame_table_setup(void)
{
	uint64_t guest_pages = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		guest_pages += vms[i].mem_bytes >> PAGE_SHIFT;
	if (vmm_frame_table_setup(guest_pages))
		guests_error("no room for the frame table of %llu guest pages", (unsigned long long)guest_pages);
}

static void create_vm(struct vm *vm)
{
	char msg[128];
	if (guest_image_load(vm, vm->image, msg, sizeof(msg)))
		guests_error("image '%s': %s", vm->name, msg);
	if (vm_memory_init(vm))
		guests_error("no machine memory for %s's PMAP", vm->name);
	vm->vcpu.vm = vm;
	if (backend->vcpu_init(&vm->vcpu, vm->entry))
		guests_error("cannot set up a vCPU for %s", vm->name);
	vm->vcpu.regs.rax = GUEST_BOOT_MAGIC;
	vm->vcpu.regs.rbx = vm->mem_bytes / KiB;
	vm->state = VM_RUNNABLE;
	vm_log(vm, "created: %llu KiB, entry %#llx, %u segments", (unsigned long long)(vm->mem_bytes / KiB),
	       (unsigned long long)vm->entry, vm->nsegs);
}

/* Runs one VM until its slice is over (vmm/sched.h: checked after every
 * exit, whatever its kind), it ends or waits for memory, or free memory
 * crossed a memory-state threshold (the policy should act before it goes
 * on). */
static void run_slice(struct vm *vm)
{
	if (!sched_slice_begin(vm))
		return;
	while (vm->state == VM_RUNNABLE && !vm->waiting) {
		struct exit_record exit;
		backend->vcpu_run(&vm->vcpu, &exit);
		vm->vcpu.last_cr3 = backend->get_control(&vm->vcpu, VCPU_CR3);
		exit_dispatch(&vm->vcpu, &exit);
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
	vm_log(vm, "invariants ok; released %llu guest frames (%llu frames in all)", (unsigned long long)frames,
	       (unsigned long long)(machine_frames.free - before));
}

/* What each technique reclaimed over the whole run (docs/design.md, "Memory
 * states and the policy"). */
static void print_reclaimed(void)
{
	uint64_t merged = 0, ballooned = 0, stored = 0, same = 0, swapins = 0, waits = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		merged += vms[i].share.merges;
		ballooned += vms[i].balloon.released;
		stored += vms[i].zswap.stored;
		same += vms[i].zswap.stored_same;
		swapins += vms[i].zswap.swapins;
		waits += vms[i].stats.memory_waits;
	}
	kprintf("memvisor: reclaimed: sharing %llu pages, balloon %llu frames, compression %llu pages "
		"(%llu as one value), swap-ins %llu, waits for memory %llu, memory state changes %llu\n",
		(unsigned long long)merged, (unsigned long long)ballooned, (unsigned long long)(stored + same),
		(unsigned long long)same, (unsigned long long)swapins, (unsigned long long)waits,
		(unsigned long long)policy_state_changes());
}

/* The instructions memvisor kept from the machine (vmm/exit.c), for VMs
 * that ran any. */
static void print_emulated(const struct vm *vm)
{
	const uint64_t *e = vm->vcpu.exits;
	if (!(e[EXIT_INVD] | e[EXIT_WBINVD] | e[EXIT_RDPMC] | e[EXIT_CR_WRITE]))
		return;
	kprintf("memvisor: vm%u %-10s emulated: invd=%llu wbinvd=%llu rdpmc=%llu cr-write=%llu\n", vm->id, vm->name,
		(unsigned long long)e[EXIT_INVD], (unsigned long long)e[EXIT_WBINVD], (unsigned long long)e[EXIT_RDPMC],
		(unsigned long long)e[EXIT_CR_WRITE]);
}

static __attribute__((noreturn)) void summarize(void)
{
	unsigned ok = 0, failed = 0, stopped = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		if (vm->state == VM_STOPPED)
			stopped++;
		else if (vm->exit_status)
			failed++;
		else
			ok++;
		kprintf("memvisor: vm%u %-10s %-9s exits: cpuid=%llu io=%llu hypercall=%llu npf=%llu interrupt=%llu "
			"cpu_ms=%llu\n",
			vm->id, vm->name, vm->state == VM_STOPPED ? "stopped" : vm->exit_status ? "failed" : "ok",
			(unsigned long long)vm->vcpu.exits[EXIT_CPUID], (unsigned long long)vm->vcpu.exits[EXIT_IO],
			(unsigned long long)vm->vcpu.exits[EXIT_HYPERCALL], (unsigned long long)vm->vcpu.exits[EXIT_NPF],
			(unsigned long long)vm->vcpu.exits[EXIT_INTERRUPT], (unsigned long long)sched_vm_cpu_ms(vm));
		print_emulated(vm);
	}
	sched_print_summary(now_ms());
	print_reclaimed();
	cpu_state_host_check();
	kprintf("memvisor: guests: %u ok, %u failed, %u stopped\n", ok, failed, stopped);
	if (failed)
		shutdown(STATUS_GUEST_FAILED, "guest-failed");
	if (stopped)
		shutdown(STATUS_GUEST_STOPPED, "guest-stopped");
	shutdown(STATUS_OK, "guests-done");
}

/* Prints the stats lines when their time has come; returns the next time. */
static uint64_t maybe_print_stats(uint64_t next)
{
	if (!options.stats_interval || now_ms() < next)
		return next;
	stats_print_lines(now_ms());
	return now_ms() + options.stats_interval;
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
	summarize();
}

void vmm_mark(struct vm *vm, uint64_t n)
{
	char by_name[32 + VM_NAME_MAX], by_id[48];
	if (vm_log_guest(vm, "mark %llu", (unsigned long long)n))
		stats_print_vm_line(vm, now_ms()); /* the mark's line and its stats: one line of the budget */
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

static bool script_due(const char *point);
static __attribute__((noreturn)) void quit_run(void);

/* Work memvisor does between guest time slices, for memory management:
 * page sharing's scanner, the balloon, compression, the state policy.
 * Each step is bounded (a rate limit, a page budget), and in high and soft
 * they take at most background_pct of the CPU while a guest can run: the
 * long ones stop when the time budget is spent (vmm/sched.h). */
static void background_work(bool unbounded)
{
	uint64_t now = now_ms();
	/* In hard and low the guests wait on reclamation: it takes what it needs. */
	sched_background_begin(unbounded || policy_state() >= MEM_HARD);
	policy_update(now);
	policy_act(now);
	share_scan_step(now);
	balloon_schedule_tick(now);
	zswap_age_step(now);
	sched_background_end();
}

/* A VM waiting for a frame runs again once one is free. If every VM still
 * running waits and reclamation freed nothing, their working sets do not
 * fit: that is thrashing, and they are stopped with that diagnosis. */
static bool may_run(struct vm *vm)
{
	if (vm->waiting && guest_frames_free())
		vm->waiting = false;
	return !vm->waiting;
}

/* Memory is short and some working set does not fit. A VM over its fair
 * share of guest_mem that keeps waiting while nothing can be taken from
 * it is the one whose demand cannot be met: it alone is stopped, and the
 * others go on. When reclamation as a whole is stuck (vmm/policy/policy.c), it is
 * the VM furthest over its share, or, with every VM within its share, the
 * waiting ones — rather than spinning on faults for ever. */
static void stop_if_thrashing(void)
{
	uint64_t kib = PAGE_SIZE / KiB, share = policy_fair_share();
	struct vm *greedy = policy_starving_over_share();
	if (!greedy && policy_reclaim_possible())
		return;
	greedy = greedy ? greedy : policy_most_over_share();
	if (greedy) {
		vm_stop(greedy, "thrashing: it holds %llu KiB, over its fair share of %llu KiB of %llu KiB, and wants "
			"more; nothing is left to reclaim", (unsigned long long)(policy_vm_held(greedy) * kib),
			(unsigned long long)(share * kib), (unsigned long long)(guest_frames.budget * kib));
		policy_thrash_reset();
		return;
	}
	/* The ones waiting, or, churning without a wait, the ones faulting
	 * their pages back from the swap area. */
	bool any_waits = false;
	for (uint32_t i = 0; i < vm_count; i++)
		any_waits |= vms[i].state == VM_RUNNABLE && vms[i].waiting;
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].state == VM_RUNNABLE && (any_waits ? vms[i].waiting : vms[i].zswap.swapins > 0))
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
		stats_print_lines(now_ms());
}

void vmm_run(const char *guests_option)
{
	parse_guests(guests_option);
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
	frame_table_setup();
	for (uint32_t i = 0; i < vm_count; i++)
		create_vm(&vms[i]);
	if (share_setup(now_ms()))
		guests_error("no machine memory for page sharing's table");
	budget_setup();
	balloon_schedule_init();
	monitor_point("boot", "guests created, none has run yet");
	run_all();
	monitor_point("end", "every guest has ended");
	summarize();
}
