/* vmm/swap/cluster.c — slot clusters: the victims one clock pass sends to
 * disk go to consecutive slots and out in one write request.
 *
 *   swap_out_gfn()  ──▶ next slot of the run ──▶ batch: (vm, gfn, frame)
 *        ...                                        │ full, or
 *   swap_out_flush() ◀──────────────────────────────┘ the run loop after the pass
 *        one WRITE DMA EXT of n pages (n PRD entries) at the run's first slot,
 *        each page's checksum computed while the disk moves them, then
 *        each frame freed; unused slots of the run given back
 *
 * The gfns are SWAPPED from the moment they join the batch; nothing reads
 * a slot before the batch is written, as every reader of a SWAPPED gfn
 * (swap_in(), swap_read(), release, the balloon) calls swap_out_flush()
 * first, and no guest runs until the run loop has. A write error: each
 * page written again alone; one that still fails comes back PRIVATE in
 * its own frame (vm_memory_adopt()) and its slot is retired. */
#include "vmm/swap/internal.h"
#include "vmm/swap/bench.h"
#include "vmm/swap/swap.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/mm/memory.h"
#include "kernel/errno.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/panic.h"

struct victim {
	struct vm *vm;
	gfn_t gfn;
	mfn_t frame;
};

static struct {
	uint64_t first, len; /* the run of slots allocated: [first, first + len) */
	unsigned n;          /* victims in it so far: slots first .. first + n - 1 */
	struct victim v[BLOCK_REQUEST_PAGES];
	uint64_t ticks;      /* the victims' swap-out time so far */
} batch;

static uint64_t requests, pages; /* write requests and the pages they carried */

uint64_t swap_write_requests(void)
{
	return requests;
}

uint64_t swap_write_pages(void)
{
	return pages;
}

uint64_t swap_cluster_reserved(void)
{
	return batch.len - batch.n;
}

int swap_cluster_slot(uint64_t *slot)
{
	if (batch.n == batch.len) {
		swap_out_flush();
		batch.len = swap_slot_alloc_run(BLOCK_REQUEST_PAGES, &batch.first);
		if (!batch.len)
			return -E_FULL;
	}
	*slot = batch.first + batch.n;
	return 0;
}

void swap_cluster_add(struct vm *vm, gfn_t gfn, mfn_t f, uint64_t slot, uint64_t ticks)
{
	ASSERT(slot == batch.first + batch.n && batch.n < batch.len);
	batch.v[batch.n++] = (struct victim){ vm, gfn, f };
	batch.ticks += ticks;
	if (batch.n == batch.len)
		swap_out_flush();
}

/* The victim's page is on disk: its frame freed, its swap-out counted. */
static void written(struct victim *v)
{
	vm_frame_free(v->frame);
	v->vm->swap.outs++;
	pages++;
}

/* The request failed somewhere in its run, and a disk names no more than
 * the first bad sector: each page is written again alone. One that goes
 * is on disk; one that fails again comes back, PRIVATE in its frame
 * (vm_memory_adopt(), as a swap-in would), and its slot is retired — the
 * sector may be bad — so nothing is lost and no bad slot is used again. */
static void write_one_by_one(void)
{
	for (unsigned i = 0; i < batch.n; i++) {
		struct victim *v = &batch.v[i];
		uint64_t slot = batch.first + i;
		requests++;
		if (!block_write_page(swap_device, swap_slot_sector(slot), mfn_to_virt(v->frame))) {
			written(v);
			continue;
		}
		vm_memory_adopt(v->vm, v->gfn, v->frame); /* SWAPPED → PRIVATE */
		swap_slot_write_failed(v->vm, v->gfn, slot);
	}
}

void swap_out_flush(void)
{
	uint64_t start = rdtsc();
	for (uint64_t s = batch.first + batch.n; s < batch.first + batch.len; s++)
		swap_slot_free(s); /* the run's slots no victim took */
	batch.len = batch.n;
	if (!batch.n)
		return;
	struct block_request r = { .write = true, .sector = swap_slot_sector(batch.first), .pages = batch.n };
	for (unsigned i = 0; i < batch.n; i++)
		r.page[i] = mfn_to_virt(batch.v[i].frame);
	swap_device_idle();
	requests++;
	int rc = block_submit(swap_device, &r);
	/* The checksums while the disk moves the pages (DMA): nothing writes
	 * the frames now — the guest's mappings are gone and flushed — so the
	 * CPU reads what the disk does. Half of a victim's CPU time, taken
	 * off the swap-out's path where the disk is slower than the sums. */
	for (unsigned i = 0; i < batch.n; i++)
		swap_slot_sum(batch.first + i, mfn_to_virt(batch.v[i].frame));
	if (!rc)
		rc = block_wait(swap_device);
	if (rc) {
		write_one_by_one();
	} else {
		for (unsigned i = 0; i < batch.n; i++)
			written(&batch.v[i]);
		uint64_t each = (batch.ticks + rdtsc() - start) / batch.n;
		for (unsigned i = 0; options.swap_bench && i < batch.n; i++)
			swap_bench_count_out(each);
	}
	batch.n = batch.len = 0;
	batch.ticks = 0;
}
