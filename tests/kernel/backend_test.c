/* tests/kernel/backend_test.c — the hardware backend through the neutral
 * interface only: nested mappings, a hand-written guest that exercises
 * each exit, and the PMAP/frame-table invariant checker. The same tests
 * run on SVM and on VMX. */
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/ktest.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "vmm/cpu/emulate.h"
#include "vmm/exit.h"
#include "vmm/mm/memory.h"
#include "vmm/svm/vmcb.h"
#include "vmm/policy/alloc.h"
#include "vmm/vmm.h"
#include "vmm/zswap/zswap.h"

#define SCRATCH_MEM (2 * MiB)
#define CODE_GPA 0x100000
#define OUTSIDE_GPA 0x300000

/* One scratch VM (vms[0]) shared by this suite; made on first use. If the
 * backend cannot be enabled, the test that tried fails and the rest skip:
 * running VMRUN or VMLAUNCH with virtualisation off would only #UD. */
static struct vm *scratch(struct ktest_ctx *t)
{
	static bool ready, broken;
	struct vm *vm = &vms[0];
	if (ready)
		return vm;
	if (!backend || broken)
		return NULL;
	int rc = vmm_enable();
	KT_EXPECT_EQ(t, rc, 0);
	if (rc) {
		broken = true;
		return NULL;
	}
	KT_EXPECT_EQ(t, vmm_frame_table_setup(SCRATCH_MEM >> PAGE_SHIFT), 0);
	guest_frames.budget = SCRATCH_MEM >> PAGE_SHIFT;
	memset(vm, 0, sizeof(*vm));
	vm->id = 1;
	vm_count = 1;
	str_copy(vm->name, "scratch", sizeof(vm->name));
	vm->mem_bytes = SCRATCH_MEM;
	alloc_defaults(&vm->alloc, vm->mem_bytes); /* no reservation, its whole memory as the limit */
	KT_EXPECT_EQ(t, vm_memory_init(vm), 0);
	KT_EXPECT_EQ(t, zswap_vm_init(vm), 0);
	vm->vcpu.vm = vm;
	vm->state = VM_RUNNABLE;
	ready = true;
	return vm;
}

/* The scratch VM, or NULL with the test marked skipped. */
static struct vm *scratch_or_skip(struct ktest_ctx *t)
{
	struct vm *vm = scratch(t);
	if (!vm)
		ktest_skip(t, "no usable virtualisation backend on this CPU (or it could not be enabled)");
	return vm;
}

KTEST(backend, map_lookup_protect_unmap)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	mfn_t f = mem_alloc_zeroed_frame(), seen;
	unsigned prot;
	gfn_t g = { 0x1ff };
	KT_EXPECT_EQ(t, backend->lookup(vm, g, &seen, &prot), -E_NOT_FOUND);
	KT_EXPECT_EQ(t, backend->map(vm, g, f, NPT_RWX), 0);
	KT_EXPECT_EQ(t, backend->lookup(vm, g, &seen, &prot), 0);
	KT_EXPECT_EQ(t, seen.raw, f.raw);
	KT_EXPECT(t, prot & NPT_WRITE);
	KT_EXPECT_EQ(t, backend->protect(vm, g, NPT_READ | NPT_EXEC), 0);
	KT_EXPECT_EQ(t, backend->lookup(vm, g, &seen, &prot), 0);
	KT_EXPECT(t, !(prot & NPT_WRITE) && (prot & NPT_READ));
	KT_EXPECT_EQ(t, backend->unmap(vm, g), 0);
	KT_EXPECT_EQ(t, backend->lookup(vm, g, &seen, &prot), -E_NOT_FOUND);
	KT_EXPECT_EQ(t, backend->unmap(vm, g), -E_NOT_FOUND);
	mem_free_frame(f);
}

/* 32-bit guest code: each instruction causes one kind of exit. */
static size_t guest_code(uint8_t *c)
{
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 }, vmcall[] = { 0x0f, 0x01, 0xc1 };
	size_t n = 0;
	const uint8_t head[] = { 0xb8, 0x00, 0x00, 0x00, 0x40, /* mov $0x40000000, %eax */
				 0x0f, 0xa2 };                 /* cpuid                 */
	memcpy(c + n, head, sizeof(head));
	n += sizeof(head);
	memcpy(c + n, strcmp(backend->name, "svm") ? vmcall : vmmcall, 3); /* hypercall */
	n += 3;
	const uint8_t tail[] = { 0xe7, 0xf4,                                     /* out %eax, $0xf4   */
				 0xc6, 0x05, 0x00, 0x00, 0x30, 0x00, 0x01,       /* movb $1, 0x300000 */
				 0xf4 };                                         /* hlt               */
	memcpy(c + n, tail, sizeof(tail));
	return n + sizeof(tail);
}

/* Runs the vCPU to its next exit that is not a host interrupt. */
static void run_to_exit(struct vcpu *v, struct exit_record *e)
{
	do
		backend->vcpu_run(v, e);
	while (e->reason == EXIT_INTERRUPT);
}

/* The length of an instruction exit: from the hardware, or (SVM without
 * next-RIP save) decoded by the core from guest memory. */
static uint64_t exit_insn_len(struct ktest_ctx *t, struct vcpu *v, struct exit_record *e)
{
	if (emulate_needs_length(e))
		KT_EXPECT(t, emulate_insn_length(v, e));
	return e->insn_len;
}

/* The VM-entry checks pass the state memvisor enters with; the state is
 * printed too ("# entry-state: ..."), the source of tests/unit/data/. */
static void expect_entry_checks_pass(struct ktest_ctx *t, struct vcpu *v, const char *when)
{
	kprintf("# entry-state %s %s: begin\n", backend->name, when);
	const char *rule = backend->entry_check(v, true);
	kprintf("# entry-state %s %s: end\n", backend->name, when);
	if (rule)
		ktest_fail(t, __FILE__, __LINE__, "%s state breaks %s", when, rule);
}

KTEST(backend, guest_exits_decode_to_neutral_records)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	uint8_t code[32];
	size_t len = guest_code(code);
	KT_EXPECT_EQ(t, vm_gpa_write(vm, CODE_GPA, code, len), 0);
	KT_EXPECT_EQ(t, backend->vcpu_init(&vm->vcpu, CODE_GPA), 0);
	struct vcpu *v = &vm->vcpu;
	struct exit_record e;
	expect_entry_checks_pass(t, v, "first-entry");

	/* The code page is in the PMAP but not yet in the nested tables. */
	run_to_exit(v, &e);
	KT_EXPECT_EQ(t, e.reason, EXIT_NPF);
	KT_EXPECT_EQ(t, e.npf.gpa >> PAGE_SHIFT, CODE_GPA >> PAGE_SHIFT);
	KT_EXPECT_EQ(t, vm_memory_fault(vm, e.npf.gpa, e.npf.write), 0);

	run_to_exit(v, &e);
	KT_EXPECT_EQ(t, e.reason, EXIT_CPUID);
	KT_EXPECT_EQ(t, v->regs.rax, 0x40000000);
	KT_EXPECT_EQ(t, exit_insn_len(t, v, &e), 2);
	handle_cpuid(v, &e);
	KT_EXPECT(t, !memcmp(&v->regs.rbx, "memv", 4) && !memcmp(&v->regs.rcx, "isor", 4));

	run_to_exit(v, &e);
	KT_EXPECT_EQ(t, e.reason, EXIT_HYPERCALL);
	KT_EXPECT_EQ(t, exit_insn_len(t, v, &e), 3);
	v->regs.rip += e.insn_len;

	run_to_exit(v, &e);
	KT_EXPECT_EQ(t, e.reason, EXIT_IO);
	KT_EXPECT_EQ(t, e.io.port, 0xf4);
	KT_EXPECT_EQ(t, e.io.size, 4);
	KT_EXPECT(t, !e.io.in && !e.io.string);
	KT_EXPECT_EQ(t, e.insn_len, 2);
	v->regs.rip += e.insn_len;

	run_to_exit(v, &e);
	KT_EXPECT_EQ(t, e.reason, EXIT_NPF);
	KT_EXPECT_EQ(t, e.npf.gpa, OUTSIDE_GPA);
	KT_EXPECT(t, e.npf.write);
	KT_EXPECT_EQ(t, vm_memory_fault(vm, e.npf.gpa, true), -E_RANGE);
	v->regs.rip += 7; /* skip the movb */

	run_to_exit(v, &e);
	KT_EXPECT_EQ(t, e.reason, EXIT_HLT);
	KT_EXPECT_EQ(t, v->regs.rip, CODE_GPA + len - 1);
	expect_entry_checks_pass(t, v, "after-exits");
}

/* True if the VM was stopped with a reason that starts with `prefix`;
 * makes it runnable again for the tests after. */
static bool stopped_saying(struct vm *vm, const char *prefix)
{
	bool said = vm->state == VM_STOPPED && !strncmp(vm->stop_reason, prefix, strlen(prefix));
	vm->state = VM_RUNNABLE;
	vm->stop_reason[0] = '\0';
	return said;
}

/* An instruction memvisor cannot read or that is not the one the exit
 * names stops the VM with a reason; it never reaches the handler. */
KTEST(backend, undecodable_instructions_stop_the_vm_naming_why)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	struct vcpu *v = &vm->vcpu;
	uint64_t rip = v->regs.rip;
	struct exit_record e = { .reason = EXIT_CPUID };
	v->regs.rip = OUTSIDE_GPA; /* paging is off: gva = gpa, beyond the VM */
	KT_EXPECT(t, !emulate_insn_length(v, &e));
	KT_EXPECT(t, stopped_saying(vm, "cannot read the cpuid instruction at rip=0x300000: it lies outside"));
	v->regs.rip = CODE_GPA; /* mov $0x40000000, %eax: not a CPUID */
	KT_EXPECT(t, !emulate_insn_length(v, &e));
	KT_EXPECT(t, stopped_saying(vm, "the bytes at rip=0x100000 (b8 00 00 00 ...) decode to an unknown instruction"));
	KT_EXPECT_EQ(t, e.insn_len, 0);
	v->regs.rip = rip;
}

KTEST(backend, accessed_and_dirty_bits_follow_guest_accesses)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	gfn_t code = { CODE_GPA >> PAGE_SHIFT };
	int ad = backend->test_and_clear_ad(vm, code);
	if (ad == -E_NOT_SUPPORTED) {
		ktest_skip(t, "the nested page tables of this CPU have no accessed/dirty bits");
		return;
	}
	KT_EXPECT(t, ad >= 0 && (ad & NPT_ACCESSED)); /* the guest ran from it */
	KT_EXPECT_EQ(t, backend->test_and_clear_ad(vm, code), 0);
	KT_EXPECT_EQ(t, backend->test_and_clear_ad(vm, (gfn_t){ 0x77 }), -E_NOT_FOUND);
}

KTEST(backend, invariant_checker_catches_disagreement)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	KT_EXPECT_EQ(t, vmm_check_invariants(), 0);
	/* The cache maps a gfn the PMAP calls untouched. */
	mfn_t f = mem_alloc_zeroed_frame();
	gfn_t g = { 0x20 };
	KT_EXPECT_EQ(t, backend->map(vm, g, f, NPT_RWX), 0);
	KT_EXPECT(t, vmm_check_invariants() >= 1);
	backend->unmap(vm, g);
	mem_free_frame(f);
	KT_EXPECT_EQ(t, vmm_check_invariants(), 0);
	/* A refcount that disagrees with the reverse map. */
	pmap_entry_t e;
	pmap_get(&vm->pmap, (gfn_t){ CODE_GPA >> PAGE_SHIFT }, &e);
	frame_table.frames[pmap_entry_mfn(e).raw].refcount++;
	KT_EXPECT(t, vmm_check_invariants() >= 1);
	frame_table.frames[pmap_entry_mfn(e).raw].refcount--;
	KT_EXPECT_EQ(t, vmm_check_invariants(), 0);
}

/* Turning SVM on changes one bit of EFER, SVME (APM 15.4): EFER also
 * holds long mode (LME, LMA), live while memvisor runs. And VMRUN saves host state at VM_HSAVE_PA (APM
 * 15.30.4): a page-aligned machine address that must be set, or the CPU
 * writes over physical page 0. */
KTEST(backend, enabling_svm_sets_svme_only_and_the_host_save_area)
{
	if (backend != &svm_backend) {
		ktest_skip(t, "the SVM backend is not the one in use");
		return;
	}
	if (!scratch_or_skip(t)) /* vmm_enable() ran there */
		return;
	uint64_t efer = rdmsr(MSR_IA32_EFER), hsave = rdmsr(MSR_VM_HSAVE_PA);
	KT_EXPECT(t, efer & EFER_SVME);
	KT_EXPECT(t, efer & EFER_LME); /* boot/long_mode.h set it; the CPU keeps LMA from it */
	KT_EXPECT(t, efer & EFER_LMA);
	KT_EXPECT(t, hsave != 0);
	KT_EXPECT_EQ(t, hsave & (PAGE_SIZE - 1), 0);
}

KTEST(backend, pmap_counts_demand_allocation)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	KT_EXPECT_EQ(t, vm->pmap.count[PMAP_PRIVATE], 1); /* only the code page */
	KT_EXPECT_EQ(t, vm->pmap.count[PMAP_UNTOUCHED], vm->pmap.npages - 1);
	uint64_t before = machine_frames.free;
	uint8_t byte = 0x5a, back = 0;
	KT_EXPECT_EQ(t, vm_gpa_write(vm, 0x1234, &byte, 1), 0);
	KT_EXPECT_EQ(t, machine_frames.free, before - 1);
	KT_EXPECT_EQ(t, vm_gpa_read(vm, 0x1234, &back, 1), 0);
	KT_EXPECT_EQ(t, back, 0x5a);
	KT_EXPECT_EQ(t, vm_gpa_read(vm, SCRATCH_MEM - 1, &back, 2), -E_RANGE);
	KT_EXPECT_EQ(t, vmm_check_invariants(), 0);
}

/* The compressed swap area through the PMAP: a page compressed, read
 * through while it stays compressed (vm_gpa_read, as hypercalls and the
 * monitor read), then brought back by a nested page fault (swap-in). */
KTEST(backend, compressed_page_reads_through_and_swaps_back_in)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	if (!zswap_enabled())
		zswap_init();
	if (!zswap_enabled()) {
		ktest_skip(t, "zswap=0: no compressed swap area");
		return;
	}
	static uint8_t page[PAGE_SIZE], back[PAGE_SIZE];
	const uint64_t gpa = 0x5000;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		page[i] = (uint8_t)("compressed swap "[i % 16] + i / 1024);
	KT_EXPECT_EQ(t, vm_gpa_write(vm, gpa, page, PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, zswap_compress_gfn(vm, (gfn_t){ gpa >> PAGE_SHIFT }), ZSWAP_STORED);
	pmap_entry_t e;
	pmap_get(&vm->pmap, (gfn_t){ gpa >> PAGE_SHIFT }, &e);
	KT_EXPECT_EQ(t, pmap_entry_state(e), PMAP_COMPRESSED);
	KT_EXPECT_EQ(t, vmm_check_invariants(), 0);
	KT_EXPECT_EQ(t, vm_gpa_read(vm, gpa, back, PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, memcmp(back, page, PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, vm->pmap.count[PMAP_COMPRESSED], 1); /* a read leaves it compressed */
	KT_EXPECT_EQ(t, vm_memory_fault(vm, gpa, false), 0);
	pmap_get(&vm->pmap, (gfn_t){ gpa >> PAGE_SHIFT }, &e);
	KT_EXPECT_EQ(t, pmap_entry_state(e), PMAP_PRIVATE);
	KT_EXPECT_EQ(t, memcmp(mfn_to_virt(pmap_entry_mfn(e)), page, PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, vm->zswap.swapins, 1);
	KT_EXPECT_EQ(t, vm->zswap.bytes, 0);
	KT_EXPECT_EQ(t, vmm_check_invariants(), 0);
}

/* An exception whose delivery meets a nested page fault (the guest's IDT
 * and stack pages not mapped yet) must be delivered again once the fault
 * is handled, not lost (APM 15.7.2 EXITINTINFO, SDM 28.2.4 IDT-vectoring
 * information). The boot state has IDTR and GDTR at gpa 0: one page holds
 * the code descriptor (GDT entry 1) and the #GP gate (IDT entry 13). */
#define DESC_CODE32_FLAT_ACCESSED 0x00cf9b000000ffffull
#define GATE32_INTERRUPT_PRESENT 0x8e00u
#define HANDLER_GPA (CODE_GPA + 0x80)
#define STACK_TOP_GPA 0x80000
#define BOOT_CODE_SELECTOR 0x08
#define GATE_OFFSET_LOW 0x0000ffffu /* a gate splits its offset in two halves */
#define GATE_OFFSET_HIGH 0xffff0000u
#define GATE_SELECTOR_SHIFT 16

KTEST(backend, injected_exception_survives_a_nested_fault_in_its_delivery)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	struct vcpu *v = &vm->vcpu;
	const uint64_t code_desc = DESC_CODE32_FLAT_ACCESSED;
	const uint32_t gate[2] = { (BOOT_CODE_SELECTOR << GATE_SELECTOR_SHIFT) | (HANDLER_GPA & GATE_OFFSET_LOW),
				   (HANDLER_GPA & GATE_OFFSET_HIGH) | GATE32_INTERRUPT_PRESENT };
	const uint8_t hlt = 0xf4;
	KT_EXPECT_EQ(t, vm_gpa_write(vm, 1 * 8, &code_desc, sizeof(code_desc)), 0);
	KT_EXPECT_EQ(t, vm_gpa_write(vm, VECTOR_GP * 8, gate, sizeof(gate)), 0);
	KT_EXPECT_EQ(t, vm_gpa_write(vm, HANDLER_GPA, &hlt, 1), 0);
	/* RIP on the CPUID of guest_code(): if the #GP were lost, that runs. */
	const uint64_t rip = CODE_GPA + 5;
	v->regs.rip = rip;
	v->regs.rsp = STACK_TOP_GPA;
	backend->inject_exception(v, VECTOR_GP, 0);
	struct exit_record e;
	int faults = 0;
	for (run_to_exit(v, &e); e.reason == EXIT_NPF && faults < 4; run_to_exit(v, &e), faults++)
		KT_EXPECT_EQ(t, vm_memory_fault(vm, e.npf.gpa, e.npf.write), 0);
	KT_EXPECT(t, faults >= 1); /* the IDT page at least was not mapped */
	KT_EXPECT_EQ(t, e.reason, EXIT_HLT);
	KT_EXPECT_EQ(t, v->regs.rip, HANDLER_GPA);
	uint32_t frame[3] = { 0 }; /* error code, EIP, CS as the CPU pushed them */
	KT_EXPECT_EQ(t, vm_gpa_read(vm, STACK_TOP_GPA - 16, frame, sizeof(frame)), 0);
	KT_EXPECT_EQ(t, frame[0], 0);
	KT_EXPECT_EQ(t, frame[1], rip);
	KT_EXPECT_EQ(t, frame[2], BOOT_CODE_SELECTOR);
}

/* A state the CPU would refuse never reaches it: with entry_check=on (the
 * default) vcpu_run stops with the rule's name instead. Vector 32 as an
 * exception is refused by both VMRUN (APM 15.20) and VM entry (SDM
 * 27.2.1.3). Last in the suite: it leaves a fresh vCPU behind. */
KTEST(backend, entry_check_stops_a_state_the_cpu_would_refuse)
{
	struct vm *vm = scratch_or_skip(t);
	if (!vm)
		return;
	struct vcpu *v = &vm->vcpu;
	KT_EXPECT(t, options.entry_check);
	KT_EXPECT(t, backend->entry_check(v, false) == NULL);
	backend->inject_exception(v, VECTOR_EXCEPTIONS, EXCEPTION_NO_ERROR_CODE);
	char rule[160], head[sizeof("EVENTINJ exception vector")];
	const char *seen = backend->entry_check(v, false);
	str_copy(rule, seen ? seen : "(none)", sizeof(rule));
	str_copy(head, rule, sizeof(head));
	KT_EXPECT_STR(t, head, strcmp(backend->name, "svm") ? "injected NMI is vector 2," : "EVENTINJ exception vector");
	struct exit_record e;
	backend->vcpu_run(v, &e);
	KT_EXPECT_EQ(t, e.reason, EXIT_ENTRY_FAILED);
	KT_EXPECT_STR(t, e.entry_check_rule ? e.entry_check_rule : "(none)", rule);
	backend->vcpu_destroy(v);
	KT_EXPECT_EQ(t, backend->vcpu_init(v, CODE_GPA), 0);
}
