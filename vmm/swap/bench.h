/* vmm/swap/bench.h — swap_bench=N (make bench): the swap disk's raw
 * sequential write and read rate at boot, and what each swap-out and
 * swap-in then takes, printed at the end of the run. */
#ifndef MEMVISOR_VMM_SWAP_BENCH_H
#define MEMVISOR_VMM_SWAP_BENCH_H

#include "kernel/block.h"

/* At boot, with the device just chosen and every slot free: N pages
 * written to slots 0..N-1 in order, then read back and compared, each
 * pass timed by the TSC, in requests of BLOCK_REQUEST_PAGES pages (the
 * size of the clusters swap-outs go in). N larger than the disk's slots is an option
 * error; a transfer error or a page read back different stops memvisor
 * with a panic (the disk is not fit to swap to). */
void swap_bench_raw(struct block_dev *dev, uint64_t slot_count);
/* A successful swap-out or swap-in took `ticks` TSC ticks. */
void swap_bench_count_out(uint64_t ticks);
void swap_bench_count_in(uint64_t ticks);
/* The run's swap-outs and swap-ins per second of their own time. */
void swap_bench_print(void);

#endif
