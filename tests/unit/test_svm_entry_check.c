/* tests/unit/test_svm_entry_check.c — the VMRUN consistency checks
 * (vmm/svm/entry_check.c, APM Vol. 2 15.5.1): the VMCBs memvisor really
 * ran with (captured under QEMU by tools/entry-states) pass every rule, and
 * for each rule a VMCB built from them to break that rule alone is refused
 * by that rule and no other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/svm/entry_check.h"

struct vmcb_word {
	size_t offset;
	uint64_t value;
};

static const struct svm_entry_caps qemu_caps =
#include "tests/unit/data/svm_qemu_caps.inc"
	;
static const struct vmcb_word qemu_first_entry[] = {
#include "tests/unit/data/svm_qemu_first_entry.inc"
};
static const struct vmcb_word qemu_after_exits[] = {
#include "tests/unit/data/svm_qemu_after_exits.inc"
};

static struct vmcb vmcb;
static struct svm_entry_caps caps;

static void load(const struct vmcb_word *w, size_t n)
{
	memset(&vmcb, 0, sizeof(vmcb));
	for (size_t i = 0; i < n; i++) {
		assert_true(w[i].offset + sizeof(uint64_t) <= sizeof(vmcb));
		memcpy((uint8_t *)&vmcb + w[i].offset, &w[i].value, sizeof(uint64_t));
	}
	caps = qemu_caps;
}

/* Every rule the state breaks, by name, for the failure message. */
static size_t broken_rules(char *out, size_t size)
{
	size_t count = 0;
	out[0] = '\0';
	for (size_t i = 0; i < svm_entry_rule_count; i++)
		if (svm_entry_rules[i].violated(&vmcb, &caps)) {
			count++;
			strncat(out, "[", size - strlen(out) - 1);
			strncat(out, svm_entry_rules[i].name, size - strlen(out) - 1);
			strncat(out, "] ", size - strlen(out) - 1);
		}
	return count;
}

static void expect_passes(const char *what)
{
	char broken[2048];
	if (broken_rules(broken, sizeof(broken))) {
		print_error("%s: expected to pass every rule, breaks %s\n", what, broken);
		fail();
	}
	assert_null(svm_entry_check(&vmcb, &caps));
}

static void test_captured_states_pass(void **state)
{
	(void)state;
	load(qemu_first_entry, sizeof(qemu_first_entry) / sizeof(qemu_first_entry[0]));
	expect_passes("QEMU first entry");
	load(qemu_after_exits, sizeof(qemu_after_exits) / sizeof(qemu_after_exits[0]));
	expect_passes("QEMU after exits");
}

/* ---- one case per rule: the first-entry VMCB changed to break it ---- */
#define CASE(fn) static void fn(struct vmcb *v, struct svm_entry_caps *c)
static void long_mode(struct vmcb *v)
{
	v->save.efer |= EFER_LME | EFER_LMA;
	v->save.cr0 |= CR0_PG;
	v->save.cr4 |= CR4_PAE;
}
CASE(no_svme) { (void)c; v->save.efer &= ~EFER_SVME; }
CASE(nw_without_cd) { (void)c; v->save.cr0 |= CR0_NW; }
CASE(cr0_upper) { (void)c; v->save.cr0 |= BIT(32); }
CASE(cr3_mbz) { (void)c; long_mode(v); v->save.cr3 = BIT(45); }
CASE(cr4_vmxe) { (void)c; v->save.cr4 |= CR4_VMXE; }
CASE(dr6_upper) { (void)c; v->save.dr6 |= BIT(32); }
CASE(dr7_upper) { (void)c; v->save.dr7 |= BIT(40); }
CASE(efer_bit9) { (void)c; v->save.efer |= BIT(9); }
CASE(lme_pg_no_pae) { (void)c; v->save.efer |= EFER_LME; v->save.cr0 |= CR0_PG; }
CASE(lme_pg_no_pe) { (void)c; long_mode(v); v->save.cr0 &= ~CR0_PE; }
CASE(cs_l_and_d) { (void)c; long_mode(v); v->save.cs.attrib |= SEG_ATTR_L | SEG_ATTR_DB; }
CASE(no_vmrun_intercept) { (void)c; v->control.intercept_misc2 &= ~INTERCEPT_VMRUN; }
CASE(asid_zero) { (void)c; v->control.asid = 0; }
CASE(msrpm_beyond) { v->control.msrpm_base_pa = BIT(c->maxphyaddr) - PAGE_SIZE; }
CASE(iopm_beyond) { v->control.iopm_base_pa = BIT(c->maxphyaddr) - 2 * PAGE_SIZE; }
CASE(event_type_1) { (void)c; v->control.event_inject = EVENT_VALID | (1u << 8) | 0x20; }
CASE(event_exception_2) { (void)c; v->control.event_inject = EVENT_VALID | EVENT_TYPE_EXCEPTION | 2; }
CASE(np_without_cpuid) { (void)v; c->nested_paging = false; }
CASE(tlb_flush_asid_without_cpuid) { c->flush_by_asid = false; v->control.tlb_control = TLB_CONTROL_FLUSH_ASID; }
CASE(g_pat_type_2) { (void)c; v->save.g_pat = (v->save.g_pat & ~0xffull) | 2; }
CASE(clean_bit_segments) { (void)c; v->control.clean_bits = BIT(8); /* SEG: CS, DS, SS, ES, CPL */ }

static const struct {
	const char *rule;
	void (*breaks)(struct vmcb *, struct svm_entry_caps *);
} cases[] = {
	{ "EFER.SVME = 1", no_svme },
	{ "CR0.CD = 0 with CR0.NW = 1 is illegal", nw_without_cd },
	{ "CR0[63:32] = 0", cr0_upper },
	{ "CR3 MBZ bits (above MAXPHYADDR in long mode) = 0", cr3_mbz },
	{ "CR4 MBZ and unsupported bits = 0", cr4_vmxe },
	{ "DR6[63:32] = 0", dr6_upper },
	{ "DR7[63:32] = 0", dr7_upper },
	{ "EFER MBZ bits = 0", efer_bit9 },
	{ "EFER.LME and CR0.PG need CR4.PAE", lme_pg_no_pae },
	{ "EFER.LME and CR0.PG need CR0.PE", lme_pg_no_pe },
	{ "long mode: CS.L and CS.D not both 1", cs_l_and_d },
	{ "VMRUN intercept set", no_vmrun_intercept },
	{ "ASID != 0", asid_zero },
	{ "MSRPM below MAXPHYADDR", msrpm_beyond },
	{ "IOPM below MAXPHYADDR", iopm_beyond },
	{ "EVENTINJ type not reserved", event_type_1 },
	{ "EVENTINJ exception vector not 2 nor above 31", event_exception_2 },
	{ "NP_ENABLE only with CPUID NP", np_without_cpuid },
	{ "TLB_CONTROL 0 or 1, or 3 or 7 with FlushByAsid", tlb_flush_asid_without_cpuid },
	{ "G_PAT holds valid memory types", g_pat_type_2 },
	{ "VMCB clean bits 0: memvisor does not track its VMCB writes", clean_bit_segments },
};

static void test_each_rule_refuses_its_own_breach_alone(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		load(qemu_first_entry, sizeof(qemu_first_entry) / sizeof(qemu_first_entry[0]));
		cases[i].breaks(&vmcb, &caps);
		char broken[2048];
		size_t n = broken_rules(broken, sizeof(broken));
		const struct svm_entry_rule *r = svm_entry_check(&vmcb, &caps);
		if (n != 1 || !r || strcmp(r->name, cases[i].rule)) {
			print_error("expected only [%s] to fail, seen %s\n", cases[i].rule, n ? broken : "none");
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* Every rule has its case above, and names its manual section. */
static void test_every_rule_has_a_case_and_a_section(void **state)
{
	(void)state;
	assert_int_equal(svm_entry_rule_count, sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < svm_entry_rule_count; i++) {
		bool found = false;
		for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++)
			found = found || !strcmp(cases[j].rule, svm_entry_rules[i].name);
		if (!found)
			print_error("rule [%s] has no case\n", svm_entry_rules[i].name);
		assert_true(found);
		assert_non_null(strstr(svm_entry_rules[i].section, "APM"));
	}
}

/* TLB_CONTROL 3 and 7 are fine where CPUID has FlushByAsid; 1 always;
 * other encodings never (APM 15.16.1). */
static void test_tlb_control_follows_flush_by_asid(void **state)
{
	(void)state;
	load(qemu_first_entry, sizeof(qemu_first_entry) / sizeof(qemu_first_entry[0]));
	caps.flush_by_asid = true;
	vmcb.control.tlb_control = TLB_CONTROL_FLUSH_ASID;
	assert_null(svm_entry_check(&vmcb, &caps));
	vmcb.control.tlb_control = 7;
	assert_null(svm_entry_check(&vmcb, &caps));
	vmcb.control.tlb_control = 5;
	assert_non_null(svm_entry_check(&vmcb, &caps));
	caps.flush_by_asid = false;
	vmcb.control.tlb_control = TLB_CONTROL_FLUSH_ALL;
	assert_null(svm_entry_check(&vmcb, &caps));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured_states_pass),
		cmocka_unit_test(test_each_rule_refuses_its_own_breach_alone),
		cmocka_unit_test(test_every_rule_has_a_case_and_a_section),
		cmocka_unit_test(test_tlb_control_follows_flush_by_asid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
