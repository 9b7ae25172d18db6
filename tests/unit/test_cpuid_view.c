/* tests/unit/test_cpuid_view.c — the guest's view of CPUID
 * (vmm/cpu/cpuid_view.c, cpuid_guest_view(); lab 1's exercise 1.3),
 * hosted with ASan/UBSan. The host's answers are synthetic (random bits),
 * so a view that asks the real CPU, or rebuilds a register instead of
 * editing the host's, shows here. Each test checks one rule of
 * vmm/cpu/cpuid_view.h and prints, on failure, the leaf, subleaf, guest
 * CR4 and the four registers expected and seen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tests/unit/fail_because.h"

#include "vmm/cpu/cpuid_view.h"
#include "vmm/hypercall_abi.h"
#include "kernel/x86.h"

#define ROUNDS 2000


static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* xorshift64: the same "random" answers on every run. */
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct cpuid_regs random_answer(void)
{
	uint64_t x = next(), y = next();
	return (struct cpuid_regs){ (uint32_t)x, (uint32_t)(x >> 32), (uint32_t)y, (uint32_t)(y >> 32) };
}

/* The view of host answer `host`; fails unless cpuid_guest_view() says 0. */
static struct cpuid_regs view(uint32_t leaf, uint32_t sub, uint64_t cr4, struct cpuid_regs host)
{
	struct cpuid_regs r = host;
	int rc = cpuid_guest_view(leaf, sub, cr4, &r);
	if (rc != 0)
		fail_because("cpuid_guest_view(leaf %#x, sub %#x, cr4 %#llx): expected 0, returned %d", leaf, sub,
			 (unsigned long long)cr4, rc);
	return r;
}

static void expect(const char *rule, uint32_t leaf, uint32_t sub, uint64_t cr4, struct cpuid_regs host,
		   struct cpuid_regs want, struct cpuid_regs seen)
{
	if (want.a == seen.a && want.b == seen.b && want.c == seen.c && want.d == seen.d)
		return;
	fail_because("%s: leaf %#x sub %#x guest CR4 %#llx, host eax=%08x ebx=%08x ecx=%08x edx=%08x: "
		 "expected eax=%08x ebx=%08x ecx=%08x edx=%08x, seen eax=%08x ebx=%08x ecx=%08x edx=%08x",
		 rule, leaf, sub, (unsigned long long)cr4, host.a, host.b, host.c, host.d, want.a, want.b, want.c,
		 want.d, seen.a, seen.b, seen.c, seen.d);
}

/* A guest CR4 with OSXSAVE and PKE each set or clear at random. */
static uint64_t random_cr4(void)
{
	return next() & (CR4_OSXSAVE | CR4_PKE | 0x20 /* PAE */);
}

static const struct cpuid_regs zeros;

static void test_the_base_leaf_gives_the_maximum_and_the_signature(void **state)
{
	(void)state;
	/* "memvisor" as the CPU stores a vendor string: the first byte lowest,
	 * EBX then ECX then EDX, zero padded to 12 bytes. */
	const struct cpuid_regs want = { CPUID_HYPERVISOR_MAX, 0x766d656d /* "memv" */, 0x726f7369 /* "isor" */, 0 };
	for (int i = 0; i < ROUNDS; i++) {
		struct cpuid_regs host = random_answer();
		uint32_t sub = i % 4 ? (uint32_t)next() : 0;
		uint64_t cr4 = random_cr4();
		expect("leaf 0x40000000 gives the maximum leaf and \"memvisor\"", CPUID_HYPERVISOR_BASE, sub, cr4,
		       host, want, view(CPUID_HYPERVISOR_BASE, sub, cr4, host));
	}
}

static void test_every_other_leaf_of_the_hypervisor_range_is_all_zeros(void **state)
{
	(void)state;
	for (uint32_t leaf = CPUID_HYPERVISOR_BASE + 1; leaf <= CPUID_HYPERVISOR_BASE + 0xff; leaf++)
		for (int i = 0; i < 8; i++) {
			struct cpuid_regs host = random_answer();
			uint32_t sub = (uint32_t)next();
			uint64_t cr4 = random_cr4();
			expect("memvisor's leaves past the base are zeros, whatever the host says", leaf, sub, cr4,
			       host, zeros, view(leaf, sub, cr4, host));
		}
}

/* Leaves just outside the range, and leaves that share some of its bits,
 * are the host's. */
static void test_leaves_outside_the_hypervisor_range_are_the_hosts(void **state)
{
	(void)state;
	static const uint32_t leaves[] = { 0x3fffffff, 0x40000100, 0x40000101, 0x400001ff, 0x40001000,
					   0x4fffffff, 0x50000000, 0xc0000000, 0xc0000001, 0x00000000,
					   0x00000002, 0x00000004, 0x80000000, 0x80000008 };
	for (size_t k = 0; k < sizeof(leaves) / sizeof(leaves[0]); k++)
		for (int i = 0; i < 16; i++) {
			struct cpuid_regs host = random_answer();
			uint32_t sub = (uint32_t)next();
			uint64_t cr4 = random_cr4();
			expect("a leaf outside 0x40000000-0x400000ff and outside the rule is the host's", leaves[k],
			       sub, cr4, host, host, view(leaves[k], sub, cr4, host));
		}
}

static void test_leaf_1_hides_vmx_and_sets_the_hypervisor_bit_only(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		struct cpuid_regs host = random_answer();
		if (i % 2)
			host.c |= CPUID1_ECX_VMX; /* half of them offer VMX for sure */
		/* Leaf 1 has no subleaves: ECX's input is whatever the guest left there. */
		uint32_t sub = i % 3 ? (uint32_t)next() : 0;
		uint64_t cr4 = random_cr4();
		struct cpuid_regs want = host;
		want.c = (host.c & ~(uint32_t)(CPUID1_ECX_VMX | CPUID1_ECX_OSXSAVE)) | (uint32_t)CPUID1_ECX_HYPERVISOR |
			 ((cr4 & CR4_OSXSAVE) ? (uint32_t)CPUID1_ECX_OSXSAVE : 0);
		expect("leaf 1: VMX clear, hypervisor bit set, OSXSAVE from the guest's CR4, every other bit the host's",
		       CPUID_FEATURES, sub, cr4, host, want, view(CPUID_FEATURES, sub, cr4, host));
	}
}

/* OSXSAVE is the guest's CR4.OSXSAVE both ways: memvisor's own CR4 has it
 * set, a guest that has not enabled XSAVE must see it clear. */
static void test_osxsave_follows_the_guests_cr4_not_the_hosts(void **state)
{
	(void)state;
	for (int host_has = 0; host_has < 2; host_has++)
		for (int guest_has = 0; guest_has < 2; guest_has++) {
			struct cpuid_regs host = random_answer();
			host.c = (host.c & ~(uint32_t)CPUID1_ECX_OSXSAVE) | (host_has ? (uint32_t)CPUID1_ECX_OSXSAVE : 0);
			uint64_t cr4 = guest_has ? CR4_OSXSAVE : 0;
			struct cpuid_regs seen = view(CPUID_FEATURES, 0, cr4, host);
			if (!!(seen.c & CPUID1_ECX_OSXSAVE) != guest_has)
				fail_because("leaf 1 ECX.OSXSAVE (bit 27) with the host's %s and the guest's CR4.OSXSAVE %s: "
					 "expected %d, seen %d",
					 host_has ? "set" : "clear", guest_has ? "set" : "clear", guest_has,
					 !!(seen.c & CPUID1_ECX_OSXSAVE));
		}
}

static void test_ospke_follows_the_guests_cr4_in_leaf_7_subleaf_0(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		struct cpuid_regs host = random_answer();
		uint64_t cr4 = random_cr4();
		struct cpuid_regs want = host;
		want.c = (host.c & ~(uint32_t)CPUID7_ECX_OSPKE) | ((cr4 & CR4_PKE) ? (uint32_t)CPUID7_ECX_OSPKE : 0);
		expect("leaf 7 subleaf 0: OSPKE from the guest's CR4, every other bit the host's",
		       CPUID_STRUCTURED_FEATURES, 0, cr4, host, want, view(CPUID_STRUCTURED_FEATURES, 0, cr4, host));
	}
}

/* Leaf 7's other subleaves use ECX bit 4 for something else. */
static void test_leaf_7s_other_subleaves_are_the_hosts(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		struct cpuid_regs host = random_answer();
		uint32_t sub = i < 16 ? (uint32_t)i + 1 : (uint32_t)next() | 1;
		uint64_t cr4 = random_cr4();
		expect("leaf 7 subleaf other than 0 is the host's", CPUID_STRUCTURED_FEATURES, sub, cr4, host, host,
		       view(CPUID_STRUCTURED_FEATURES, sub, cr4, host));
	}
}

static void test_leaf_0x80000001_hides_svm_only(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		struct cpuid_regs host = random_answer();
		if (i % 2)
			host.c |= CPUID_EXT_ECX_SVM;
		uint32_t sub = i % 3 ? (uint32_t)next() : 0;
		uint64_t cr4 = random_cr4();
		struct cpuid_regs want = host;
		want.c &= ~(uint32_t)CPUID_EXT_ECX_SVM;
		expect("leaf 0x80000001: SVM clear, every other bit the host's", CPUID_EXT_FEATURES, sub, cr4, host,
		       want, view(CPUID_EXT_FEATURES, sub, cr4, host));
	}
}

static void test_the_svm_feature_leaf_is_all_zeros(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		struct cpuid_regs host = random_answer();
		uint32_t sub = i % 3 ? (uint32_t)next() : 0;
		uint64_t cr4 = random_cr4();
		expect("leaf 0x8000000a (SVM revision, ASIDs, nested paging) is zeros", CPUID_SVM_FEATURES, sub, cr4,
		       host, zeros, view(CPUID_SVM_FEATURES, sub, cr4, host));
	}
}

static void test_the_performance_monitoring_leaf_is_all_zeros(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		struct cpuid_regs host = random_answer();
		uint32_t sub = i % 3 ? (uint32_t)next() : 0;
		uint64_t cr4 = random_cr4();
		expect("leaf 0xa (performance monitoring) is zeros: version 0, no counters", CPUID_PERFMON, sub, cr4,
		       host, zeros, view(CPUID_PERFMON, sub, cr4, host));
	}
}

/* Every leaf the rule does not name, at random, is the host's answer as
 * it was: the XSAVE leaf included (handle_cpuid() sizes it afterwards). */
static void test_every_leaf_the_rule_does_not_name_is_the_hosts(void **state)
{
	(void)state;
	int checked = 0;
	while (checked < 20000) {
		uint32_t leaf = (uint32_t)next();
		switch (checked % 4) {
		case 0: leaf &= 0x1f; break;                  /* basic leaves */
		case 1: leaf = 0x80000000u | (leaf & 0x1f); break; /* extended leaves */
		default: break;                               /* anywhere */
		}
		if (leaf == CPUID_FEATURES || leaf == CPUID_STRUCTURED_FEATURES || leaf == CPUID_EXT_FEATURES ||
		    leaf == CPUID_SVM_FEATURES || leaf == CPUID_PERFMON ||
		    (leaf >= CPUID_HYPERVISOR_BASE && leaf <= CPUID_HYPERVISOR_BASE + 0xff))
			continue;
		struct cpuid_regs host = random_answer();
		uint32_t sub = checked % 2 ? (uint32_t)next() : 0;
		uint64_t cr4 = random_cr4();
		expect("a leaf the rule does not name is the host's", leaf, sub, cr4, host, host,
		       view(leaf, sub, cr4, host));
		checked++;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_base_leaf_gives_the_maximum_and_the_signature),
		cmocka_unit_test(test_every_other_leaf_of_the_hypervisor_range_is_all_zeros),
		cmocka_unit_test(test_leaves_outside_the_hypervisor_range_are_the_hosts),
		cmocka_unit_test(test_leaf_1_hides_vmx_and_sets_the_hypervisor_bit_only),
		cmocka_unit_test(test_osxsave_follows_the_guests_cr4_not_the_hosts),
		cmocka_unit_test(test_ospke_follows_the_guests_cr4_in_leaf_7_subleaf_0),
		cmocka_unit_test(test_leaf_7s_other_subleaves_are_the_hosts),
		cmocka_unit_test(test_leaf_0x80000001_hides_svm_only),
		cmocka_unit_test(test_the_svm_feature_leaf_is_all_zeros),
		cmocka_unit_test(test_the_performance_monitoring_leaf_is_all_zeros),
		cmocka_unit_test(test_every_leaf_the_rule_does_not_name_is_the_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
