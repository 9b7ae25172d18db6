/* vmm/svm/entry_state.c — the VMRUN checks (entry_check.c) applied to a
 * vCPU's VMCB: before every VMRUN under option entry_check, and for the
 * in-kernel tests, which also print the VMCB to capture it as unit-test
 * data (tests/unit/data/).
 * See: APM Vol. 2 (rev. 3.42) 15.5.1. */
#include "vmm/svm/svm.h"
#include "kernel/printf.h"

static char rule_text[160]; /* "rule (section)": one VMRUN at a time */

static const char *describe(const struct svm_entry_rule *r)
{
	if (!r)
		return NULL;
	ksnprintf(rule_text, sizeof(rule_text), "%s (%s)", r->name, r->section);
	return rule_text;
}

/* A broken rule stops the VM as a refused VMRUN would, but by name. */
bool svm_entry_refused(const struct vmcb *v, struct exit_record *exit)
{
	const char *rule = describe(svm_entry_check(v, &svm_entry_caps));
	if (!rule)
		return false;
	*exit = (struct exit_record){ .reason = EXIT_ENTRY_FAILED, .entry_check_rule = rule,
				      .vendor_code = VMEXIT_INVALID, .vendor_name = "entry check" };
	return true;
}

/* The capabilities, then each non-zero 8-byte word of the VMCB by offset:
 * C initializers for tests/unit/test_svm_entry_check.c. */
static void print_state(const struct vmcb *v)
{
	const struct svm_entry_caps *c = &svm_entry_caps;
	kprintf("# entry-state-caps: { .maxphyaddr = %u, .cr4_reserved = %#llx, .nested_paging = %d, "
		".flush_by_asid = %d }\n", c->maxphyaddr, (unsigned long long)c->cr4_reserved, c->nested_paging,
		c->flush_by_asid);
	const uint64_t *word = (const uint64_t *)v;
	for (size_t i = 0; i < sizeof(*v) / sizeof(*word); i++)
		if (word[i])
			kprintf("# entry-state: { %#05zx, %#llx },\n", i * sizeof(*word), (unsigned long long)word[i]);
}

const char *svm_entry_check_vcpu(struct vcpu *vcpu, bool print)
{
	const struct svm_vcpu *sv = vcpu->arch;
	if (print)
		print_state(sv->vmcb);
	return describe(svm_entry_check(sv->vmcb, &svm_entry_caps));
}
