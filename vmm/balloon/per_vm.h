/* vmm/balloon/per_vm.h — what the balloon (vmm/balloon/balloon.h) keeps per
 * VM (struct vm's `balloon`): data only, for vmm/vm.h to embed. */
#ifndef MEMVISOR_VMM_BALLOON_PER_VM_H
#define MEMVISOR_VMM_BALLOON_PER_VM_H

#include "kernel/types.h"

/* Per VM. Counts are in 4 KiB pages unless they say otherwise. */
struct vm_balloon {
	uint64_t target;      /* pages the balloon is asked to hold          */
	uint64_t inflated;    /* pages accepted by inflates, in all          */
	uint64_t deflated;    /* pages given back by deflates, in all        */
	uint64_t released;    /* machine frames inflates freed: fewer than
	                         inflated when some pages were shared        */
	uint64_t compressed_dropped; /* inflated pages that were compressed:
	                         their compressed copies were dropped        */
	uint64_t rejected;    /* batches refused (each a whole batch)        */
	uint64_t touched;     /* ballooned pages the guest touched anyway    */
	uint64_t guest_free;  /* the guest's last HC_BALLOON_STATS: its free
	                         pages, and the pages its allocator manages  */
	uint64_t guest_total;
	uint64_t polls;       /* HC_BALLOON_TARGET calls: 0 = no driver      */
};

#endif
