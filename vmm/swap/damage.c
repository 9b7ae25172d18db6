/* vmm/swap/damage.c — the monitor's `swap damage VM [GFN]`: one bit of a
 * swapped-out page flipped on the disk itself, so that its next swap-in
 * finds the page changed (its checksum, checksum.h, is not the one
 * written) and stops that VM, named, while the others go on — the check
 * seen working, as `zswap damage` shows it for the compressed area. */
#include "vmm/swap/internal.h"
#include "vmm/swap/swap.h"
#include "kernel/errno.h"

#define DAMAGE_BYTE 1234 /* which byte of the page, and which bit: any would do */
#define DAMAGE_BIT 0x10

static uint8_t page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

int swap_damage(struct vm *vm, gfn_t gfn, uint64_t *slot)
{
	pmap_entry_t e;
	swap_out_flush(); /* a gfn still in the cluster: on disk first */
	if (pmap_get(&vm->pmap, gfn, &e) || pmap_entry_state(e) != PMAP_SWAPPED)
		return -E_NOT_FOUND;
	if (swap_waiting(vm) && vm->swap.wait.gfn.raw == gfn.raw)
		return -E_BUSY; /* its read is queued or in flight: it would not see the damage */
	*slot = pmap_entry_slot(e);
	swap_check_owner(vm, gfn, *slot);
	swap_device_idle();
	uint64_t sector = swap_slot_sector(*slot);
	if (block_read_page(swap_device, sector, page))
		return -E_IO;
	page[DAMAGE_BYTE] ^= DAMAGE_BIT;
	return block_write_page(swap_device, sector, page) ? -E_IO : 0;
}
