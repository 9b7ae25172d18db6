/* vmm/balloon/batch.h — checking a balloon batch before anything changes
 * (vmm/hypercall_abi.h §5; the batch is virtio-balloon's PFN array, one
 * guest page of 64-bit gfns). A guest writes the batch, so every field is
 * hostile until checked, and a batch is refused whole: memvisor never
 * frees half a batch and then finds the other half bad.
 *
 *   header:  0 < count <= HC_BALLOON_BATCH_MAX, batch gpa page-aligned and
 *            inside the VM                        (before the batch is read)
 *   gfns:    each inside the VM; inflate: PRIVATE or SHARED (holds a
 *            frame), deflate: BALLOONED; no gfn twice; inflate: the balloon
 *            stays within its cap
 *
 * Pure code (tests/unit runs it hosted): it reads the PMAP and nothing else.
 */
#ifndef MEMVISOR_VMM_BALLOON_BATCH_H
#define MEMVISOR_VMM_BALLOON_BATCH_H

#include "vmm/hypercall_abi.h"
#include "vmm/mm/pmap.h"

enum balloon_op { BALLOON_INFLATE, BALLOON_DEFLATE };

/* Why a batch was refused: the ABI error, the entry it concerns (or
 * BALLOON_NO_ENTRY for the header) and a phrase for the log. */
struct balloon_verdict {
	int error; /* 0 (accepted) or -HC_E_* */
	uint32_t entry;
	const char *why;
};
#define BALLOON_NO_ENTRY 0xffffffffu

/* Checks count and batch address against a VM of mem_bytes. */
void balloon_check_header(uint64_t batch_gpa, uint64_t count, uint64_t mem_bytes, struct balloon_verdict *v);

/* Checks each gfn for `op`. balloon_room: pages the balloon may still
 * take (its cap minus its size; ignored for deflate). `scratch` holds
 * count entries; the check sorts a copy of the gfns there to find
 * duplicates in O(n log n). */
void balloon_check_gfns(const struct pmap *pm, enum balloon_op op, const uint64_t *gfns, uint32_t count,
			uint64_t balloon_room, uint64_t *scratch, struct balloon_verdict *v);

#endif
