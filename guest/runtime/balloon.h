/* guest/runtime/balloon.h — the balloon driver, the guest's side of
 * vmm/hypercall_abi.h §5 (docs/background.md,
 * "Ballooning": ESX's vmmemctl; the batches and the deflate-on-OOM are
 * virtio-balloon's).
 *
 * memvisor never interrupts a guest, so the driver has no thread and no
 * timer: a workload that wants to be ballooned calls balloon_init() once
 * and balloon_poll() from its loops and any idle loop, often — at least
 * every ~10 ms of work, as often as a timer tick would come. Each poll
 * asks the target (one hypercall) and moves the balloon toward it by at
 * most BALLOON_POLL_BATCHES batches, so the workload goes on running while
 * a large target is reached.
 *
 *   inflate  pages from frame_alloc() (what the guest can spare: never its
 *            last BALLOON_RESERVE_PAGES), each touched first — memvisor
 *            takes only pages that hold a frame — then their gfns go over
 *            one page of gfns at a time (HC_BALLOON_INFLATE). The pages
 *            stay allocated and unused: pinned.
 *   deflate  gfns go back (HC_BALLOON_DEFLATE), the pages return to
 *            frame_alloc(); they read as zeros.
 *   short    when frame_alloc() finds no free frame, the driver deflates
 *            BALLOON_OOM_PAGES at once, whatever the target (frames.h's
 *            shortage handler): the guest's own needs come first.
 *   stats    whenever its count of free pages changed, the driver reports
 *            it (HC_BALLOON_STATS), as virtio-balloon's stats queue does.
 *
 * Which gfns the balloon holds is a bitmap, one bit per guest frame,
 * mapped at BALLOON_BITMAP_GVA.
 */
#ifndef GUEST_BALLOON_H
#define GUEST_BALLOON_H

#include "env.h"

#define BALLOON_BITMAP_GVA 0x0000600000000000ull /* PML4 slot 192 */
#define BALLOON_RESERVE_PAGES 64  /* inflating never takes the last 256 KiB */
#define BALLOON_POLL_BATCHES 4    /* batches one poll may send            */
#define BALLOON_OOM_PAGES 256     /* virtio-balloon's VIRTIO_BALLOON_OOM_NR_PAGES */

struct balloon_counts {
	uint64_t size;         /* pages in the balloon now               */
	uint64_t target;       /* as last polled                         */
	uint64_t inflated;     /* pages given to memvisor, in all        */
	uint64_t deflated;     /* pages taken back, in all               */
	uint64_t oom_deflated; /* of those, taken back because short     */
	uint64_t refused;      /* batches memvisor refused               */
	uint64_t polls;
};

/* Maps the bitmap and hooks frame_alloc(). Under no hypervisor the driver
 * stays off and balloon_poll() does nothing. Returns 0 or -E_NO_MEMORY. */
int balloon_init(const struct guest_env *env);
/* Asks the target and moves toward it (bounded work); reports free pages. */
void balloon_poll(void);
/* True when the balloon is where it can be for now: at its target, or
 * unable to move (memvisor refused, or nothing left to spare). */
bool balloon_settled(void);
void balloon_get_counts(struct balloon_counts *out);

#endif
