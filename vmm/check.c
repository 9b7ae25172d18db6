/* vmm/check.c — every invariant of memvisor's memory, each subsystem's
 * checker in turn, lowest first:
 *   the PMAP, nested tables and frame table   vmm/mm/check.h
 *   the balloon's cap                          vmm/balloon/check.c
 *   page sharing's table and users             vmm/share/check.h
 *   the compressed swap area                   vmm/zswap/check.c
 *   the swap disk's slots                      vmm/swap/check.c
 * Tests run it; so does the run loop whenever a VM ends, and sharing
 * after each merge and break with share_check. */
#include "vmm/vmm.h"
#include "vmm/balloon/balloon.h"
#include "vmm/mm/check.h"
#include "vmm/share/check.h"
#include "vmm/swap/swap.h"
#include "vmm/zswap/zswap.h"
#include "kernel/printf.h"

#define REPORT_MAX 10

static unsigned violations;

/* Counts every violation; prints the first REPORT_MAX. */
__attribute__((format(printf, 1, 2))) static void violation(const char *fmt, ...)
{
	if (violations++ < REPORT_MAX) {
		char msg[200];
		va_list ap;
		va_start(ap, fmt);
		kvsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		kprintf("memvisor: invariant: %s\n", msg);
	}
}

unsigned vmm_check_invariants(void)
{
	violations = 0;
	mm_check_invariants(violation);
	balloon_check_invariants(violation);
	share_check_invariants(violation);
	zswap_check_invariants(violation);
	swap_check_invariants(violation);
	return violations;
}
