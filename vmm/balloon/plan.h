/* vmm/balloon/plan.h — the text of balloon targets: `balloon VM PAGES|SIZE`
 * in the monitor, and the balloon= option's schedule of targets, which
 * drives inflate/deflate cycles without a person at the console:
 *
 *   balloon=VM:TARGET[:TARGET...][,VM:TARGET...]
 *   balloon=workset:12M:0:12M:0      inflate to 12 MiB, deflate to 0, again
 *
 * VM is a name from guests= or a VM id. TARGET is a page count (4096,
 * 0x1000) or, with a K, M or G suffix, a size in bytes (a whole number of
 * 4 KiB pages). vmm/balloon/schedule.c sets the first target when the
 * guests start and each next one once the balloon has reached the one
 * before and held it for balloon_step_ms.
 *
 * Pure code (tests/unit runs it hosted).
 */
#ifndef MEMVISOR_VMM_BALLOON_PLAN_H
#define MEMVISOR_VMM_BALLOON_PLAN_H

#include "vmm/hypercall_abi.h"
#include "kernel/types.h"

#define BALLOON_PLAN_VMS 16   /* VM_MAX (vmm/vm.h) */
#define BALLOON_PLAN_STEPS 48 /* targets per VM: 20 cycles and a few more */

struct balloon_plan_vm {
	char vm[HC_INFO_NAME_MAX + 1]; /* name or id, as written */
	uint32_t nsteps;
	uint64_t steps[BALLOON_PLAN_STEPS]; /* targets, in pages */
};

struct balloon_plan {
	uint32_t nvms;
	struct balloon_plan_vm vms[BALLOON_PLAN_VMS];
};

/* "4096" or "0x1000" → pages; "16M" → 4096 pages. Returns 0, or -E_INVAL
 * (not a number, or a size that is not whole pages) / -E_RANGE. */
int balloon_parse_pages(const char *text, uint64_t *pages);

/* Parses balloon=. Returns 0, or -E_INVAL with what is wrong in msg. */
int balloon_plan_parse(const char *text, struct balloon_plan *plan, char *msg, size_t msg_size);

#endif
