/* vmm/mm/memory.h — guest memory through the PMAP: demand allocation, copies
 * to and from guest-physical addresses, and giving it all back. */
#ifndef MEMVISOR_VMM_MEMORY_H
#define MEMVISOR_VMM_MEMORY_H

#include "vmm/mm/guest_frames.h"
#include "vmm/vm.h"

/* Allocates the VM's PMAP (all UNTOUCHED) and its nested page tables. */
int vm_memory_init(struct vm *vm);
/* Frees every frame the VM holds, its nested tables and its PMAP. */
void vm_memory_release(struct vm *vm);

/* A nested page fault at gpa: make the PMAP entry resident and map it.
 * Returns 0, or -E_RANGE (outside the VM) / -E_NO_MEMORY. */
int vm_memory_fault(struct vm *vm, uint64_t gpa, bool write);

/* The VM's resident pages: its PRIVATE and SHARED gfns, what limit= and
 * reservation= count (vmm/policy/alloc.h; the stats' `granted`). */
uint64_t vm_memory_resident(const struct vm *vm);
/* True when it holds its limit: a fault that would add a resident page
 * then returns -E_NO_MEMORY (the VM waits) until the policy has reclaimed
 * from it. */
bool vm_memory_at_limit(const struct vm *vm);

/* The way back from every technique that took a page away (zswap, swap),
 * in the one safe order: a frame from the budget; `load` puts the
 * contents into it and checks them (nonzero: the frame is freed and that
 * is the result); only then the truth, PMAP → PRIVATE, and the frame
 * table. The caller frees its own copy (object, slot) after this, so the
 * PMAP never names something already gone; the nested mapping is
 * make_resident()'s, once all this is true. `where` is the copy's name
 * for `load` (a handle, a slot). */
int vm_memory_bring_back(struct vm *vm, gfn_t gfn, uint64_t where,
			 int (*load)(struct vm *vm, gfn_t gfn, uint64_t where, void *page), mfn_t *out);
/* vm_memory_bring_back()'s last step alone, for a frame from the budget
 * whose contents were loaded and checked meanwhile (swap's read while the
 * VM waits off the CPU, vmm/swap/read_wait.c): PMAP → PRIVATE, then the
 * frame table. */
void vm_memory_adopt(struct vm *vm, gfn_t gfn, mfn_t f);

/* Copy between the host and guest-physical memory. A read leaves the
 * PMAP as it is: an untouched page reads as its first touch would fill it
 * (the image's bytes, or zeros), a ballooned one as zeros, a compressed
 * one from the swap area. Writes allocate. -E_RANGE if any byte lies
 * outside. */
int vm_gpa_read(struct vm *vm, uint64_t gpa, void *buf, uint64_t len);
int vm_gpa_write(struct vm *vm, uint64_t gpa, const void *buf, uint64_t len);

#endif
