/* tests/unit/test_policy_targets.c — the balloon targets the reclamation
 * policy sets (vmm/policy/policy.c: raise_targets() in states soft and
 * below, lower_targets() back in high), hosted with ASan/UBSan. The policy
 * runs as in the kernel, through policy_update() and policy_act(), with the
 * real memory states (vmm/policy/mem_state.c); what it calls in the rest of
 * memvisor is faked here: each VM's balloon (size, cap, the guest's
 * reported free pages) is a record, and balloon_set_target() logs each
 * call. The default thresholds 6,4,2,1 over a budget of 10000 frames: high
 * goes down to soft below 400 free (4%), soft to hard below 200, and soft
 * goes back up to high at 600 (6%), which is what the policy reclaims
 * towards: with 300 free, 300 frames are missing.
 *
 * In states hard and low the policy also compresses (compress_cold(),
 * exercise 6.3): the tests of it below set each VM's part of what is
 * missing, and the fakes of policy_write_back_if_full() and
 * zswap_compress_victims() log each call in order (VM, count, outlets,
 * deadline); a batch frees what the test says. With 150 free (1.5%) the
 * state is hard and 450 frames are missing; compress_batch() is
 * BUDGET / 40 = 250. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/balloon/balloon.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/mm/memory.h"
#include "vmm/policy/alloc.h"
#include "vmm/policy/policy.h"
#include "vmm/policy/writeback.h"
#include "vmm/swap/swap.h"
#include "vmm/vm.h"
#include "vmm/zswap/zswap.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/options.h"
#include "kernel/printf.h"

#define BUDGET 10000
#define GOAL 600 /* 6% of BUDGET: frames free at the high threshold */
#define RAISE_WHY "memory state soft or lower"
#define LOWER_WHY "memory state high"
#define MAX_CALLS 16

/* ---- the rest of memvisor, as policy.c sees it ---- */
struct vm vms[VM_MAX];
uint32_t vm_count;
struct options options;
struct guest_frames guest_frames;
static uint64_t free_frames;
static uint64_t sizes[VM_MAX], caps[VM_MAX];

static struct {
	uint32_t vm;
	uint64_t target;
	char why[64];
} calls[MAX_CALLS];
static unsigned ncalls;

int kprintf(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

void options_error(const char *name, const char *message)
{
	fail_msg("options_error(%s, %s)", name, message);
	abort();
}

uint64_t guest_frames_free_count(void) { return free_frames; }
uint64_t balloon_size(const struct vm *vm) { return sizes[vm->id - 1]; }
uint64_t balloon_cap(const struct vm *vm) { return caps[vm->id - 1]; }
uint64_t alloc_reclaimable(const struct vm_alloc *a, uint64_t resident) { (void)a; return resident; }
uint64_t vm_memory_resident(const struct vm *vm) { (void)vm; return 100000; }
bool vm_memory_at_limit(const struct vm *vm) { (void)vm; return false; }
uint64_t policy_enforce_limits(uint64_t deadline_tsc) { (void)deadline_tsc; return 0; }
static bool swap_room;
bool swap_has_room(void) { return swap_room; }
/* Whom to take from (entitle_vms.c) is not lab 6's: here no VM's part
 * binds (a VM whose part is smaller than its room offers only its part:
 * inflate_room()), so only the rooms the lab spreads by limit the
 * targets, and no VM is entitled to anything (each is over its share).
 * The tests of compress_cold() set the parts (parts_set). */
static uint64_t parts[VM_MAX];
static bool parts_set;
void policy_reclaim_split(uint64_t missing, uint64_t *take)
{
	(void)missing;
	for (uint32_t i = 0; i < vm_count; i++)
		take[i] = parts_set ? parts[i] : UINT64_MAX;
}

void policy_entitlements(uint64_t *out)
{
	for (uint32_t i = 0; i < vm_count; i++)
		out[i] = 0;
}
static bool zswap_on;
bool zswap_enabled(void) { return zswap_on; }

int balloon_set_target(struct vm *vm, uint64_t pages, const char *why)
{
	assert_true(ncalls < MAX_CALLS);
	calls[ncalls].vm = vm->id;
	calls[ncalls].target = pages;
	snprintf(calls[ncalls].why, sizeof(calls[ncalls].why), "%s", why);
	ncalls++;
	vm->balloon.target = pages;
	return 0;
}

/* What compress_cold() called, in order. */
enum event_kind { WRITE_BACK, COMPRESS };
#define MAX_EVENTS 32
static struct {
	enum event_kind kind;
	uint32_t vm;
	uint64_t count, deadline;
	struct zswap_outlets out;
} events[MAX_EVENTS];
static unsigned nevents;
static uint64_t step_deadline; /* the deadline_tsc of the step running */

static void log_event(enum event_kind kind, const struct vm *vm, uint64_t count, uint64_t deadline)
{
	assert_true(nevents < MAX_EVENTS);
	events[nevents].kind = kind;
	events[nevents].vm = vm->id;
	events[nevents].count = count;
	events[nevents].deadline = deadline;
	nevents++;
}

/* Reached only in states hard and low. */
uint64_t policy_write_back_if_full(struct vm *vm, uint64_t count, uint64_t deadline_tsc)
{
	if (policy_state() < MEM_HARD)
		fail_msg("policy_write_back_if_full() called in state %s", mem_state_name(policy_state()));
	log_event(WRITE_BACK, vm, count, deadline_tsc);
	return 0;
}

int swap_out_gfn(struct vm *vm, gfn_t gfn)
{
	(void)vm, (void)gfn;
	fail_msg("swap_out_gfn() called");
	return -E_INVAL;
}

int share_offer(struct vm *vm, gfn_t gfn)
{
	(void)vm, (void)gfn;
	fail_msg("share_offer() called");
	return -E_INVAL;
}

bool zswap_compact_if_fragmented(struct zswap_compaction *r)
{
	(void)r;
	if (policy_state() < MEM_HARD)
		fail_msg("zswap_compact_if_fragmented() called in state %s", mem_state_name(policy_state()));
	return false; /* nothing to compact: what compress_cold() freed is all */
}

/* What a batch of each VM does: by default every victim is stored; else
 * the report the test gave (its count of victims set to the batch's), or
 * an error. spin_until: the batch takes until rdtsc() reaches it. */
static struct zswap_report batch_report[VM_MAX];
static bool batch_reported[VM_MAX];
static int batch_error[VM_MAX];
static uint64_t spin_until[VM_MAX];

int zswap_compress_victims(struct vm *vm, uint64_t count, const struct zswap_outlets *out, struct zswap_report *r)
{
	if (policy_state() < MEM_HARD)
		fail_msg("zswap_compress_victims() called in state %s", mem_state_name(policy_state()));
	if (!count)
		fail_msg("zswap_compress_victims(vm%u, 0): a batch of nothing", vm->id);
	log_event(COMPRESS, vm, count, 0);
	events[nevents - 1].out = *out;
	uint32_t i = vm->id - 1;
	while (rdtsc() < spin_until[i])
		;
	if (batch_error[i]) {
		/* As if it had got part way: a failed batch's report is not to be read. */
		*r = (struct zswap_report){ .victims = count, .stored = count, .shared = count };
		return batch_error[i];
	}
	if (batch_reported[i]) {
		*r = batch_report[i];
		r->victims = count;
	} else {
		*r = (struct zswap_report){ .victims = count, .stored = count };
	}
	return 0;
}

/* ---- driving the policy ---- */

/* One policy step with `free` guest frames free: the state, then the action. */
static void step(uint64_t free)
{
	free_frames = free;
	ncalls = 0;
	policy_update(0);
	policy_act(0);
}

/* A running VM whose balloon holds `size` pages, may hold `cap`, and whose
 * guest reported `guest_free` free pages (64 of which it keeps: the room is
 * guest_free - 64). */
static void vm_with(uint32_t id, uint64_t size, uint64_t cap, uint64_t guest_free)
{
	struct vm *vm = &vms[id - 1];
	vm->id = id;
	vm->state = VM_RUNNABLE;
	vm->balloon.polls = 1;
	vm->balloon.guest_free = guest_free;
	vm->balloon.target = size;
	sizes[id - 1] = size;
	caps[id - 1] = cap;
	if (id > vm_count)
		vm_count = id;
}

static int setup(void **state)
{
	(void)state;
	static bool once;
	if (!once) {
		strcpy(options.mem_states, MEM_THRESHOLDS_DEFAULT);
		policy_init();
		guest_frames.budget = BUDGET;
		once = true;
	}
	/* policy.c keeps what it asked of each VM: a step in high with every
	 * balloon at its target and memory to spare gives all of it back. */
	for (uint32_t i = 0; i < VM_MAX; i++)
		vm_with(i + 1, 0, 0, 0);
	for (uint32_t i = 0; i < VM_MAX; i++)
		vms[i].balloon.target = 1000000;
	step(BUDGET);
	assert_int_equal(policy_state(), MEM_HIGH);
	memset(vms, 0, sizeof(vms));
	vm_count = 0;
	ncalls = 0;
	parts_set = false;
	zswap_on = false;
	swap_room = false;
	nevents = 0;
	memset(batch_reported, 0, sizeof(batch_reported));
	memset(batch_error, 0, sizeof(batch_error));
	memset(spin_until, 0, sizeof(spin_until));
	return 0;
}

static void assert_call(unsigned i, uint32_t vm, uint64_t target, const char *why)
{
	if (i >= ncalls)
		fail_msg("expected balloon_set_target(vm%u, %llu, \"%s\") as call %u, saw only %u calls", vm,
			 (unsigned long long)target, why, i, ncalls);
	if (calls[i].vm != vm || calls[i].target != target || strcmp(calls[i].why, why))
		fail_msg("call %u: expected balloon_set_target(vm%u, %llu, \"%s\"), saw (vm%u, %llu, \"%s\")", i, vm,
			 (unsigned long long)target, why, calls[i].vm, (unsigned long long)calls[i].target,
			 calls[i].why);
}

/* ---- the tests ---- */

/* 300 frames missing, rooms 600 and 200: parts 225 and 75, on top of what
 * each balloon holds, with the reason the grading looks for. */
static void test_parts_follow_the_room_on_top_of_the_balloon(void **state)
{
	(void)state;
	vm_with(1, 40, 5000, 64 + 600);
	vm_with(2, 7, 5000, 64 + 200);
	step(GOAL - 300);
	assert_int_equal(policy_state(), MEM_SOFT);
	assert_call(0, 1, 40 + 225, RAISE_WHY);
	assert_call(1, 2, 7 + 75, RAISE_WHY);
	assert_int_equal(ncalls, 2);
}

/* Small parts: multiplied before they are divided, they do not round to 0. */
static void test_small_parts_are_not_rounded_away(void **state)
{
	(void)state;
	vm_with(1, 0, 5000, 64 + 2000);
	vm_with(2, 0, 5000, 64 + 10);
	step(GOAL - 300);
	assert_call(0, 1, 298, RAISE_WHY); /* 2000 * 300 / 2010 */
	assert_call(1, 2, 1, RAISE_WHY);   /* 10 * 300 / 2010 */
	assert_int_equal(ncalls, 2);
}

/* More missing than the guests have room for: no more than the room in
 * all; and a target never goes above the VM's cap. */
static void test_never_more_than_the_room_or_the_cap(void **state)
{
	(void)state;
	vm_with(1, 10, 5000, 64 + 100); /* room 100 */
	vm_with(2, 10, 50, 64 + 100);   /* room 40: its cap is 40 above its balloon */
	step(GOAL - 350);               /* 2.5% free, soft: 350 missing, 140 of room */
	assert_int_equal(policy_state(), MEM_SOFT);
	assert_call(0, 1, 10 + 100, RAISE_WHY);
	assert_call(1, 2, 50, RAISE_WHY);
	assert_int_equal(ncalls, 2);
}

/* No guest with a driver: no room, nothing to ask, nothing divided by 0. */
static void test_no_room_asks_nothing(void **state)
{
	(void)state;
	vm_with(1, 0, 5000, 1000);
	vms[0].balloon.polls = 0; /* no driver */
	vm_with(2, 0, 5000, 10);  /* a driver, but under its reserve */
	step(GOAL - 300);
	assert_int_equal(policy_state(), MEM_SOFT);
	if (ncalls)
		fail_msg("no VM has room, yet balloon_set_target(vm%u, %llu) was called", calls[0].vm,
			 (unsigned long long)calls[0].target);
}

/* Targets only rise: a VM whose target is already above what the policy
 * would ask is left alone (each call logs a line, every policy step). */
static void test_a_target_that_would_not_rise_is_left_alone(void **state)
{
	(void)state;
	vm_with(1, 0, 5000, 64 + 600);
	vm_with(2, 0, 5000, 64 + 200);
	vms[1].balloon.target = 500; /* someone asked for more already */
	step(GOAL - 300);
	assert_call(0, 1, 225, RAISE_WHY);
	assert_int_equal(ncalls, 1);
	assert_int_equal(vms[1].balloon.target, 500);
}

/* Back in high with memory to spare, the policy gives back exactly what it
 * raised the targets by: what it asked is remembered per VM. */
static void test_what_was_raised_is_given_back_in_high(void **state)
{
	(void)state;
	vm_with(1, 0, 5000, 64 + 600);
	vm_with(2, 0, 5000, 64 + 200);
	step(GOAL - 300);
	assert_int_equal(ncalls, 2);
	sizes[0] = vms[0].balloon.target; /* the drivers inflated to their targets */
	sizes[1] = vms[1].balloon.target;
	vms[0].balloon.target += 1000; /* and a person asked vm1 for 1000 more */
	step(BUDGET);
	assert_int_equal(policy_state(), MEM_HIGH);
	assert_call(0, 1, 1000, LOWER_WHY); /* 225 given back, the person's 1000 kept */
	assert_call(1, 2, 0, LOWER_WHY);
	assert_int_equal(ncalls, 2);
}

/* ---- compress_cold() (exercise 6.3) ---- */

#define HARD_FREE 150  /* 1.5% free: state hard */
#define MISSING 450    /* GOAL - HARD_FREE */
#define BATCH 250      /* compress_batch(): BUDGET / 40 */
#define NO_DEADLINE UINT64_MAX

/* A running VM, no balloon room, whose part of what is missing is `part`. */
static void cold_vm(uint32_t id, uint64_t part)
{
	vm_with(id, 0, 0, 0);
	parts[id - 1] = part;
	parts_set = true;
	zswap_on = true;
}

/* One policy step in state hard with deadline_tsc `deadline`. */
static void hard_step(uint64_t deadline)
{
	free_frames = HARD_FREE;
	ncalls = 0;
	nevents = 0;
	step_deadline = deadline;
	policy_update(0);
	if (policy_state() != MEM_HARD)
		fail_msg("with %d of %d frames free the state is %s, not hard: compress_cold() runs only in hard "
			 "and low (exercise 6.1 comes first)", HARD_FREE, BUDGET, mem_state_name(policy_state()));
	policy_act(deadline);
}

/* The batches asked, in order, were exactly (vm[i], count[i]). */
static void expect_batches(const uint32_t *vm, const uint64_t *count, unsigned n)
{
	char want[256] = "", seen[256] = "";
	bool same = true;
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), " vm%u:%llu", vm[i],
			 (unsigned long long)count[i]);
	for (unsigned e = 0; e < nevents; e++) {
		if (events[e].kind != COMPRESS)
			continue;
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), " vm%u:%llu", events[e].vm,
			 (unsigned long long)events[e].count);
		same = same && k < n && events[e].vm == vm[k] && events[e].count == count[k];
		k++;
	}
	if (!same || k != n)
		fail_msg("expected zswap_compress_victims() batches (vm:count) [%s ] in that order, saw [%s ]", want, seen);
}

/* The largest part first, each VM at most its part. */
static void test_batches_go_by_part_the_largest_first(void **state)
{
	(void)state;
	cold_vm(1, 50);
	cold_vm(2, 120);
	cold_vm(3, 200);
	cold_vm(4, 120); /* as large as vm2's: the lower index first */
	hard_step(NO_DEADLINE);
	/* 440 freed by then: vm1 is asked for the 10 still missing */
	expect_batches((const uint32_t[]){ 3, 2, 4, 1 }, (const uint64_t[]){ 200, 120, 120, 10 }, 4);
	cold_vm(1, 0);
	cold_vm(2, 10);
	cold_vm(3, 20);
	cold_vm(4, 30);
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 4, 3, 2 }, (const uint64_t[]){ 30, 20, 10 }, 3);
}

/* No more than compress_batch() from one VM in one step, however large its
 * part; and what is still missing is counted in pages freed, not asked:
 * here each batch frees half of what it takes. */
static void test_at_most_a_batch_from_each_vm(void **state)
{
	(void)state;
	cold_vm(1, 1000);
	cold_vm(2, 300);
	for (uint32_t i = 0; i < 2; i++) {
		batch_reported[i] = true;
		batch_report[i] = (struct zswap_report){ .stored = BATCH / 2, .rejected = BATCH / 2 };
	}
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 1, 2 }, (const uint64_t[]){ BATCH, BATCH }, 2);
}

/* Once the missing frames are freed nothing more is taken: the last batch
 * asks only for what is still missing, and a VM after it gets none. */
static void test_compression_stops_when_the_missing_frames_are_freed(void **state)
{
	(void)state;
	cold_vm(1, 200);
	cold_vm(2, 190);
	cold_vm(3, 180);
	cold_vm(4, 170);
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 1, 2, 3 }, (const uint64_t[]){ 200, 190, MISSING - 200 - 190 }, 3);
	if (nevents != 6)
		fail_msg("expected 3 write-backs and 3 batches, and nothing for vm4 once all was freed; saw %u calls, "
			 "the last for vm%u", nevents, events[nevents - 1].vm);
}

/* What a batch freed: pages merged, stored compressed, stored as their
 * value, and sent to disk; not those rejected, or the hot count. */
static void test_freed_is_shared_stored_same_and_swapped(void **state)
{
	(void)state;
	cold_vm(1, 400);
	cold_vm(2, 300);
	cold_vm(3, 200);
	batch_reported[0] = true;
	batch_report[0] = (struct zswap_report){ .shared = 20, .stored = 100, .same = 30, .swapped = 10,
						 .rejected = 90, .hot = 60, .passed_over = 80 };
	/* vm1 frees 160 of 250; vm2 all 250 it is asked; 40 are still missing */
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 1, 2, 3 }, (const uint64_t[]){ BATCH, BATCH, MISSING - 160 - BATCH }, 3);
}

/* A batch that fails (no area: -E_NOT_SUPPORTED) frees nothing, whatever
 * its report holds; the next VM is asked for all that is missing. */
static void test_a_failed_batch_frees_nothing(void **state)
{
	(void)state;
	cold_vm(1, 300);
	cold_vm(2, 200);
	cold_vm(3, 100);
	batch_error[0] = -E_NOT_SUPPORTED;
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 1, 2, 3 }, (const uint64_t[]){ BATCH, 200, 100 }, 3);
}

/* Before each VM's batch (and only for a VM that gets one), its share of
 * the area is made room in: policy_write_back_if_full() for that VM, for
 * at least the batch, with the step's deadline. */
static void test_write_back_comes_before_each_batch(void **state)
{
	(void)state;
	cold_vm(1, 100);
	cold_vm(2, 0);
	cold_vm(3, 200);
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 3, 1 }, (const uint64_t[]){ 200, 100 }, 2);
	for (unsigned e = 0; e < nevents; e++) {
		if (events[e].kind == WRITE_BACK) {
			if (e + 1 >= nevents || events[e + 1].kind != COMPRESS || events[e + 1].vm != events[e].vm)
				fail_msg("event %u: policy_write_back_if_full(vm%u) not right before that VM's batch", e,
					 events[e].vm);
			continue;
		}
		if (!e || events[e - 1].kind != WRITE_BACK || events[e - 1].vm != events[e].vm)
			fail_msg("event %u: vm%u's batch without policy_write_back_if_full(vm%u) right before it", e,
				 events[e].vm, events[e].vm);
		if (events[e - 1].count < events[e].count || events[e - 1].deadline != step_deadline)
			fail_msg("vm%u: policy_write_back_if_full(count %llu, deadline %#llx) before a batch of %llu: "
				 "expected a count of at least the batch and the step's deadline %#llx", events[e].vm,
				 (unsigned long long)events[e - 1].count, (unsigned long long)events[e - 1].deadline,
				 (unsigned long long)events[e].count, (unsigned long long)step_deadline);
	}
}

/* Victims go through the policy's outlets: sharing first, then the swap
 * disk while it has room (policy_outlets()). */
static void test_victims_go_through_the_policys_outlets(void **state)
{
	(void)state;
	cold_vm(1, 100);
	swap_room = true;
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 1 }, (const uint64_t[]){ 100 }, 1);
	if (events[1].out.share != share_offer || events[1].out.spill != swap_out_gfn)
		fail_msg("with room on the swap disk: expected the outlets share_offer and swap_out_gfn");
	swap_room = false;
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 1 }, (const uint64_t[]){ 100 }, 1);
	if (events[1].out.share != share_offer || events[1].out.spill)
		fail_msg("with a full swap disk: expected the outlets share_offer and no spill");
}

/* Nothing from a VM that is not running, has no part, or when there is no
 * area; the others are still visited. */
static void test_nothing_from_a_vm_without_a_part_or_not_running(void **state)
{
	(void)state;
	cold_vm(1, 400);
	vms[0].state = VM_STOPPED;
	cold_vm(2, 0);
	cold_vm(3, 300);
	vms[2].state = VM_FINISHED;
	cold_vm(4, 100);
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 4 }, (const uint64_t[]){ 100 }, 1);
	if (nevents != 2)
		fail_msg("expected vm4's write-back and batch only, saw %u calls", nevents);
	zswap_on = false;
	hard_step(NO_DEADLINE);
	if (nevents)
		fail_msg("no area (zswap_enabled() false): expected nothing asked, saw %u calls", nevents);
}

/* The step's time ends at deadline_tsc: no VM's batch starts after it. */
static void test_no_batch_starts_after_the_deadline(void **state)
{
	(void)state;
	cold_vm(1, 200);
	cold_vm(2, 100);
	hard_step(NO_DEADLINE);
	expect_batches((const uint32_t[]){ 1, 2 }, (const uint64_t[]){ 200, 100 }, 2);
	/* vm1's batch runs past the deadline (a few tenths of a second away) */
	uint64_t deadline = rdtsc() + 500000000ull;
	spin_until[0] = deadline;
	hard_step(deadline);
	expect_batches((const uint32_t[]){ 1 }, (const uint64_t[]){ 200 }, 1);
	if (nevents != 2)
		fail_msg("expected vm1's write-back and batch, then nothing after the deadline; saw %u calls", nevents);
	spin_until[0] = 0;
	hard_step(1); /* long past */
	if (nevents)
		fail_msg("a deadline already past: expected nothing asked, saw %u calls", nevents);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parts_follow_the_room_on_top_of_the_balloon, setup),
		cmocka_unit_test_setup(test_small_parts_are_not_rounded_away, setup),
		cmocka_unit_test_setup(test_never_more_than_the_room_or_the_cap, setup),
		cmocka_unit_test_setup(test_no_room_asks_nothing, setup),
		cmocka_unit_test_setup(test_a_target_that_would_not_rise_is_left_alone, setup),
		cmocka_unit_test_setup(test_what_was_raised_is_given_back_in_high, setup),
		cmocka_unit_test_setup(test_batches_go_by_part_the_largest_first, setup),
		cmocka_unit_test_setup(test_at_most_a_batch_from_each_vm, setup),
		cmocka_unit_test_setup(test_compression_stops_when_the_missing_frames_are_freed, setup),
		cmocka_unit_test_setup(test_freed_is_shared_stored_same_and_swapped, setup),
		cmocka_unit_test_setup(test_a_failed_batch_frees_nothing, setup),
		cmocka_unit_test_setup(test_write_back_comes_before_each_batch, setup),
		cmocka_unit_test_setup(test_victims_go_through_the_policys_outlets, setup),
		cmocka_unit_test_setup(test_nothing_from_a_vm_without_a_part_or_not_running, setup),
		cmocka_unit_test_setup(test_no_batch_starts_after_the_deadline, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
