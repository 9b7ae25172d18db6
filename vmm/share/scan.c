/* vmm/share/scan.c — the page-sharing scanner (see scan.h): which page of
 * which VM is looked at next, and how fast. The order of work on one page
 * and the merge are vmm/share/share.c's; the real machine behind them is
 * vmm/share/ops.c; copy-on-write, vmm/share/cow.c.
 *
 * Rates, as ESX sets them (docs/background.md):
 *   per VM    min(its pages / share_scan_time, share_rate_max) pages/s
 *   in all    share_scan_ghz MiB/s for each GHz of the TSC
 * and, whatever the rates, one step between time slices takes at most
 * share_cpu_pct of the time since the last step (one round of slices),
 * so the scanner cannot starve the guests (except with the debugging
 * option share_check, whose checks would leave no time to scan). */
#include "vmm/share/scan.h"
#include "vmm/share/check.h"
#include "vmm/share/marks.h"
#include "vmm/share/ops.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "kernel/timer.h"

#define SHARE_BURST_MS 1000      /* tokens a bucket may save up           */
#define SHARE_STEP_MAX_MS 1000   /* the longest gap a step makes up for     */
#define SHARE_STEP_CHECK 16      /* pages between two looks at the clock   */
#define PAGES_PER_MIB (MiB / PAGE_SIZE)
#define KHZ_PER_GHZ 1000000
#define SCAN_SEED 0x6a09e667f3bcc909ull /* sqrt(2)'s fraction: any constant */

struct share_engine share_engine;
static bool ready;
static struct rate_limit machine_rate;
static uint64_t rounds;        /* machine full_scans: passes over every VM */
static uint32_t round_pending; /* VMs (bit id-1) yet to finish this round  */
static uint32_t next_vm;
static uint64_t last_step_tsc;

/* ---- setup ---- */

static bool sharing(const struct vm *vm)
{
	return !vm->share.off && vm->pmap.entries && vm->state == VM_RUNNABLE;
}

static uint32_t live_sharing_mask(void)
{
	uint32_t mask = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		if (sharing(&vms[i]))
			mask |= (uint32_t)BIT(i);
	return mask;
}

static uint64_t vm_rate(const struct vm *vm)
{
	uint64_t pages = vm->mem_bytes >> PAGE_SHIFT;
	return MAX(MIN(pages * 1000 / options.share_scan_time, options.share_rate_max), 1);
}

static uint64_t machine_rate_per_sec(void)
{
	return MAX(options.share_scan_ghz * PAGES_PER_MIB * tsc_khz() / KHZ_PER_GHZ, 1);
}

/* The table and the marks, in machine memory memvisor keeps for itself. */
static int alloc_table(uint64_t pages)
{
	uint32_t nslots = share_table_slots_for(pages);
	uint64_t table_bytes = ALIGN_UP((uint64_t)nslots * sizeof(struct share_entry), sizeof(uint64_t));
	uint64_t bytes = table_bytes + share_marks_bytes(frame_table.nframes);
	void *storage;
	if (mem_alloc_bytes(bytes, &storage))
		return -E_NO_MEMORY;
	uint8_t *base = storage;
	memset(base, 0, bytes);
	share_marks_init((uint64_t *)(base + table_bytes), frame_table.nframes);
	share_engine_init(&share_engine, &share_machine_ops, &frame_table, (struct share_entry *)base, nslots);
	return 0;
}

int share_setup(uint64_t now_ms, unsigned (*check_every_invariant)(void))
{
	share_check_use(check_every_invariant);
	uint64_t pages = 0;
	unsigned n = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		if (vm->share.off) {
			vm_log(vm, "share: off (share=off)");
			continue;
		}
		pages += vm->mem_bytes >> PAGE_SHIFT;
		n++;
		scan_order_init(&vm->share.order, vm->mem_bytes >> PAGE_SHIFT, SCAN_SEED ^ vm->id);
		rate_limit_init(&vm->share.rate, vm_rate(vm), SHARE_BURST_MS, now_ms);
		vm_log(vm, "share: salt %llu, scanned at %llu pages/s", (unsigned long long)vm->share.salt,
		       (unsigned long long)vm_rate(vm));
	}
	if (!n)
		return 0;
	if (alloc_table(pages))
		return -E_NO_MEMORY;
	rate_limit_init(&machine_rate, machine_rate_per_sec(), SHARE_BURST_MS, now_ms);
	kprintf("memvisor: share: %u VMs share; each scanned once in %llu ms at most %llu pages/s, "
		"%llu pages/s in all (share_scan_ghz=%llu, TSC %llu MHz); table of %u slots%s\n",
		n, (unsigned long long)options.share_scan_time, (unsigned long long)options.share_rate_max,
		(unsigned long long)machine_rate.per_sec, (unsigned long long)options.share_scan_ghz,
		(unsigned long long)(tsc_khz() / 1000), share_engine.table.nslots,
		options.share_check ? ", invariants checked after every merge and break" : "");
	ready = true;
	last_step_tsc = rdtsc();
	return 0;
}

/* A pass over vm is complete; the machine's round once every VM's is. */
static void pass_done(struct vm *vm)
{
	vm->share.full_scans++;
	scan_order_new_pass(&vm->share.order);
	round_pending &= ~(uint32_t)BIT(vm->id - 1);
	round_pending &= live_sharing_mask(); /* VMs that ended are not waited for */
	if (!round_pending) {
		rounds++;
		round_pending = live_sharing_mask();
	}
}

/* One page through share_page(); returns what it did. */
static enum share_result look_at(struct vm *vm, gfn_t gfn)
{
	enum share_result r = share_page(&share_engine, vm->id, vm->share.salt, gfn);
	if (r == SHARE_MERGED || r == SHARE_MERGED_ZERO) {
		pmap_entry_t e;
		pmap_get(&vm->pmap, gfn, &e);
		share_mark(pmap_entry_mfn(e), true);
		vm->share.merges++;
		share_check_after("merging", vm, gfn);
	} else if (r == SHARE_BUG) {
		share_check_after("scanning", vm, gfn);
	}
	return r;
}

static void scan_gfn(struct vm *vm, gfn_t gfn)
{
	vm->share.pages_scanned++;
	look_at(vm, gfn);
}

int share_offer(struct vm *vm, gfn_t gfn)
{
	if (!ready || !sharing(vm))
		return -E_NOT_SUPPORTED;
	enum share_result r = look_at(vm, gfn);
	if (r != SHARE_MERGED && r != SHARE_MERGED_ZERO)
		return -E_AGAIN;
	vm->share.victims_merged++;
	return 0;
}

/* The next gfn of vm's pass (starting the next pass when it is over). */
static void scan_one(struct vm *vm)
{
	uint64_t g;
	if (!scan_order_next(&vm->share.order, &g)) {
		pass_done(vm);
		if (!scan_order_next(&vm->share.order, &g))
			return;
	}
	scan_gfn(vm, (gfn_t){ g });
}

/* Scans up to n pages of vm unless the step's time runs out; returns how
 * many it scanned. */
static uint64_t scan_some(struct vm *vm, uint64_t n, uint64_t deadline_tsc)
{
	uint64_t done = 0;
	while (done < n && sharing(vm)) {
		scan_one(vm);
		if (++done % SHARE_STEP_CHECK == 0 && rdtsc() > deadline_tsc)
			break;
	}
	return done;
}

void share_scan_step(uint64_t now_ms)
{
	if (!ready)
		return;
	uint64_t now = rdtsc(), since = now - last_step_tsc;
	uint64_t budget = MIN(since, SHARE_STEP_MAX_MS * tsc_khz()) * options.share_cpu_pct / 100;
	/* share_check runs the whole checker after each merge: the time limit
	 * would leave hardly a page per step, so only the rates apply then. */
	uint64_t deadline = options.share_check ? UINT64_MAX : now + budget;
	rate_limit_refill(&machine_rate, now_ms);
	if (!round_pending)
		round_pending = live_sharing_mask();
	for (uint32_t k = 0; k < vm_count && rdtsc() < deadline; k++) {
		struct vm *vm = &vms[(next_vm + k) % vm_count];
		if (!sharing(vm))
			continue;
		rate_limit_refill(&vm->share.rate, now_ms);
		uint64_t n = MIN(rate_limit_available(&vm->share.rate), rate_limit_available(&machine_rate));
		n = scan_some(vm, n, deadline);
		rate_limit_take(&vm->share.rate, n);
		rate_limit_take(&machine_rate, n);
	}
	next_vm = vm_count ? (next_vm + 1) % vm_count : 0;
	last_step_tsc = rdtsc();
}

void share_scan_all(void)
{
	if (!ready) {
		kprintf("monitor: share: no VM shares pages\n");
		return;
	}
	uint64_t start = rdtsc(), merges = share_engine.totals.merges, scanned = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		if (!sharing(vm))
			continue;
		scan_order_new_pass(&vm->share.order);
		uint64_t before = vm->share.pages_scanned;
		for (uint64_t g; sharing(vm) && scan_order_next(&vm->share.order, &g);)
			scan_gfn(vm, (gfn_t){ g });
		scanned += vm->share.pages_scanned - before;
		pass_done(vm);
	}
	kprintf("monitor: share scan: %llu pages scanned, %llu merged, in %llu ms\n", (unsigned long long)scanned,
		(unsigned long long)(share_engine.totals.merges - merges),
		(unsigned long long)((rdtsc() - start) / MAX(tsc_khz(), 1)));
}

uint64_t share_rounds(void)
{
	return rounds;
}
