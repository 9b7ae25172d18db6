/* vmm/policy/writeback.h — the compressed area's oldest pages written to
 * the swap disk when the area or a VM's share of it is full (ESX, in
 * docs/background.md, "Memory compression": "when the compression cache is
 * full the first memory compressed page will be decompressed and swapped
 * out"). The room it makes goes to the clock's new victims, more recently
 * used than the pages written back: the area keeps the pages most likely
 * to be wanted again, and the disk the ones idle longest.
 *
 *   COMPRESSED (oldest, zswap_oldest())
 *     ─zswap_read()─► decompressed and checked, into a buffer (no frame)
 *     ─swap_write_back()─► written to a slot, PMAP → SWAPPED(slot)
 *     ─zswap_drop()─► its object freed, last
 */
#ifndef MEMVISOR_VMM_POLICY_WRITEBACK_H
#define MEMVISOR_VMM_POLICY_WRITEBACK_H

#include "vmm/vm.h"

/* Up to `count` of the VM's oldest compressed pages to disk, when its
 * share or the area is full and the disk has room, until rdtsc() reaches
 * deadline_tsc (the background work's time: each page is a disk write);
 * how many went. */
uint64_t policy_write_back_if_full(struct vm *vm, uint64_t count, uint64_t deadline_tsc);

#endif
