/* vmm/policy/policy.c — the memory state from free guest memory, with the
 * thresholds of mem_states= (ESX's 6,4,2,1 by default). Each change is
 * logged, so a run's log shows the machine going down and up through the
 * states (tools/stats-plot shades them). */
#include "vmm/policy/policy.h"
#include "vmm/policy/writeback.h"
#include "vmm/balloon/balloon.h"
#include "vmm/mm/memory.h"
#include "vmm/policy/alloc.h"
#include "vmm/policy/entitle.h"
#include "vmm/share/scan.h"
#include "vmm/swap/swap.h"
#include "vmm/vm.h"
#include "vmm/zswap/zswap.h"
#include "kernel/io.h"
#include "kernel/lab.h"
#include "kernel/timer.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/string.h"

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
	uint64_t total = guest_frames.budget, free = guest_frames_free_count();
	enum mem_state next = mem_state_next(state, free, total, &thresholds);
	if (next == state)
		return;
	kprintf("memvisor: memory state %s -> %s at t=%llu ms (%llu of %llu guest frames free)\n",
		mem_state_name(state), mem_state_name(next), (unsigned long long)now_ms, (unsigned long long)free,
		(unsigned long long)total);
	state = next;
	changes++;
}

bool policy_update_due(void)
{
	return mem_state_next(state, guest_frames_free_count(), guest_frames.budget, &thresholds) > state;
}

enum mem_state policy_state(void)
{
	return state;
}

uint64_t policy_state_changes(void)
{
	return changes;
}

/* ---- what each state asks for (docs/design.md, "Memory states and the policy") ----
 * high: sharing only (its scanner always runs); balloons shrink back once
 *       free memory is well above the high threshold.
 * soft: balloon: the frames missing to the high threshold are asked of
 *       the guests with a balloon driver, each in proportion to its room:
 *       its part of them by entitlement (below), within the free memory
 *       it reports (it can spare that without paging), never above
 *       balloon_max_pct of the VM.
 * hard: balloon and compress: the clock picks cold pages to compress,
 *       from the VM with the largest part first.
 * low:  the same, and a VM that needs a frame waits for one.
 * In every state, nothing is taken from a VM below its reservation=, and
 * a VM at its limit= is reclaimed from alone (vmm/policy/limit.c). */

/* Pages compressed per VM per background step: a fortieth of the budget,
 * at least 64. A step comes once a round of time slices, up to slice_ms
 * times the VMs apart, and what it frees is all the waiting VMs get until
 * the next one: 64 alone left them waiting most of each round
 * (scenario=overcommit, 10,240 frames, took a tenth longer than with 256).
 * In a small budget a large batch swings one VM past its part in a single
 * step (two VMs with shares 2:1 in 1,536 frames settled at 1.84:1 with
 * 256). */
#define COMPRESS_BATCH_MIN 64
#define COMPRESS_BATCH_PER_BUDGET 40

static uint64_t compress_batch(void)
{
	return MAX(guest_frames.budget / COMPRESS_BATCH_PER_BUDGET, COMPRESS_BATCH_MIN);
}
/* The guest driver never gives its last 64 pages (guest/runtime/balloon.h,
 * BALLOON_RESERVE_PAGES); asking for them would only leave a target it
 * cannot reach. */
#define BALLOON_GUEST_RESERVE 64

/* Frames free at the high threshold: what the policy reclaims towards. */
static uint64_t high_goal(void)
{
	return guest_frames.budget * thresholds.pct[MEM_HIGH] / 100;
}

static uint64_t frames_missing(void)
{
	uint64_t goal = high_goal();
	uint64_t free = guest_frames_free_count();
	return free < goal ? goal - free : 0;
}

/* Whom to take from (README, "Whom memory is taken from"): each round,
 * the frames missing are split among the running VMs so that what each
 * holds afterwards is its entitlement to what they hold together then —
 * shares per page, idle pages charged 1 / (1 - idle_tax) more, never
 * below its reservation= (policy_reclaim_split(), entitle.h). A VM at or
 * below its entitlement gives nothing while another is above its own. */
static uint64_t reclaim_take[VM_MAX];

static uint64_t part_of(const struct vm *vm)
{
	return reclaim_take[vm - vms];
}

/* Free memory the guest reported that it could still give, within its
 * part of what is missing. */
static uint64_t inflate_room(const struct vm *vm)
{
	if (vm->state != VM_RUNNABLE || !vm->balloon.polls)
		return 0;
	uint64_t size = balloon_size(vm), cap = balloon_cap(vm);
	uint64_t spare = vm->balloon.guest_free > BALLOON_GUEST_RESERVE ? vm->balloon.guest_free - BALLOON_GUEST_RESERVE : 0;
	return MIN(MIN(spare, cap > size ? cap - size : 0), part_of(vm));
}

/* Pages of each VM's balloon target that the policy asked for (a person
 * or balloon= may ask for more; the policy gives back only its own). */
static uint64_t policy_asked[VM_MAX];

/* Soft and below: raises the balloons' targets to take `missing` frames
 * from the guests that reported room for it (exercise 6.2). */
static void raise_targets(uint64_t missing)
{
	uint64_t room = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		room += inflate_room(&vms[i]);
	/* LAB 6.2 policy: ask each VM for a part of `missing` in proportion
	 * to its room (never more than room in all), on top of what its
	 * balloon holds now, never above balloon_cap. Raise targets only,
	 * with balloon_set_target(vm, target, "memory state soft or lower"),
	 * and add what it raised to policy_asked[i]: lower_targets() gives
	 * back only what the policy asked for. */
	for (uint32_t i = 0; i < vm_count && room; i++) {
		struct vm *vm = &vms[i];
		uint64_t share = inflate_room(vm) * MIN(missing, room) / room;
		uint64_t target = balloon_size(vm) + share;
		uint64_t before = vm->balloon.target;
		target = MIN(target, balloon_cap(vm));
		if (share && target > before && !balloon_set_target(vm, target, "memory state soft or lower"))
			policy_asked[i] += target - before;
	}
	/* LAB 6.2 end. The skeleton has instead:
	 *	(void)missing, (void)room;
	 *	LAB_TODO("policy", "raise_targets");
	 */
}

/* Pages the balloons still owe the guests: targets already lowered that the
 * drivers have not deflated to yet. Each will take a frame when they do. */
static uint64_t deflates_pending(void)
{
	uint64_t pending = 0;
	for (uint32_t i = 0; i < vm_count; i++) {
		uint64_t size = balloon_size(&vms[i]);
		if (vms[i].state == VM_RUNNABLE && vms[i].balloon.target < size)
			pending += size - vms[i].balloon.target;
	}
	return pending;
}

/* Well above high again: let the balloons give back what is more than
 * needed, a little at a time so the state does not fall right back. Not
 * while a release is still being deflated: free memory does not show it
 * yet (a driver deflates at its next poll, up to 512 pages in one
 * hypercall), and releasing it twice could take the machine from high past
 * soft in one exit. */
static void lower_targets(void)
{
	uint64_t goal = high_goal();
	uint64_t free = guest_frames_free_count();
	if (deflates_pending() || free < 2 * goal)
		return;
	uint64_t extra = (free - 2 * goal) / 2;
	for (uint32_t i = 0; i < vm_count && extra; i++) {
		struct vm *vm = &vms[i];
		uint64_t give = MIN(MIN(extra, policy_asked[i]), vm->balloon.target);
		if (vm->state == VM_RUNNABLE && give && !balloon_set_target(vm, vm->balloon.target - give, "memory state high")) {
			policy_asked[i] -= give;
			extra -= give;
		}
	}
}

/* ---- whom to blame: each running VM's entitlement to the budget ----
 * Every running VM may hold its entitlement to guest_mem (entitle.h: by
 * shares, idle pages taxed, within reservation and limit). When memory
 * runs out, the VM held responsible is one above it: one VM's appetite
 * never gets another stopped whose working set fits its entitlement
 * (README: isolation). */

uint64_t policy_vm_held(const struct vm *vm)
{
	return vm->pmap.count[PMAP_PRIVATE] + ALIGN_UP(vm->zswap.bytes, PAGE_SIZE) / PAGE_SIZE;
}

uint64_t policy_vm_entitled(const struct vm *vm)
{
	uint64_t entitled[VM_MAX];
	policy_entitlements(entitled);
	return entitled[vm - vms];
}

bool policy_above_reservation(const struct vm *vm)
{
	return alloc_reclaimable(&vm->alloc, vm_memory_resident(vm)) > 0;
}

static bool over_share(const struct vm *vm)
{
	return vm->state == VM_RUNNABLE && policy_above_reservation(vm) && policy_vm_held(vm) > policy_vm_entitled(vm);
}

struct vm *policy_most_over_share(void)
{
	struct vm *most = NULL;
	uint64_t most_over = 0, entitled[VM_MAX];
	policy_entitlements(entitled);
	for (uint32_t i = 0; i < vm_count; i++) {
		uint64_t held = policy_vm_held(&vms[i]);
		if (vms[i].state == VM_RUNNABLE && policy_above_reservation(&vms[i]) && held > entitled[i] &&
		    held - entitled[i] > most_over) {
			most = &vms[i];
			most_over = held - entitled[i];
		}
	}
	return most;
}

/* Compresses up to `missing` pages, a batch from each running VM with a
 * part of it (at most its part), the largest part first, until
 * deadline_tsc (the background work's time), cold pages first; *hot
 * counts the pages the clock took although they were in use (no cold one
 * left). Called in hard and low only: there, a victim that does not
 * compress to half a page, or does not fit, goes to the swap disk while
 * it has room (ESX's order: compress, else swap). Before a VM's batch,
 * if its share of the area or the area is full, its oldest compressed
 * pages go to disk to make room (writeback.h). */
static uint64_t compress_cold(uint64_t missing, uint64_t deadline_tsc, uint64_t *hot)
{
	/* LAB 6.3 policy: design the compression step from its specification
	 * (docs/labs/6-policy.md, Exercise 6.3): whom to visit and in which
	 * order, how much to ask of each, when to stop, what counts as freed. */
	uint64_t freed = 0;
	unsigned order[VM_MAX];
	entitle_take_order(reclaim_take, vm_count, order);
	for (uint32_t k = 0; k < vm_count && freed < missing && rdtsc() < deadline_tsc; k++) {
		struct vm *vm = &vms[order[k]];
		struct zswap_report r = { 0 };
		if (vm->state != VM_RUNNABLE || !zswap_enabled() || !part_of(vm))
			continue;
		policy_write_back_if_full(vm, compress_batch(), deadline_tsc);
		struct zswap_outlets out = policy_outlets();
		uint64_t take = MIN(MIN(compress_batch(), missing - freed), part_of(vm));
		if (take && zswap_compress_victims(vm, take, &out, &r) == 0) {
			freed += r.shared + r.stored + r.same + r.swapped;
			*hot += r.hot;
		}
	}
	return freed;
	/* LAB 6.3 end. The skeleton has instead:
	 *	(void)missing, (void)deadline_tsc, (void)hot, (void)compress_batch;
	 *	(void)LAB_TODO("policy", "compress_cold: nothing compressed yet (balloons and sharing only)");
	 *	return 0;
	 */
}

struct zswap_outlets policy_outlets(void)
{
	return (struct zswap_outlets){ .share = share_offer, .spill = swap_has_room() ? swap_out_gfn : NULL };
}

/* In hard and low the area's pages count against the guests' budget
 * too: compacting a fragmented area gives pages back. */
static uint64_t compact_area(void)
{
	struct zswap_compaction c;
	if (!zswap_compact_if_fragmented(&c))
		return 0;
	kprintf("memvisor: zswap: compacted: moved %llu objects, area pages in use %llu -> %llu\n",
		(unsigned long long)c.moved, (unsigned long long)c.pages_before, (unsigned long long)c.pages_after);
	return c.pages_before - c.pages_after;
}

/* A VM waiting at its own limit= is not short of the machine's memory:
 * limit.c deals with it (policy_stuck_at_limit()). */
static bool some_vm_waits(void)
{
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].state == VM_RUNNABLE && vms[i].waiting && !vm_memory_at_limit(&vms[i]))
			return true;
	return false;
}

/* Thrashing, measured in work rather than time (Bochs' clock and QEMU's
 * run at different paces): while guests wait for frames (in low: a VM
 * waits only when no frame is free), either reclamation freed nothing for
 * STARVED_STEPS background steps in a row, or the guests faulted back more
 * than CHURN_FACTOR times their whole budget from the swap area (since
 * they began to wait, or since memory was last plentiful) — everything
 * reclaimed comes straight back. The waiting, not the state,
 * starts the count: if the state were wrong (a lab skeleton's), waiting
 * VMs would otherwise wait for ever. */
#define STARVED_STEPS 200
#define CHURN_FACTOR 2

static uint64_t starved_steps, swapins_at_wait, swapins_at_high;
static bool waiting;

static uint64_t total_swapins(void)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		n += vms[i].zswap.swapins;
	return n;
}

/* Frames the balloon released and pages sharing merged, so far: progress
 * made outside this step's own calls counts too. */
static uint64_t total_released_or_merged(void)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		n += vms[i].balloon.released + vms[i].share.merges;
	return n;
}

/* A VM over its entitlement that waits for memory while nothing it holds
 * can be taken from it — what it holds never falls below its lowest, and
 * none of its pages is shared or ballooned meanwhile — lives on the frames
 * the others give up: its demand is the one that cannot be met. After
 * OVER_SHARE_STEPS such steps it alone is stopped (vmm/vmm.c). Relief
 * (the state above low) or a fall below its share ends the count. */
#define OVER_SHARE_STEPS 100

struct over_share_watch {
	uint64_t lowest_held, given; /* given: pages merged or ballooned, so far */
	uint64_t steps;
};
static struct over_share_watch watch[VM_MAX];

static void watch_over_share(void)
{
	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		struct over_share_watch *w = &watch[i];
		uint64_t held = policy_vm_held(vm), given = vm->share.merges + vm->balloon.released;
		if (state < MEM_LOW || !over_share(vm) || held < w->lowest_held || given != w->given)
			*w = (struct over_share_watch){ held, given, 0 };
		else if (vm->waiting)
			w->steps++;
	}
}

struct vm *policy_starving_over_share(void)
{
	struct vm *worst = NULL;
	for (uint32_t i = 0; i < vm_count; i++)
		if (watch[i].steps >= OVER_SHARE_STEPS && vms[i].state == VM_RUNNABLE &&
		    (!worst || policy_vm_held(&vms[i]) > policy_vm_held(worst)))
			worst = &vms[i];
	return worst;
}

void policy_act(uint64_t deadline_tsc)
{
	uint64_t missing = frames_missing(), hot = 0, freed = 0, released = total_released_or_merged();
	policy_reclaim_split(missing, reclaim_take);
	if (state == MEM_HIGH)
		lower_targets();
	else
		raise_targets(missing);
	if (state >= MEM_HARD) {
		freed = compress_cold(missing, deadline_tsc, &hot);
		freed += compact_area();
	}
	freed += policy_enforce_limits(deadline_tsc);
	static uint64_t released_before;
	freed += released - released_before;
	released_before = released;
	watch_over_share();
	if (state == MEM_HIGH)
		swapins_at_high = total_swapins();
	if (!some_vm_waits()) {
		/* Relief only when the state has risen too: in low, a VM that
		 * got a frame just now will wait again, and is not helped. */
		if (state < MEM_LOW) {
			waiting = false;
			starved_steps = 0;
		}
		return;
	}
	if (!waiting) {
		waiting = true;
		swapins_at_wait = total_swapins();
	}
	starved_steps = freed ? 0 : starved_steps + 1;
}

void policy_thrash_reset(void)
{
	waiting = false;
	starved_steps = 0;
	swapins_at_high = total_swapins();
	memset(watch, 0, sizeof(watch));
}

bool policy_reclaim_possible(void)
{
	/* Churn counts from the last time memory was plentiful (high), waits
	 * or not: a guest can fault its pages back as fast as they are
	 * compressed and keep the state in hard without ever waiting. */
	if (total_swapins() - swapins_at_high > CHURN_FACTOR * guest_frames.budget)
		return false;
	if (!waiting)
		return true;
	bool churning = total_swapins() - swapins_at_wait > CHURN_FACTOR * guest_frames.budget;
	return starved_steps < STARVED_STEPS && !churning;
}
