/* vmm/swap/swap.h — host swap: the last level of reclamation, after
 * sharing, the balloon and compression (docs/background.md: pages that do
 * not compress to half a page "are written out to host-level swap file").
 *
 * A disk carrying tools/mkswap's header (header.h) is the swap device;
 * each 4 KiB slot after the header holds one guest page, named by the
 * gfn's PMAP entry (SWAPPED, slot). For each slot the page's checksum
 * (checksum.h) and its owner (VM, gfn) stay in memory: a page read back
 * is checked against both before the guest sees it.
 *
 *   swap out  (a victim of zswap's clock the compressor rejected, or that
 *             no longer fits in the area):  unmap + flush, write the slot,
 *             PRIVATE → SWAPPED(slot), drop the frame table's user, free
 *             the frame — truth first, cache next, frame last, as zswap.
 *   swap in   (make_resident(), the fault path): a fresh frame, read the
 *             slot, check the checksum, SWAPPED → PRIVATE, frame table, free
 *             the slot.
 *
 * With bus-master DMA (kernel/ata_dma.c) a swap-in's read runs while the
 * faulting VM waits off the CPU and the others run (read_wait.c); the
 * writes, and everything with PIO, wait for the disk.
 */
#ifndef MEMVISOR_VMM_SWAP_H
#define MEMVISOR_VMM_SWAP_H

#include "vmm/vm.h"

/* swap= read: true for auto, false for off; anything else is an option
 * error (status 2), found before any guest is created. */
bool swap_option_on(void);
/* swap_io= read: true for dma, false for pio; anything else is an option
 * error (status 2), found before any guest is created. */
bool swap_io_dma(void);
/* Checks swap=, finds the disks, and takes the first with a valid header
 * as the swap device; every other disk is left untouched, with a line
 * saying why and how to make one. */
void swap_init(void);
/* A swap device is in use. */
bool swap_enabled(void);
/* A swap device with a free slot: a victim can go to disk. */
bool swap_has_room(void);
uint64_t swap_slots_total(void);
uint64_t swap_slots_used(void);
/* Slots retired after a failed write: never used again. */
uint64_t swap_slots_retired_count(void);
/* Reads and writes of slots that failed, every VM's together. */
uint64_t swap_errors(void);
const char *swap_device_name(void);

/* Swaps out a PRIVATE gfn: SWAPPED at once, written with the other
 * victims of the pass by swap_out_flush(). 0; -E_FULL (no device, or no
 * free slot) leaves the gfn as it was. A write error brings it back
 * PRIVATE in its frame (nothing lost) and retires the slot. */
int swap_out_gfn(struct vm *vm, gfn_t gfn);
/* Writeback: a COMPRESSED gfn whose page (decompressed by zswap_read())
 * is `page` goes to a slot, COMPRESSED → SWAPPED; the caller then frees
 * its object with zswap_drop(). 0; -E_FULL or -E_IO (the slot retired)
 * leave it COMPRESSED. */
int swap_write_back(struct vm *vm, gfn_t gfn, const void *page);
/* Writes the victims batched since the last call (vmm/swap/cluster.c) in
 * one request, then frees their frames; the run loop calls it after the
 * policy's clock pass, before any guest runs. */
void swap_out_flush(void);
/* The monitor's counts of write requests and the pages they carried. */
uint64_t swap_write_requests(void);
uint64_t swap_write_pages(void);
/* The fault path's SWAPPED case. With DMA: the read queued into a fresh
 * frame, -E_AGAIN, and the VM waits off the CPU until swap_poll() has
 * brought the page back (or stopped the VM, named, for a read error or a
 * page that came back different). With PIO: the page in a fresh frame,
 * *out, 0; -E_IO or -E_CORRUPT after the VM was stopped. Both:
 * -E_NO_MEMORY (no frame: the VM waits for memory). */
int swap_in(struct vm *vm, gfn_t gfn, mfn_t *out);
/* The VM waits off the CPU for a swap-in's read (vmm/swap/read_wait.c):
 * the run loop does not run it. */
bool swap_waiting(const struct vm *vm);
/* A scheduling point: the victims batched for the disk written, a read
 * that is over checked and its page brought back (the VM runnable
 * again), the next queued read started. */
void swap_poll(void);
/* swap_in() for a copy into guest memory (vm_gpa_write()), which cannot
 * wait off the CPU: the page read at once, waiting for the disk (a read
 * the VM was waiting for, of this gfn, is forgotten). As swap_in() with
 * PIO. */
int swap_in_now(struct vm *vm, gfn_t gfn, mfn_t *out);
/* A read of a SWAPPED gfn that leaves it on disk: *page points at a copy
 * valid until the next call. 0, or -E_IO/-E_CORRUPT (the VM stopped). */
int swap_read(struct vm *vm, gfn_t gfn, const uint8_t **page);
/* The gfn's slot freed as its VM is released: SWAPPED → UNTOUCHED. */
void swap_release_gfn(struct vm *vm, gfn_t gfn);
/* The balloon took a SWAPPED gfn (already BALLOONED in the PMAP, entry
 * `e` as it was): its slot is freed. */
void swap_drop(struct vm *vm, gfn_t gfn, pmap_entry_t e);

/* The monitor's `swap out VM N` (out_now.c): up to `count` of the VM's
 * PRIVATE pages, lowest gfn first, to disk now. Returns how many went. */
struct swap_out_now_report {
	uint64_t written;      /* pages now SWAPPED                          */
	uint64_t write_errors; /* writes that failed (slot retired, page kept) */
	bool disk_full;        /* stopped early: no free slot                */
};
uint64_t swap_out_now(struct vm *vm, uint64_t count, struct swap_out_now_report *r);
/* The monitor's `swap damage VM [GFN]` (damage.c): one bit of the gfn's
 * page flipped in its slot on disk; its next swap-in stops the VM. 0 and
 * the slot; -E_NOT_FOUND when the gfn is not SWAPPED, -E_BUSY while its
 * read is under way, -E_IO when the disk refused. */
int swap_damage(struct vm *vm, gfn_t gfn, uint64_t *slot);

typedef void (*swap_violation_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* vmm/swap/check.c: every SWAPPED entry's slot is allocated and owned by
 * exactly that (VM, gfn); no allocated slot without such an entry. */
void swap_check_invariants(swap_violation_fn violation);
/* The monitor's `swap`: the device, slots used per VM. */
void swap_print(void);

/* For check.c: the owner recorded for a slot (0: none). */
uint64_t swap_slot_owner(uint64_t slot);
bool swap_slot_allocated(uint64_t slot);
#define SWAP_OWNER(vm_id, gfn) ((uint64_t)(vm_id) << 48 | (gfn))

#endif
