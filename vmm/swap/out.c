/* vmm/swap/out.c — swap-out of a PRIVATE gfn (swap_out_gfn(), swap.h):
 * the page unmapped, given a slot of the cluster and made SWAPPED; the
 * write and the frame's free are cluster.c's. Apart from swap.c so that it
 * builds on the host too (tests/unit/test_swap_out.c: fakes record the
 * order of the calls). */
#include "vmm/swap/swap.h"
#include "vmm/swap/internal.h"
#include "vmm/mm/frame_table.h"
#include "vmm/mm/guest_frames.h" /* vm_frame_free(): not here, cluster.c frees after the write */
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/lab.h"
#include "kernel/panic.h"

/* Swap-out, in zswap_compress_gfn()'s order, the write itself batched
 * with the other victims of the same clock pass (cluster.c):
 *  1. unmap and flush: the guest can no longer change the frame, so what
 *     is written is what the page holds (AMD APM Vol. 2 15.16.1 TLB
 *     control, Intel SDM Vol. 3C 29.4.3.1 INVEPT: a cached translation
 *     outlives the entry until flushed);
 *  2. a slot of the cluster, its owner recorded (the page's checksum is
 *     computed when the cluster goes out, while the disk moves it);
 *  3. PMAP PRIVATE → SWAPPED(slot): the truth now names the disk (every
 *     reader of a SWAPPED gfn writes the cluster out first);
 *  4. the frame table's user dropped; the frame is freed once the
 *     cluster is written — before any guest runs again (a write error
 *     brings the gfn back as PRIVATE in the same frame and retires the
 *     slot: nothing lost). */
int swap_out_gfn(struct vm *vm, gfn_t gfn)
{
	pmap_entry_t e;
	int found = pmap_get(&vm->pmap, gfn, &e);
	ASSERT(found == 0 && pmap_entry_state(e) == PMAP_PRIVATE);
	uint64_t start = rdtsc(), slot;
	/* LAB 7.1 host-swap: the page's way out, in the order that keeps the
	 * rules. Take the cluster's next slot first (swap_cluster_slot(); no
	 * device or no slot: -E_FULL, nothing touched). Then unmap the gfn
	 * and flush (backend->unmap, backend->flush): from here on the guest
	 * cannot change what will be written. Record the slot's owner
	 * (swap_slot_take()), make the truth say SWAPPED(slot)
	 * (pmap_set_swapped()), drop the frame table's user
	 * (frame_table_remove_user(), its result must be 0 users left), and
	 * hand (vm, gfn, frame, slot) to the cluster (swap_cluster_add(),
	 * `rdtsc() - start` the time so far). Do not free the frame here:
	 * the cluster writes it and frees it after the write. The skeleton
	 * answers -E_FULL, as a disk with no room: every page stays. */
	if (!swap_device || swap_cluster_slot(&slot))
		return -E_FULL;
	mfn_t f = pmap_entry_mfn(e);
	backend->unmap(vm, gfn); /* -E_NOT_FOUND when the cache lacked it: fine */
	backend->flush(vm);
	swap_slot_take(slot, vm, gfn);
	int set = pmap_set_swapped(&vm->pmap, gfn, slot);
	ASSERT(set == 0);
	int users = frame_table_remove_user(&frame_table, f, vm->id, gfn);
	ASSERT(users == 0);
	swap_cluster_add(vm, gfn, f, slot, rdtsc() - start);
	return 0;
	/* LAB 7.1 end. The skeleton has instead:
	 *	(void)vm, (void)gfn, (void)e, (void)start, (void)slot;
	 *	LAB_TODO("host-swap", "swap_out_gfn");
	 *	return -E_FULL;
	 */
}
