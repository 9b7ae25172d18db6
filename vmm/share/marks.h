/* vmm/share/marks.h — which machine frames sharing's table may name: one bit
 * per mfn, set when a merge makes a frame shared, cleared when the frame
 * leaves the table. It lets a path that frees a frame without knowing
 * whether it was shared (balloon inflate: vmm/balloon/balloon.c) take it
 * out of the table in O(1), instead of hashing every frame it frees. */
#ifndef MEMVISOR_VMM_SHARE_MARKS_H
#define MEMVISOR_VMM_SHARE_MARKS_H

#include "kernel/types.h"

/* Bytes of marks for nframes machine frames. */
uint64_t share_marks_bytes(uint64_t nframes);
/* The marks live at `bits` (share_marks_bytes(nframes), zeroed). */
void share_marks_init(uint64_t *bits, uint64_t nframes);
void share_mark(mfn_t f, bool shared);
bool share_marked(mfn_t f);

/* A guest frame is about to go back to the machine (vm_frame_free()) on a
 * path that does not know sharing: if sharing's table names it, it leaves
 * the table first, so that no later merge maps it. */
void share_frame_freed(mfn_t f);

#endif
