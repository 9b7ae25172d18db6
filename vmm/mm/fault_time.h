/* vmm/mm/fault_time.h — how long the nested page fault path takes, by what
 * the gfn held: a first touch (UNTOUCHED: a zeroed or image-filled frame),
 * a compressed swap-in (COMPRESSED: decompressed from the zswap area) and a
 * swap-in from disk (SWAPPED). On only with swap_bench=N (make bench): the
 * TSC is read around make_resident() in vm_memory_fault(), so the figure
 * is memvisor's own work for the fault, without the VM exit and entry
 * around it (AMD APM vol. 2 15.25.6, Intel SDM vol. 3C 29.3.3: the exit
 * that reports the fault). Off, it costs one test of a flag per fault. */
#ifndef MEMVISOR_VMM_MM_FAULT_TIME_H
#define MEMVISOR_VMM_MM_FAULT_TIME_H

#include "kernel/types.h"

enum fault_kind { FAULT_FIRST_TOUCH, FAULT_COMPRESSED, FAULT_SWAPPED, FAULT_KIND_COUNT };

/* Whether faults are timed (set from swap_bench= at boot). */
extern bool fault_time_on;
/* One successful fault of `kind` took `cycles` TSC ticks. */
void fault_time_record(enum fault_kind kind, uint64_t cycles);
/* One line per kind with samples: count, p50 and p99 in microseconds. */
void fault_time_print(void);

#endif
