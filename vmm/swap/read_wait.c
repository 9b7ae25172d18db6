/* vmm/swap/read_wait.c — swap-in with the VM waiting off the CPU.
 *
 * A nested page fault on a SWAPPED gfn takes a fresh frame and queues a
 * read of the slot straight into it; the VM is marked waiting and the run
 * loop runs the others. At each scheduling point swap_poll() asks the
 * disk; when the read is over it is checked and the page brought back:
 *
 *   fault ──▶ queued ──▶ in flight ──▶ done ──swap_poll()──▶ checked:
 *   (frame)   (FIFO)     (DMA runs)    (result kept)    SWAPPED → PRIVATE,
 *                                                       slot freed, mapped,
 *                                                       the VM runnable
 *
 * The record of the read is the VM's (struct swap_wait, vmm/swap/
 * per_vm.h), not a PMAP state: until the check the gfn stays SWAPPED, and
 * that stays true — the slot is allocated and owned and holds the page —
 * so everything that looks at a SWAPPED gfn meanwhile is right without
 * knowing of the read: the invariant checker, swap_read() (a synchronous
 * read of the same slot), the clock (it takes only PRIVATE victims). Only
 * what ends the gfn's SWAPPED state must forget the read first, and both
 * ways go through swap.c: the VM's release (swap_release_gfn()) and the
 * balloon taking the gfn (swap_drop()) call swap_read_cancel(). A VM
 * waits for at most one read (it is not run meanwhile), so the queue
 * holds at most one per VM.
 *
 * The device takes one request at a time; the synchronous transfers
 * (swap-out's write, swap_read(), the boot's reads) first let the read in
 * flight end (swap_device_idle()) and leave its result to the next
 * swap_poll(), so that nothing but the run loop changes a PMAP entry
 * under the feet of the code that looked at it. */
#include "vmm/swap/internal.h"
#include "vmm/swap/swap.h"
#include "vmm/mm/fault_time.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/mm/memory.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mmu.h"
#include "kernel/panic.h"

static struct vm *queue[VM_MAX];
static unsigned queued;
static struct vm *in_flight;
static bool in_flight_done; /* its result, in_flight_rc, not acted on yet */
static int in_flight_rc;

bool swap_waiting(const struct vm *vm)
{
	return vm->swap.wait.waiting;
}

/* The slices every VM but `vm` has run (vmm/sched_per_vm.h): a wait
 * during which it grew is one the others used. */
static uint64_t others_slices(const struct vm *vm)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		n += &vms[i] == vm ? 0 : vms[i].sched.slices;
	return n;
}

int swap_read_queue(struct vm *vm, gfn_t gfn, uint64_t slot)
{
	struct swap_wait *w = &vm->swap.wait;
	ASSERT(!w->waiting && queued < VM_MAX);
	swap_check_owner(vm, gfn, slot);
	mfn_t f;
	if (vm_frame_alloc(&f))
		return -E_NO_MEMORY;
	*w = (struct swap_wait){ .waiting = true, .gfn = gfn, .slot = slot, .frame = f, .start_tsc = rdtsc(),
				 .others_slices = others_slices(vm) };
	queue[queued++] = vm;
	vm->swap.waits++;
	swap_poll(); /* an idle disk starts on it at once */
	return -E_AGAIN;
}

/* Asks the disk about the read in flight; with `wait`, until it is over. */
static void drive(bool wait)
{
	while (in_flight && !in_flight_done) {
		int rc = block_poll(swap_device);
		if (rc != -E_AGAIN) {
			in_flight_done = true;
			in_flight_rc = rc;
		} else if (!wait) {
			return;
		} else {
			cpu_pause();
		}
	}
}

void swap_device_idle(void)
{
	drive(true);
}

/* The first queued read to the disk. A refused submit (not expected: the
 * disk is idle and the slot in range) is a read error for that VM. */
static void start_next(void)
{
	while (!in_flight && queued) {
		struct vm *vm = queue[0];
		for (unsigned i = 1; i < queued; i++)
			queue[i - 1] = queue[i];
		queued--;
		struct swap_wait *w = &vm->swap.wait;
		struct block_request r = { .write = false, .sector = swap_slot_sector(w->slot), .pages = 1,
					   .page = { mfn_to_virt(w->frame) } };
		in_flight = vm;
		in_flight_done = false;
		int rc = block_submit(swap_device, &r);
		if (rc) {
			in_flight_done = true;
			in_flight_rc = rc;
		}
	}
}

/* The read of vm's page is over with `rc`: checked (a read error or a
 * page that came back different stops the VM, named), then the truth
 * (vm_memory_adopt(): PMAP → PRIVATE, frame table), the slot freed, the
 * nested mapping made so that the access the VM retries goes through,
 * and the VM runnable again. */
static void finish(struct vm *vm, int rc)
{
	struct swap_wait *w = &vm->swap.wait;
	w->waiting = false;
	vm->swap.waits_others_ran += others_slices(vm) != w->others_slices;
	if (swap_check_read(vm, w->gfn, w->slot, mfn_to_virt(w->frame), rc)) {
		vm_frame_free(w->frame);
		return;
	}
	vm_memory_adopt(vm, w->gfn, w->frame);
	swap_in_done(vm, w->slot, w->start_tsc);
	if (fault_time_on)
		fault_time_record(FAULT_SWAPPED, rdtsc() - w->start_tsc);
	/* A failure here (no memory for a table page) only costs the VM one
	 * more fault, which finds the gfn PRIVATE. */
	(void)backend->map(vm, w->gfn, w->frame, NPT_RWX);
}

void swap_poll(void)
{
	if (!swap_device)
		return;
	swap_out_flush(); /* victims batched by any caller go out before a guest runs */
	drive(false);
	if (in_flight && in_flight_done) {
		struct vm *vm = in_flight;
		in_flight = NULL;
		finish(vm, in_flight_rc);
	}
	start_next();
}

void swap_read_cancel(struct vm *vm, gfn_t gfn)
{
	struct swap_wait *w = &vm->swap.wait;
	if (!w->waiting || w->gfn.raw != gfn.raw)
		return;
	if (in_flight == vm) {
		drive(true); /* the frame is the disk's until the transfer ends */
		in_flight = NULL;
	} else {
		unsigned i = 0;
		while (i < queued && queue[i] != vm)
			i++;
		ASSERT(i < queued);
		for (; i + 1 < queued; i++)
			queue[i] = queue[i + 1];
		queued--;
	}
	vm_frame_free(w->frame);
	w->waiting = false;
}
