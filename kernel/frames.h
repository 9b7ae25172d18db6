/* kernel/frames.h — the machine-frame allocator: one bit per 4 KiB frame.
 *
 * Pure code over caller-provided storage (compiled hosted by tests/unit).
 * kernel/memmap.c builds the kernel's one allocator from the boot memory
 * map; everything else asks it for frames through frames_alloc() & co.
 *
 *   ram    bit mfn = 1 : the frame is RAM the allocator manages
 *   bitmap bit mfn = 1 : frame in use, or not managed RAM
 *   bitmap bit mfn = 0 : frame free
 * Keeping `ram` apart lets frames_free() refuse a frame it never gave out.
 */
#ifndef MEMVISOR_FRAMES_H
#define MEMVISOR_FRAMES_H

#include "kernel/types.h"

struct frame_alloc {
	uint64_t *bitmap; /* 1 = in use                                    */
	uint64_t *ram;    /* 1 = managed RAM                               */
	uint64_t nframes; /* the bitmap covers mfn 0 .. nframes-1          */
	uint64_t usable;  /* frames that are RAM the allocator may hand out */
	uint64_t free;    /* of those, how many are free now               */
	uint64_t hint;    /* where the next search starts (next fit)       */
};

/* Bytes of storage (both bitmaps) needed to cover nframes. */
uint64_t frames_bitmap_bytes(uint64_t nframes);

/* Starts with every frame in use; then release the RAM ranges. */
void frames_init(struct frame_alloc *fa, uint64_t *storage, uint64_t nframes);
/* Marks [first, first+count) free usable RAM (clipped to the bitmap). */
void frames_add_ram(struct frame_alloc *fa, mfn_t first, uint64_t count);
/* Takes [first, first+count) out of the managed RAM for good: firmware,
 * kernel image, modules, the bitmaps themselves. */
void frames_reserve(struct frame_alloc *fa, mfn_t first, uint64_t count);

/* Return 0 or -E_NO_MEMORY. */
int frames_alloc(struct frame_alloc *fa, mfn_t *out);
int frames_alloc_contig(struct frame_alloc *fa, uint64_t count, mfn_t *first);
/* Returns 0, -E_RANGE (not a frame of this allocator) or -E_DOUBLE_FREE. */
int frames_free(struct frame_alloc *fa, mfn_t f);
bool frames_is_free(const struct frame_alloc *fa, mfn_t f);

#endif
