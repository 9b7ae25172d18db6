/* guest/runtime/frames.h — the guest's allocator of its own RAM, in 4 KiB
 * guest frames (gfn). It manages gpa [end of the image, memory size):
 *
 *   gpa 0        1 MiB        image end                    memory size
 *   | low memory |  the image  | bitmap | free frames ...  |
 *                               ^ frame_init() puts its one-bit-per-frame
 *                                 bitmap in the first free frames
 *
 * Frames come back as they are (not zeroed): under memvisor a never
 * touched frame reads as zero anyway, and memtest overwrites every byte.
 */
#ifndef GUEST_FRAMES_H
#define GUEST_FRAMES_H

#include "addr.h"

/* Manages [first, end), both rounded inward to whole frames.
 * Returns 0, or -E_NO_MEMORY if not even the bitmap fits. */
int frame_init(gpa_t first, gpa_t end);
/* The lowest free frame (paging.c relies on "lowest": see paging_init).
 * Returns 0 or -E_NO_MEMORY. */
int frame_alloc(gpa_t *out);
/* Returns 0, -E_RANGE (not one frame_alloc() hands out) or -E_DOUBLE_FREE. */
int frame_free(gpa_t frame);

/* When no frame is free, frame_alloc() calls this handler before it gives
 * up: one that can give frames back — the balloon driver deflating, as
 * virtio-balloon deflates on OOM — frees some with frame_free() and
 * returns how many. It is not called again while it runs (it may not need
 * frame_alloc() itself). NULL: no handler. */
typedef uint64_t (*frame_shortage_fn)(void);
void frame_set_shortage_handler(frame_shortage_fn fn);
uint64_t frame_count_free(void);
uint64_t frame_count_total(void); /* frames managed, bitmap included */

#endif
