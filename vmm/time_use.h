/* vmm/time_use.h — where the machine's time went in a run: in guest mode,
 * handling each kind of exit, in each step of the background work, or
 * idle (no VM could run: each waited for a frame or the disk).
 *
 *   the run = guest mode + exits (by reason; nested page faults by what
 *            the gfn held) + background (by step) + idle and the loop
 *
 * Read on the TSC around each piece (vmm/vmm.c), and the whole run too,
 * from time_use_start() (the guests' setup) to the line: the PIT's tick
 * count, the scheduler line's clock, loses ticks under QEMU on a busy
 * host (seen: 5,440 ms of ticks against 9,980 ms of TSC), and the parts
 * must add up to the whole. "Guest mode" is the
 * whole VMRUN/VMRESUME call: the world switch in and out is in it (AMD APM
 * vol. 2 15.5, Intel SDM vol. 3C 27 and 28), and under an emulator so is
 * what the switch costs the emulator (QEMU refills its software TLB after
 * each one). The summary prints it as the `time:` line; make bench prints
 * it for a tight run and a roomy one side by side, which is how the cost
 * of reclaiming shows where it is paid. */
#ifndef MEMVISOR_VMM_TIME_USE_H
#define MEMVISOR_VMM_TIME_USE_H

#include "kernel/types.h"
#include "vmm/backend.h"

enum time_bucket {
	TIME_GUEST,          /* inside vcpu_run()                              */
	TIME_NPF_FIRST,      /* a nested page fault on an UNTOUCHED page       */
	TIME_NPF_COMPRESSED, /* ... on a COMPRESSED page: decompression        */
	TIME_NPF_SWAPPED,    /* ... on a SWAPPED page: the read started        */
	TIME_NPF_OTHER,      /* ... copy-on-write, a dropped cache entry, waits */
	TIME_EXIT_OTHER,     /* every other exit: I/O, hypercalls, CPUID, ...   */
	TIME_BG_POLICY,      /* the policy: balloon targets, compression, swap  */
	TIME_BG_SHARE,       /* sharing's scanner                               */
	TIME_BG_AGING,       /* the clock's aging sweeps and active sampling    */
	TIME_BG_OTHER,       /* the balloon schedule, the swap disk's flush     */
	TIME_BUCKET_COUNT
};

/* The run begins now (vmm_run(), before the guests are set up). */
void time_use_start(void);
/* Adds ticks to a bucket. */
void time_use_add(enum time_bucket b, uint64_t ticks);
/* The bucket a nested page fault's handling goes to, by the gfn's PMAP
 * state before it (pmap.h's enum pmap_state). */
enum time_bucket time_use_npf_bucket(unsigned pmap_state);
/* Milliseconds in a bucket so far. */
uint64_t time_use_ms(enum time_bucket b);
/* The summary's `time:` line: the TSC time since time_use_start() split
 * into the buckets, the rest (setup, idle, the loop, stats lines) last. */
void time_use_print(void);

#endif
