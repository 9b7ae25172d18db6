/* tests/kernel/vm_table_test.c — the VM table (vmm/vm.c): one lookup by id
 * or name for the monitor and balloon=, what it says when there is no such
 * VM or two have the name, and a VM's state as a word. Runs before any
 * guest exists, on three VMs of the table made up for the test and put
 * back afterwards. */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "vmm/vm.h"

struct saved {
	struct vm vms[3];
	uint32_t count;
};

/* vm1 "hello", vm2 "memtest", vm3 "hello" (a name two VMs share). */
static void make_up(struct saved *s)
{
	memcpy(s->vms, vms, sizeof(s->vms));
	s->count = vm_count;
	memset(vms, 0, sizeof(s->vms));
	vm_count = 3;
	static const char *const names[3] = { "hello", "memtest", "hello" };
	for (uint32_t i = 0; i < 3; i++) {
		vms[i].id = i + 1;
		str_copy(vms[i].name, names[i], sizeof(vms[i].name));
	}
}

static void put_back(const struct saved *s)
{
	memcpy(vms, s->vms, sizeof(s->vms));
	vm_count = s->count;
}

KTEST(vm_table, an_id_names_its_vm_and_no_other)
{
	struct saved s;
	struct vm *vm;
	make_up(&s);
	KT_EXPECT_EQ(t, vm_find("2", &vm), 0);
	KT_EXPECT(t, vm == &vms[1]);
	KT_EXPECT_EQ(t, vm_find("3", &vm), 0); /* an id names even a VM whose name is shared */
	KT_EXPECT(t, vm == &vms[2]);
	KT_EXPECT_EQ(t, vm_find("0", &vm), -E_NOT_FOUND);
	KT_EXPECT(t, vm == NULL);
	KT_EXPECT_EQ(t, vm_find("4", &vm), -E_NOT_FOUND);
	KT_EXPECT_EQ(t, vm_find("0x100000001", &vm), -E_NOT_FOUND); /* id 1 plus 2^32: no wrap */
	KT_EXPECT(t, vm_by_id(0) == NULL && vm_by_id(4) == NULL && vm_by_id(1) == &vms[0]);
	put_back(&s);
}

KTEST(vm_table, a_name_names_its_vm_unless_two_share_it)
{
	struct saved s;
	struct vm *vm;
	char why[80];
	make_up(&s);
	KT_EXPECT_EQ(t, vm_find("memtest", &vm), 0);
	KT_EXPECT(t, vm == &vms[1]);
	KT_EXPECT_EQ(t, vm_find("hello", &vm), -E_EXISTS);
	KT_EXPECT(t, vm == NULL);
	KT_EXPECT_STR(t, vm_find_error(-E_EXISTS, "hello", why, sizeof(why)),
		      "two VMs are called 'hello': name one by its id");
	KT_EXPECT_EQ(t, vm_find("nosuch", &vm), -E_NOT_FOUND);
	KT_EXPECT_STR(t, vm_find_error(-E_NOT_FOUND, "nosuch", why, sizeof(why)), "no VM 'nosuch'");
	put_back(&s);
}

KTEST(vm_table, a_state_is_one_word_each)
{
	struct saved s;
	make_up(&s);
	vms[0].state = VM_RUNNABLE;
	vms[1].state = VM_FINISHED;
	vms[2].state = VM_STOPPED;
	KT_EXPECT_STR(t, vm_state_name(&vms[0]), "running");
	KT_EXPECT_STR(t, vm_state_name(&vms[1]), "finished");
	KT_EXPECT_STR(t, vm_state_name(&vms[2]), "stopped");
	put_back(&s);
}
