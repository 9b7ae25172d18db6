/* vmm/swap/internal.h — what swap.c shares with read_wait.c, cluster.c
 * and check.c:
 * the device, a slot's sector, and the check of a page read back. Not for
 * use outside vmm/swap/. */
#ifndef MEMVISOR_VMM_SWAP_INTERNAL_H
#define MEMVISOR_VMM_SWAP_INTERNAL_H

#include "vmm/vm.h"
#include "kernel/block.h"

extern struct block_dev *swap_device;

/* Slot i lies after the header page. */
static inline uint64_t swap_slot_sector(uint64_t slot)
{
	return (slot + 1) * BLOCK_SECTORS_PER_PAGE;
}

/* gfn's slot is allocated and owned by (vm, gfn): else a panic, the PMAP
 * and the slot table disagree. */
void swap_check_owner(struct vm *vm, gfn_t gfn, uint64_t slot);
/* After a read of gfn's slot into `page` that ended with `rc`: 0 when it
 * succeeded and the page's checksum is the one written; else the VM is stopped,
 * named, and -E_IO or -E_CORRUPT. */
int swap_check_read(struct vm *vm, gfn_t gfn, uint64_t slot, const void *page, int rc);
/* The slot given back once the page is PRIVATE again, its swap-in counted. */
void swap_in_done(struct vm *vm, uint64_t slot, uint64_t start_tsc);

/* The slot table, for cluster.c: a run of free slots allocated
 * (swap_slots_alloc_run()), a slot's owner and the checksum of the page
 * written there recorded, a slot given back or retired. */
uint64_t swap_slot_alloc_run(uint64_t max, uint64_t *first);
void swap_slot_take(uint64_t slot, struct vm *vm, gfn_t gfn);
void swap_slot_sum(uint64_t slot, const void *page);
void swap_slot_free(uint64_t slot);
/* A write of gfn's page to its (allocated) slot failed: the slot retired,
 * never used again, the error counted and logged. */
void swap_slot_write_failed(struct vm *vm, gfn_t gfn, uint64_t slot);

/* cluster.c: the victims of one clock pass written in one request. The
 * next slot of the cluster (a new run of slots once it is used up):
 * 0, or -E_FULL when the disk has none. */
int swap_cluster_slot(uint64_t *slot);
/* The gfn, already SWAPPED to `slot`, whose frame `f` is to be written
 * there and then freed; `ticks` its swap-out's own time so far. The
 * cluster goes out when it is full. */
void swap_cluster_add(struct vm *vm, gfn_t gfn, mfn_t f, uint64_t slot, uint64_t ticks);
/* Slots of the cluster's run not handed out yet (allocated, no owner). */
uint64_t swap_cluster_reserved(void);

/* read_wait.c: the swap-in that waits off the CPU. The read of gfn's slot
 * queued into a fresh frame: -E_AGAIN (the VM now waits), or
 * -E_NO_MEMORY (no frame: it waits for memory). */
int swap_read_queue(struct vm *vm, gfn_t gfn, uint64_t slot);
/* The device free for a synchronous transfer: a read in flight is driven
 * to its end, its result kept for swap_poll(). */
void swap_device_idle(void);
/* The VM's read, if it waits for one of gfn, forgotten: taken off the
 * queue, or, in flight, waited for; its frame freed. */
void swap_read_cancel(struct vm *vm, gfn_t gfn);

#endif
