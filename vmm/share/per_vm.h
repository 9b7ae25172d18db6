/* vmm/share/per_vm.h — what page sharing keeps per VM (struct vm's `share`):
 * the settings from guests=NAME:SIZE:salt=N:share=off, where its scanner
 * stands, and its counts. vmm/guests_option.c sets the settings, vmm/share/
 * scan.c the scanner's place; the counts are counted where they happen. */
#ifndef MEMVISOR_VMM_SHARE_VM_H
#define MEMVISOR_VMM_SHARE_VM_H

#include "kernel/rate_limit.h"
#include "vmm/share/scan_order.h"

struct vm_share {
	bool off;      /* share=off: never scanned, never merged            */
	uint64_t salt; /* salt=N: shares only with VMs of the same salt      */
	struct scan_order order; /* this pass over its gfns                 */
	struct rate_limit rate;  /* pages per second it may be scanned      */
	uint64_t pages_scanned;  /* gfns the scanner looked at              */
	uint64_t full_scans;     /* passes over all of its gfns             */
	uint64_t merges;         /* its pages merged into shared frames     */
	uint64_t victims_merged; /* of those, reclaim victims (share_offer()) */
	uint64_t cow_breaks;     /* writes to its shared pages (copy or reown) */
};

#endif
