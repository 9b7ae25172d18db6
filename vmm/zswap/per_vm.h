/* vmm/zswap/per_vm.h — what each VM keeps for the compressed swap area
 * (vmm/zswap/zswap.c, vmm/zswap/clock.c): its clock's per-gfn ages and hands,
 * the order its pages were compressed in, its share of the area, and its
 * counters. */
#ifndef MEMVISOR_VMM_ZSWAP_VM_H
#define MEMVISOR_VMM_ZSWAP_VM_H

#include "vmm/zswap/fifo.h"
#include "kernel/types.h"

struct vm_zswap {
	/* One byte per gfn (clock.c): how many aging sweeps in a row
	 * found the page not accessed, and whether it was found
	 * incompressible (skipped until it is written again). */
	uint8_t *age;
	/* Its COMPRESSED gfns in the order they went in (fifo.h): writeback
	 * takes the oldest. */
	struct zswap_fifo fifo;
	uint64_t age_hand;    /* next gfn the aging sweep looks at   */
	uint64_t victim_hand; /* next gfn the victim clock looks at  */
	bool no_accessed_bits; /* the backend cannot report them     */
	uint64_t swept_at_cpu; /* its sched.cpu_tsc at the last aging step */
	uint64_t bytes;       /* of the area, in its objects' class sizes: what the cap limits */
	uint64_t payload;     /* of which compressed data and values (for the ratio) */
	uint64_t same;        /* of its compressed pages, same-filled ones        */
	uint64_t stored;      /* pages stored compressed, in all                   */
	uint64_t stored_same; /* pages stored as their repeated value, in all      */
	uint64_t rejected;    /* attempts that compressed to over half a page      */
	uint64_t capped;      /* attempts refused: its share or the area was full  */
	uint64_t swapins;     /* pages brought back (read ahead ones too)          */
	uint64_t readahead;   /* of those, brought back ahead of a fault            */
	uint64_t ra_up, ra_down; /* readahead: the gfn a stream up or down would fault on next */
	uint64_t ra_window;   /* readahead: pages read ahead last time (0: none)    */
};

#endif
