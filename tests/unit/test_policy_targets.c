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
 * towards: with 300 free, 300 frames are missing. */
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
bool swap_has_room(void) { return false; }
/* Whom to take from (entitle_vms.c) is not lab 6's: here no VM's part
 * binds (a VM whose part is smaller than its room offers only its part:
 * inflate_room()), so only the rooms the lab spreads by limit the
 * targets, and no VM is entitled to anything (each is over its share). */
void policy_reclaim_split(uint64_t missing, uint64_t *take)
{
	(void)missing;
	for (uint32_t i = 0; i < vm_count; i++)
		take[i] = UINT64_MAX;
}

void policy_entitlements(uint64_t *out)
{
	for (uint32_t i = 0; i < vm_count; i++)
		out[i] = 0;
}
bool zswap_enabled(void) { return false; }

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

/* Reached only in states hard and low, which these tests never enter. */
uint64_t policy_write_back_if_full(struct vm *vm, uint64_t count, uint64_t deadline_tsc)
{
	(void)vm, (void)count, (void)deadline_tsc;
	fail_msg("policy_write_back_if_full() called in state %s", mem_state_name(policy_state()));
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
	fail_msg("zswap_compact_if_fragmented() called");
	return false;
}

int zswap_compress_victims(struct vm *vm, uint64_t count, const struct zswap_outlets *out, struct zswap_report *r)
{
	(void)vm, (void)count, (void)out, (void)r;
	fail_msg("zswap_compress_victims() called");
	return -E_NOT_SUPPORTED;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parts_follow_the_room_on_top_of_the_balloon, setup),
		cmocka_unit_test_setup(test_small_parts_are_not_rounded_away, setup),
		cmocka_unit_test_setup(test_never_more_than_the_room_or_the_cap, setup),
		cmocka_unit_test_setup(test_no_room_asks_nothing, setup),
		cmocka_unit_test_setup(test_a_target_that_would_not_rise_is_left_alone, setup),
		cmocka_unit_test_setup(test_what_was_raised_is_given_back_in_high, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
