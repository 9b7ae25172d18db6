/* vmm/share/cow.h — page sharing's part in the fault path and the release
 * (vmm/mm/memory.c, the one place below sharing that calls it: the
 * dispatch on a PMAP entry's state). */
#ifndef MEMVISOR_VMM_SHARE_COW_H
#define MEMVISOR_VMM_SHARE_COW_H

#include "vmm/vm.h"

/* Copy-on-write: a write to a SHARED gfn. 0 with its private frame in
 * *out (its nested mapping dropped), or -E_NO_MEMORY. */
int share_cow(struct vm *vm, gfn_t gfn, mfn_t *out);
/* True if a fault at gfn can only be a write: the nested tables already
 * map it read-only to its shared frame (e.g. the CPU setting a dirty bit
 * in a guest page table that is shared). */
bool share_fault_is_write(struct vm *vm, gfn_t gfn);
/* vm_memory_release() for a SHARED gfn: drops it from the frame, which
 * goes back with its last user. */
void share_release_gfn(struct vm *vm, gfn_t gfn, mfn_t f);

#endif
