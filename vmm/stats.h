/* vmm/stats.h — memory statistics per VM and for the machine, named after
 * esxtop's memory view where one exists (GRANT → granted, SHRD → shared,
 * SHRDSVD → shared_saved, ZERO → zero, MCTLSZ → balloon_size, MCTLTGT →
 * balloon_target, ...). Memory figures are in 4 KiB pages.
 *
 * A machine-readable line per VM, and one for the machine, every
 * stats_interval milliseconds (tools/stats-plot reads them):
 *   stats: t=1200 vm=memtest id=2 granted=3824 touched=3824 shared=0 ...
 *   stats: t=1200 vm=- free=60211 usable=65103 state=high
 */
#ifndef MEMVISOR_VMM_STATS_H
#define MEMVISOR_VMM_STATS_H

#include "vm.h"

enum vm_stat {
	STAT_GRANTED,          /* guest pages backed by machine memory now       */
	STAT_TOUCHED,          /* guest pages touched at least once              */
	STAT_SHARED,           /* guest pages mapped to a shared frame           */
	STAT_SHARED_SAVED,     /* machine frames sharing saved for this VM       */
	STAT_ZERO,             /* guest pages sharing the zero frame             */
	STAT_BALLOON_SIZE,     /* pages the balloon holds                        */
	STAT_BALLOON_TARGET,   /* pages the balloon is asked to hold             */
	STAT_COMPRESSED,       /* pages in the compressed swap area              */
	STAT_COMPRESSED_BYTES, /* bytes they take there                          */
	STAT_SWAPINS,          /* pages brought back from the swap area          */
	STAT_NPF,              /* nested page faults                             */
	STAT_EXITS,            /* VM exits of every kind                         */
	STAT_COUNT
};

const char *stat_name(enum vm_stat s);
uint64_t stat_value(const struct vm *vm, enum vm_stat s);

/* The machine's memory state: high, soft, hard or low (policy, later). */
const char *stats_memory_state(void);

/* Prints the "stats:" lines for every VM that exists and the machine. */
void stats_print_lines(uint64_t t_ms);
/* Prints the human-readable table (all VMs, or the one given). */
void stats_print_table(const struct vm *only);

#endif
