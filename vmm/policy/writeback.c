/* vmm/policy/writeback.c — the area's oldest pages to disk (writeback.h). */
#include "vmm/policy/writeback.h"
#include "vmm/swap/swap.h"
#include "vmm/zswap/zswap.h"
#include "kernel/io.h"

/* One page; false when nothing more should be tried now: no compressed
 * page left, the disk full or failing (the page stays COMPRESSED: nothing
 * is lost), or the page was damaged (zswap_read() stopped the VM). */
static bool write_back_oldest(struct vm *vm)
{
	gfn_t gfn;
	pmap_entry_t e;
	const uint8_t *page;
	if (!zswap_oldest(vm, &gfn) || pmap_get(&vm->pmap, gfn, &e) || zswap_read(vm, gfn, &page))
		return false;
	if (swap_write_back(vm, gfn, page))
		return false;
	zswap_drop(vm, gfn, e);
	return true;
}

uint64_t policy_write_back_if_full(struct vm *vm, uint64_t count, uint64_t deadline_tsc)
{
	uint64_t n = 0;
	if (!zswap_vm_full(vm))
		return 0;
	while (n < count && vm->state == VM_RUNNABLE && swap_has_room() && rdtsc() < deadline_tsc &&
	       write_back_oldest(vm))
		n++;
	return n;
}
