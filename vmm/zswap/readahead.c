/* vmm/zswap/readahead.c — swap-in readahead for a guest that reads its
 * compressed pages in order (see zswap.h, zswap_readahead()).
 *
 * A guest walking its memory from low to high gfns (a copy, a checksum,
 * an OS zeroing or scanning its free pages) faults on each compressed page
 * in turn (up or down): one exit per page, and an exit costs more than the
 * decompression (under an emulator, several times more: QEMU refills its
 * software TLB after each world switch). A stream is two faults in a
 * row on consecutive compressed gfns, either way; then the pages after
 * the faulting one, in the stream's direction, are decompressed and
 * mapped too, the window doubling while the
 * stream goes on (2, 4, ... READAHEAD_MAX pages), as Linux's swap
 * readahead does (mm/swap_state.c). A fault anywhere else ends the
 * stream. A page read ahead but never used is reclaimed again like any
 * other: its accessed bit stays clear, so the clock finds it cold. */
#include "vmm/zswap/zswap.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/mm/memory.h"
#include "kernel/lab.h"

/* The largest window. 16 read too far past the end of short streams (a
 * hot set of 32 pages read in order): the pages after it came back for
 * nothing and held frames the VM's neighbours were entitled to. */
#define READAHEAD_MAX 8
/* Frames readahead leaves free for faults that must be served: it is a
 * bet, and never the reason another VM waits. */
#define READAHEAD_KEEP_FREE READAHEAD_MAX

#define NO_GFN UINT64_MAX

/* LAB 5.3 zswap: design swap-in readahead from its specification
 * (docs/labs/5-zswap.md, Exercise 5.3): what to remember between faults
 * (struct vm_zswap's ra_up, ra_down, ra_window), when a fault continues a
 * stream, the window, what stops it, what to count. Helpers of your own
 * go here too. */

/* Reads ahead up to `window` pages from gfn in direction step (+1 or -1);
 * returns the gfn after the last one it looked at. */
static uint64_t read_ahead(struct vm *vm, uint64_t gfn, int64_t step, uint64_t window)
{
	uint64_t g = gfn + (uint64_t)step;
	for (uint64_t n = 0; n < window && g < vm->pmap.npages; n++, g += (uint64_t)step) {
		pmap_entry_t e;
		pmap_get(&vm->pmap, (gfn_t){ g }, &e);
		if (pmap_entry_state(e) != PMAP_COMPRESSED || guest_frames_free_count() <= READAHEAD_KEEP_FREE ||
		    vm_memory_at_limit(vm))
			break;
		mfn_t f;
		if (zswap_swap_in(vm, (gfn_t){ g }, &f))
			break; /* no frame, or damaged: the VM is stopped, saying which */
		backend->map(vm, (gfn_t){ g }, f, NPT_RWX); /* failed: a fault maps it */
		vm->zswap.readahead++;
	}
	return g; /* past the end (or below gfn 0, wrapped): no fault will match */
}

void zswap_readahead(struct vm *vm, gfn_t gfn)
{
	struct vm_zswap *z = &vm->zswap;
	int64_t step = gfn.raw == z->ra_up ? 1 : gfn.raw == z->ra_down ? -1 : 0;
	if (!step) { /* not where a stream was going: none yet, or a new one */
		z->ra_window = 0;
		z->ra_up = gfn.raw + 1;
		z->ra_down = gfn.raw ? gfn.raw - 1 : NO_GFN;
		return;
	}
	z->ra_window = z->ra_window ? MIN(z->ra_window * 2, READAHEAD_MAX) : 2;
	uint64_t next = read_ahead(vm, gfn.raw, step, z->ra_window);
	z->ra_up = step > 0 ? next : NO_GFN;
	z->ra_down = step < 0 ? next : NO_GFN;
}
/* LAB 5.3 end. The skeleton has instead:
 *	void zswap_readahead(struct vm *vm, gfn_t gfn)
 *	{
 *		(void)vm, (void)gfn;
 *		(void)LAB_TODO("zswap", "zswap_readahead: no readahead yet, one fault per compressed page");
 *	}
 */
