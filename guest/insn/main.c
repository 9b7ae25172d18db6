/* guest/insn/main.c — instructions memvisor emulates or intercepts, seen
 * from inside: a prefixed CPUID, RDMSR or hypercall must resume after its
 * last byte, not inside it; a single step over an emulated CPUID must trap
 * right after it; IN EAX zero-extends into RAX; WBINVD and INVD keep the
 * guest (and its memory) going; RDPMC and bad writes to CR0/CR4 raise
 * #GP(0) on the instruction, and the guest carries on.
 *
 * One line per check:  insn: CHECK seen S ok
 *        or two:       insn: CHECK expected E
 *                      insn: CHECK seen S FAIL
 * then:                insn: N checks, F failed
 * Exit status GUEST_EXIT_OK only if every check passed. */
#include "guest.h"
#include "kernel/io.h"
#include "probe.h"
#include "run.h"
#include "kernel/x86.h"

const char guest_image_name[] = "insn";

#define TEXT_MAX 120
#define COM1_SCRATCH (GUEST_COM1_PORT + 7)
#define SCRATCH_VALUE 0xa5u
#define CR0_HIGH_BIT (1ull << 32)
#define CR4_RESERVED_BIT15 (1ull << 15)
#define PERFMON_FIELD_MASK 0xffu
#define PERFMON_COUNTERS_SHIFT 8

struct tally {
	unsigned checks, failed;
};

static void verdict(struct tally *t, const char *check, const char *expected, const char *seen)
{
	bool ok = !strcmp(expected, seen);
	t->checks++;
	t->failed += !ok;
	if (!ok) /* on a line of its own: both would not fit one console line */
		guest_printf("insn: %s expected %s\n", check, expected);
	guest_printf("insn: %s seen %s %s\n", check, seen, ok ? "ok" : "FAIL");
}

/* How a probe ended, in words both sides of a check use. */
static void ending(char *out, size_t size, const struct regs_seen *r)
{
	ksnprintf(out, size, "next=%s traps=%u", r->done ? "ran" : "skipped", probe.traps);
}

static void fault_text(char *out, size_t size, const struct regs_seen *r)
{
	if (!probe.traps) {
		ksnprintf(out, size, "no-exception next=%s", r->done ? "ran" : "skipped");
		return;
	}
	ksnprintf(out, size, "vector=%llu error=%llu at=insn%+lld traps=%u", (unsigned long long)probe.vector,
		  (unsigned long long)probe.error, (long long)(probe.rip - r->insn_rip), probe.traps);
}

static void check_prefixed_cpuid(struct tally *t)
{
	static const char expected[] = "eax=0x40000001 sig=memvisor next=ran traps=0";
	for (int form = 0; form < CPUID_FORMS; form++) {
		struct regs_seen r;
		char seen[TEXT_MAX], sig[13] = { 0 }, end[TEXT_MAX], name[40];
		probe_arm();
		run_cpuid((enum cpuid_form)form, &r);
		uint32_t words[3] = { (uint32_t)r.rbx, (uint32_t)r.rcx, (uint32_t)r.rdx };
		memcpy(sig, words, sizeof(words));
		for (int i = 0; i < 12; i++)
			sig[i] = (sig[i] >= '!' && sig[i] <= '~') ? sig[i] : '.';
		ending(end, sizeof(end), &r);
		ksnprintf(seen, sizeof(seen), "eax=%#llx sig=%.8s %s", (unsigned long long)r.rax, sig, end);
		ksnprintf(name, sizeof(name), "cpuid-prefix-%s", cpuid_form_names[form]);
		verdict(t, name, expected, seen);
	}
}

static void check_prefixed_rdmsr(struct tally *t)
{
	static const char *const names[] = { "rdmsr-efer-prefix-2e", "rdmsr-efer-prefix-66-rex.w" };
	static const char expected[] = "lme=1 lma=1 edx=0 rbx=0x11 rcx=0xc0000080 rdi=0x33 next=ran traps=0";
	for (int form = 0; form < 2; form++) {
		struct regs_seen r;
		char seen[TEXT_MAX], end[TEXT_MAX];
		probe_arm();
		run_rdmsr_efer(form, &r);
		ending(end, sizeof(end), &r);
		ksnprintf(seen, sizeof(seen), "lme=%d lma=%d edx=%llu rbx=%#llx rcx=%#llx rdi=%#llx %s",
			  !!(r.rax & EFER_LME), !!(r.rax & EFER_LMA), (unsigned long long)r.rdx,
			  (unsigned long long)r.rbx, (unsigned long long)r.rcx, (unsigned long long)r.rdi, end);
		verdict(t, names[form], expected, seen);
	}
}

static void check_prefixed_hypercall(struct tally *t)
{
	static const char expected[] = "rax=0 rbx=0x11 rcx=0x22 rdi=0x33 next=ran traps=0";
	bool vmmcall = hc_uses_vmmcall();
	for (int form = 0; form < 2; form++) {
		struct regs_seen r;
		char seen[TEXT_MAX], end[TEXT_MAX], name[40];
		probe_arm();
		run_hypercall_nop(vmmcall, form, &r);
		ending(end, sizeof(end), &r);
		ksnprintf(seen, sizeof(seen), "rax=%lld rbx=%#llx rcx=%#llx rdi=%#llx %s", (long long)r.rax,
			  (unsigned long long)r.rbx, (unsigned long long)r.rcx, (unsigned long long)r.rdi, end);
		ksnprintf(name, sizeof(name), "%s-nop-prefix-%s", vmmcall ? "vmmcall" : "vmcall",
			  form ? "2e-3e" : "2e");
		verdict(t, name, expected, seen);
	}
}

/* The #DB must come with RIP just past the CPUID (2 bytes) and DR6.BS. */
static void check_single_step(struct tally *t)
{
	struct regs_seen r;
	char expected[TEXT_MAX], seen[TEXT_MAX];
	probe_arm();
	run_cpuid_single_step(&r);
	ksnprintf(expected, sizeof(expected), "vector=1 at=insn+%lld bs=1 traps=1",
		  (long long)(r.next_rip - r.insn_rip));
	ksnprintf(seen, sizeof(seen), "vector=%llu at=insn%+lld bs=%d traps=%u", (unsigned long long)probe.vector,
		  (long long)(probe.rip - r.insn_rip), !!(probe.dr6 & DR6_BS), probe.traps);
	verdict(t, "single-step-over-cpuid", expected, seen);
}

static void check_in(struct tally *t)
{
	char expected[TEXT_MAX], seen[TEXT_MAX];
	outb(COM1_SCRATCH, SCRATCH_VALUE);
	ksnprintf(expected, sizeof(expected), "rax=%#llx", (unsigned long long)SCRATCH_VALUE);
	ksnprintf(seen, sizeof(seen), "rax=%#llx", (unsigned long long)run_in32(COM1_SCRATCH, 0xdeadbeefcafef00dull));
	verdict(t, "in-eax-zero-extends-rax", expected, seen);
	ksnprintf(expected, sizeof(expected), "rax=%#llx", 0xdeadbeefcafef000ull | SCRATCH_VALUE);
	ksnprintf(seen, sizeof(seen), "rax=%#llx", (unsigned long long)run_in8(COM1_SCRATCH, 0xdeadbeefcafef000ull));
	verdict(t, "in-al-keeps-rax-upper-bits", expected, seen);
}

/* A write just before must survive: INVD done as INVD would lose it. */
static void check_cache_flushes(struct tally *t)
{
	static volatile uint64_t cell;
	static const char expected[] = "next=ran traps=0 memory=kept";
	static const char *const names[] = { "wbinvd-is-a-no-op", "invd-is-a-no-op-keeping-memory" };
	for (int i = 0; i < 2; i++) {
		struct regs_seen r;
		char seen[TEXT_MAX], end[TEXT_MAX];
		uint64_t pattern = 0x1234567890abcdefull + (uint64_t)i;
		probe_arm();
		cell = pattern;
		if (i == 0)
			run_wbinvd(&r);
		else
			run_invd(&r);
		ending(end, sizeof(end), &r);
		ksnprintf(seen, sizeof(seen), "%s memory=%s", end, cell == pattern ? "kept" : "lost");
		verdict(t, names[i], expected, seen);
	}
}

/* No counters: CPUID leaf 0AH says version 0, and RDPMC of counter 0 is
 * the #GP(0) of a counter that does not exist. */
static void check_rdpmc(struct tally *t)
{
	struct regs_seen r;
	char seen[TEXT_MAX];
	uint32_t a, b, c, d;
	cpuid(CPUID_PERFMON, 0, &a, &b, &c, &d);
	ksnprintf(seen, sizeof(seen), "version=%u counters=%u", a & PERFMON_FIELD_MASK,
		  (a >> PERFMON_COUNTERS_SHIFT) & PERFMON_FIELD_MASK);
	verdict(t, "cpuid-perfmon-none", "version=0 counters=0", seen);
	probe_arm();
	run_rdpmc(0, &r);
	fault_text(seen, sizeof(seen), &r);
	verdict(t, "rdpmc-gp", "vector=13 error=0 at=insn+0 traps=1", seen);
}

/* A faulting MOV to CR must also leave the register as it was. */
static void check_cr_fault(struct tally *t, const char *name, int cr, uint64_t value)
{
	struct regs_seen r;
	char seen[TEXT_MAX], fault[TEXT_MAX];
	uint64_t before = cr == 0 ? read_cr0() : read_cr4();
	probe_arm();
	if (cr == 0)
		run_write_cr0(value, &r);
	else
		run_write_cr4(value, &r);
	uint64_t after = cr == 0 ? read_cr0() : read_cr4();
	fault_text(fault, sizeof(fault), &r);
	ksnprintf(seen, sizeof(seen), "%s cr%d=%s", fault, cr, after == before ? "unchanged" : "changed");
	char expected[TEXT_MAX];
	ksnprintf(expected, sizeof(expected), "vector=13 error=0 at=insn+0 traps=1 cr%d=unchanged", cr);
	verdict(t, name, expected, seen);
}

/* CR0.NE is one the guest may clear (legacy FPU error reporting); under
 * VMX the host owns it, and memvisor must keep the guest's view. */
static void check_cr0_ne(struct tally *t)
{
	struct regs_seen r;
	char expected[TEXT_MAX], seen[TEXT_MAX];
	uint64_t cr0 = read_cr0();
	probe_arm();
	run_write_cr0(cr0 & ~CR0_NE, &r);
	uint64_t cleared = read_cr0();
	run_write_cr0(cr0, &r);
	uint64_t restored = read_cr0();
	ksnprintf(expected, sizeof(expected), "cleared=%#llx restored=%#llx traps=0",
		  (unsigned long long)(cr0 & ~CR0_NE), (unsigned long long)cr0);
	ksnprintf(seen, sizeof(seen), "cleared=%#llx restored=%#llx traps=%u", (unsigned long long)cleared,
		  (unsigned long long)restored, probe.traps);
	verdict(t, "cr0-ne-clear-and-set", expected, seen);
}

int main(const struct guest_env *env)
{
	static const char *const no_args[] = { NULL };
	guest_args_check(env, no_args);
	if (!env->hypervisor) {
		guest_printf("insn: no hypervisor, nothing to check\n");
		return GUEST_EXIT_OK;
	}
	struct tally t = { 0, 0 };
	check_prefixed_cpuid(&t);
	check_prefixed_rdmsr(&t);
	check_prefixed_hypercall(&t);
	check_single_step(&t);
	check_in(&t);
	check_cache_flushes(&t);
	check_rdpmc(&t);
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();
	check_cr_fault(&t, "cr4-vmxe-gp", 4, cr4 | CR4_VMXE);
	check_cr_fault(&t, "cr4-reserved-bit-gp", 4, cr4 | CR4_RESERVED_BIT15);
	check_cr0_ne(&t);
	/* With NE changed too, so that under VMX memvisor decides, not the CPU. */
	check_cr_fault(&t, "cr0-pg-without-pe-gp", 0, cr0 & ~(CR0_NE | CR0_PE));
	check_cr_fault(&t, "cr0-high-bit-gp", 0, (cr0 & ~CR0_NE) | CR0_HIGH_BIT);
	probe_disarm();
	guest_printf("insn: %u checks, %u failed\n", t.checks, t.failed);
	return t.failed ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
