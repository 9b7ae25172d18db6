/* vmm/share/marks.c — the frames sharing's table may name (see marks.h). */
#include "vmm/share/marks.h"
#include "vmm/share/scan.h"
#include "kernel/mmu.h"

static uint64_t *marks;
static uint64_t marked_frames; /* frames the bitmap covers */

uint64_t share_marks_bytes(uint64_t nframes)
{
	return ALIGN_UP(nframes, 64) / 8;
}

void share_marks_init(uint64_t *bits, uint64_t nframes)
{
	marks = bits;
	marked_frames = nframes;
}

void share_mark(mfn_t f, bool shared)
{
	uint64_t bit = BIT(f.raw % 64);
	marks[f.raw / 64] = shared ? marks[f.raw / 64] | bit : marks[f.raw / 64] & ~bit;
}

bool share_marked(mfn_t f)
{
	return marks && f.raw < marked_frames && (marks[f.raw / 64] & BIT(f.raw % 64));
}

void share_frame_freed(mfn_t f)
{
	if (!share_marked(f))
		return;
	share_mark(f, false);
	/* Its table entry is keyed by (hash, salt): try the salt of each VM
	 * (there are few). */
	for (uint32_t i = 0; i < vm_count; i++)
		if (share_drop_frame(&share_engine, vms[i].share.salt, f))
			return;
}
