/* tests/kernel/policy_test.c — whom the policy holds responsible when memory
 * runs out (vmm/policy/policy.c): each running VM's entitlement to guest_mem
 * (by shares; both idle here, so the tax does not tell them apart) and the
 * VM furthest above it. Runs before any guest exists, on two VMs of
 * the table made up for the test and put back afterwards. */
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "vmm/mm/memory.h"
#include "vmm/policy/policy.h"
#include "vmm/vm.h"

#define BUDGET 1000

struct saved {
	struct vm vms[2];
	uint32_t count;
	uint64_t budget;
};

/* Two running VMs holding `a` and `b` private frames of BUDGET, with
 * equal shares, no reservation and no limit that binds. */
static void make_up(struct saved *s, uint64_t a, uint64_t b)
{
	memcpy(s->vms, vms, sizeof(s->vms));
	s->count = vm_count;
	s->budget = guest_frames.budget;
	memset(vms, 0, sizeof(s->vms));
	vm_count = 2;
	guest_frames.budget = BUDGET;
	vms[0].pmap.count[PMAP_PRIVATE] = a;
	vms[1].pmap.count[PMAP_PRIVATE] = b;
	vms[0].state = vms[1].state = VM_RUNNABLE;
	for (int i = 0; i < 2; i++)
		vms[i].alloc = (struct vm_alloc){ .shares = 1000, .reservation = 0, .limit = BUDGET };
}

static void put_back(const struct saved *s)
{
	memcpy(vms, s->vms, sizeof(s->vms));
	vm_count = s->count;
	guest_frames.budget = s->budget;
}

KTEST(policy, the_entitlement_is_the_budget_split_by_shares_among_running_vms)
{
	struct saved s;
	make_up(&s, 100, 100);
	uint64_t two = policy_vm_entitled(&vms[0]);
	vms[0].alloc.shares = 2000;
	uint64_t twice = policy_vm_entitled(&vms[0]), once = policy_vm_entitled(&vms[1]);
	vms[1].state = VM_FINISHED;
	uint64_t one = policy_vm_entitled(&vms[0]);
	put_back(&s);
	KT_EXPECT_EQ(t, two, BUDGET / 2);
	KT_EXPECT(t, twice >= 2 * BUDGET / 3 - 1 && twice <= 2 * BUDGET / 3 + 1);
	KT_EXPECT(t, once >= BUDGET / 3 - 1 && once <= BUDGET / 3 + 1);
	KT_EXPECT_EQ(t, one, BUDGET);
}

KTEST(policy, with_shares_2_to_1_the_vm_over_its_entitlement_is_held_responsible)
{
	struct saved s;
	make_up(&s, 600, 390); /* 600 of 667 and 390 of 333 */
	vms[0].alloc.shares = 2000;
	struct vm *over = policy_most_over_share();
	bool second = over == &vms[1];
	put_back(&s);
	KT_EXPECT(t, second);
}

KTEST(policy, the_vm_over_its_share_is_the_one_held_responsible)
{
	struct saved s;
	make_up(&s, 300, 690);
	struct vm *over = policy_most_over_share();
	bool second = over == &vms[1];
	put_back(&s);
	KT_EXPECT(t, second);
}

KTEST(policy, no_vm_is_held_responsible_while_all_are_within_their_share)
{
	struct saved s;
	make_up(&s, 500, 500);
	struct vm *over = policy_most_over_share();
	put_back(&s);
	KT_EXPECT(t, over == NULL);
}

KTEST(policy, the_compressed_swap_area_counts_toward_a_vm_s_charge)
{
	struct saved s;
	make_up(&s, 480, 10);
	vms[0].zswap.bytes = 21 * PAGE_SIZE; /* 480 + 21 > 500 */
	struct vm *over = policy_most_over_share();
	uint64_t held = policy_vm_held(&vms[0]);
	put_back(&s);
	KT_EXPECT_EQ(t, held, 501);
	KT_EXPECT(t, over == &vms[0]);
}
