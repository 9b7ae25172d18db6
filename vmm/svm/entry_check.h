/* vmm/svm/entry_check.h — the VMRUN consistency checks, made by memvisor
 * before every VMRUN on the VMCB it is about to run.
 * See: APM Vol. 2 (rev. 3.42) 15.5.1 "Basic Operation" (Canonicalization
 * and Consistency Checks), 15.15 (clean bits, which memvisor keeps 0),
 * 15.16.1 (TLB_CONTROL), 15.20 (EVENTINJ), 15.25.4 (G_PAT). QEMU TCG
 * checks only a few of these and Bochs fewer; KVM's nested SVM and the
 * hardware check them all, so a state memvisor builds is held
 * to them here, in every test run (option entry_check).
 *
 * Pure: it reads the VMCB and the CPU's capabilities, nothing else, so the
 * same rules run on the host in tests/unit/test_svm_entry_check.c. */
#ifndef MEMVISOR_SVM_ENTRY_CHECK_H
#define MEMVISOR_SVM_ENTRY_CHECK_H

#include "kernel/types.h"
#include "vmm/svm/vmcb.h"

/* What the checks depend on beyond the VMCB (from CPUID, vmm/svm/svm.c). */
struct svm_entry_caps {
	unsigned maxphyaddr;   /* CPUID 8000_0008h EAX[7:0]                    */
	uint64_t cr4_reserved; /* CR4 bits this CPU lacks (svm_cr4_reserved()) */
	bool nested_paging;    /* CPUID 8000_000Ah EDX.NP                      */
	bool flush_by_asid;    /* CPUID 8000_000Ah EDX.FlushByAsid             */
};

struct svm_entry_rule {
	const char *name;    /* what must hold, e.g. "EFER.SVME = 1" */
	const char *section; /* where the manual says so             */
	bool (*violated)(const struct vmcb *v, const struct svm_entry_caps *caps);
};

extern const struct svm_entry_rule svm_entry_rules[];
extern const size_t svm_entry_rule_count;

/* NULL when the VMCB passes every rule, else the first rule it breaks. */
const struct svm_entry_rule *svm_entry_check(const struct vmcb *v, const struct svm_entry_caps *caps);

#endif
