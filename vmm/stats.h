/* vmm/stats.h — memory statistics per VM and for the machine, named after
 * esxtop's memory view where one exists (GRANT → granted, SHRD → shared,
 * SHRDSVD → shared_saved, ZERO → zero, ACTV → active, MCTLSZ → balloon_size, MCTLTGT →
 * balloon_target, ...). Memory figures are in 4 KiB pages.
 *
 * A machine-readable line per VM, and one for the machine, every
 * stats_interval milliseconds (tools/stats-plot reads them):
 *   stats: t=1200 vm=memtest id=2 granted=3824 touched=3824 active=3790 shared=0 ... npf=3824
 *          demand_zero=3817 demand_image=7 exits=4102 cpu_ms=310   (one line)
 *   stats: t=1200 vm=- free=60211 usable=65103 guest_budget=61550 guest_used=3840
 *          guest_zswap=0 swap_used=0 swap_slots=0 swap_retired=0 swap_errors=0
 *          swap_writeback=0 state=high state_changes=0 shared=0 ...  (one line)
 * guest_used is what the budget is charged: frames holding guest pages plus
 * guest_zswap, the pages of the compressed swap area in use.
 */
#ifndef MEMVISOR_VMM_STATS_H
#define MEMVISOR_VMM_STATS_H

#include "vmm/vm.h"

enum vm_stat {
	STAT_GRANTED,          /* guest pages backed by machine memory now       */
	STAT_TOUCHED,          /* guest pages touched at least once              */
	STAT_ACTIVE,           /* its active memory, estimated by sampling (ACTV;
	                          vmm/policy/active.h)                           */
	STAT_SHARED,           /* guest pages mapped to a shared frame           */
	STAT_SHARED_SAVED,     /* frames its non-zero shared pages save: (r-1)/r
	                          of a frame for a page with r users (SHRDSVD) */
	STAT_ZERO,             /* guest pages sharing the zero frame             */
	STAT_COW_BREAKS,       /* writes to its shared pages (copy-on-write)     */
	STAT_PAGES_SCANNED,    /* gfns page sharing's scanner looked at          */
	STAT_FULL_SCANS,       /* passes of the scanner over all of its gfns     */
	STAT_VICTIMS_SHARED,   /* reclaim victims merged instead of compressed   */
	STAT_BALLOON_SIZE,     /* pages the balloon holds                        */
	STAT_BALLOON_TARGET,   /* pages the balloon is asked to hold             */
	STAT_BALLOON_MAX,      /* the balloon's cap, balloon_max_pct (MCTLMAX)   */
	STAT_BALLOON_INFLATED, /* pages the balloon took, in all                 */
	STAT_BALLOON_DEFLATED, /* pages it gave back, in all                     */
	STAT_BALLOON_RELEASED, /* machine frames inflating freed, in all         */
	STAT_BALLOON_REJECTED, /* balloon batches refused (a count, not pages)   */
	STAT_BALLOON_TOUCHED,  /* ballooned pages the guest touched anyway       */
	STAT_GUEST_FREE,       /* free pages, as the guest's driver reports them */
	STAT_COMPRESSED,       /* pages in the compressed swap area              */
	STAT_COMPRESSED_BYTES, /* bytes they take there (what zswap_max_pct caps) */
	STAT_COMPRESSED_SAME,  /* of them, same-filled pages kept as their value */
	STAT_COMPRESS_REJECTED, /* pages that compressed to over half a page      */
	STAT_COMPRESS_CAPPED,  /* pages refused: the VM's share or the area full */
	STAT_SWAPINS,          /* pages brought back from the swap area          */
	STAT_READAHEAD,        /* of those, brought back ahead of a fault        */
	STAT_SWAPPED,          /* guest pages on the swap disk now                */
	STAT_SWAP_OUTS,        /* pages written to the swap disk, in all          */
	STAT_SWAP_INS,         /* pages read back from the swap disk, in all      */
	STAT_SWAP_ERRORS,      /* its reads and writes the swap disk failed       */
	STAT_SWAP_WRITEBACK,   /* its compressed pages written back to disk, in all */
	STAT_SWAP_READS,       /* its swapped pages memvisor read and left on disk
	                          (a hypercall's argument, the monitor's dump)   */
	STAT_SWAP_DROPPED,     /* its swapped pages the balloon took (slot freed) */
	STAT_NPF,              /* nested page faults                             */
	STAT_DEMAND_ZERO,      /* first touches given a zeroed frame             */
	STAT_DEMAND_IMAGE,     /* first touches filled from the guest image      */
	STAT_EXITS,            /* VM exits of every kind                         */
	STAT_CPU_MS,           /* CPU time of its slices, exits included, in ms  */
	STAT_COUNT
};

const char *stat_name(enum vm_stat s);
uint64_t stat_value(const struct vm *vm, enum vm_stat s);

/* The machine's memory state: high, soft, hard or low (policy, later). */
const char *stats_memory_state(void);

/* Prints the "stats:" lines for every VM that exists and the machine. */
void stats_print_lines(uint64_t t_ms);
/* Prints one VM's "stats:" line. */
void stats_print_vm_line(const struct vm *vm, uint64_t t_ms);
/* Prints the human-readable table (all VMs, or the one given). */
void stats_print_table(const struct vm *only);

#endif
