/* vmm/mm/memory.h — guest memory through the PMAP: demand allocation, copies
 * to and from guest-physical addresses, and giving it all back. */
#ifndef MEMVISOR_VMM_MEMORY_H
#define MEMVISOR_VMM_MEMORY_H

#include "vmm/vm.h"

/* Machine frames holding guest contents, against the budget guest_mem=
 * sets (docs/design.md, "Memory states and the policy": the policy's free
 * memory is budget - used). PMAPs,
 * nested tables and VMCBs are memvisor's own overhead and not counted. */
struct guest_frames {
	uint64_t budget; /* frames the guests may hold in all */
	uint64_t used;   /* frames they hold now              */
};
extern struct guest_frames guest_frames;

/* What counts against the budget: the frames holding guest pages, plus
 * the pages of the compressed swap area in use (its zspages, fragmentation
 * included). A compressed page thus costs its share of a zspage, not
 * nothing: compression frees about half a frame per page, as it should. */
uint64_t guest_frames_charged(void);
/* The budget less what is charged (0 when over it). */
uint64_t guest_frames_free(void);

/* Every frame that will hold guest contents comes from here, zeroed.
 * Returns 0, or -E_NO_MEMORY when the budget (or the machine) is spent. */
int vm_frame_alloc(mfn_t *out);
void vm_frame_free(mfn_t f);

/* Allocates the VM's PMAP (all UNTOUCHED) and its nested page tables. */
int vm_memory_init(struct vm *vm);
/* Frees every frame the VM holds, its nested tables and its PMAP. */
void vm_memory_release(struct vm *vm);

/* A nested page fault at gpa: make the PMAP entry resident and map it.
 * Returns 0, or -E_RANGE (outside the VM) / -E_NO_MEMORY. */
int vm_memory_fault(struct vm *vm, uint64_t gpa, bool write);

/* Copy between the host and guest-physical memory. A read leaves the
 * PMAP as it is: an untouched page reads as its first touch would fill it
 * (the image's bytes, or zeros), a ballooned one as zeros, a compressed
 * one from the swap area. Writes allocate. -E_RANGE if any byte lies
 * outside. */
int vm_gpa_read(struct vm *vm, uint64_t gpa, void *buf, uint64_t len);
int vm_gpa_write(struct vm *vm, uint64_t gpa, const void *buf, uint64_t len);

#endif
