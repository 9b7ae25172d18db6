/* kernel/mem.h — the machine's memory: the frame allocator built from the
 * boot memory map, and the reserved compressed-swap region (kernel/mem.c). */
#ifndef MEMVISOR_MEM_H
#define MEMVISOR_MEM_H

#include "kernel/boot_info.h"
#include "kernel/frames.h"

extern struct frame_alloc machine_frames;

struct mem_region {
	mpa_t start;
	uint64_t bytes;
};

/* The compressed swap area's reserved RAM (bytes = 0 when zswap=0). */
extern struct mem_region zswap_region;

/* Linker symbols (linker.ld): the kernel image, identity-mapped. */
extern char _kernel_start[], _kernel_end[];

void mem_init(const struct boot_info *bi);
void mem_reserve_zswap(uint64_t bytes);

/* Allocates and zeroes one frame; panics when none is left (boot only). */
mfn_t mem_alloc_zeroed_frame(void);
/* Allocates and zeroes one frame: 0, or -E_NO_MEMORY. */
int mem_try_alloc_zeroed(mfn_t *out);
/* Contiguous frames with every bit set: the I/O and MSR permission maps of
 * both backends, so that every port and every MSR access exits and the
 * core decides. 0 or -E_NO_MEMORY. */
int mem_alloc_all_ones(unsigned pages, mpa_t *out);
/* Returns a frame to the allocator; panics on a double free (a bug). */
void mem_free_frame(mfn_t f);
/* Contiguous frames for `bytes` (whole pages, not zeroed) of memvisor's own
 * tables: *out = their direct-map address. 0 or -E_NO_MEMORY. */
int mem_alloc_bytes(uint64_t bytes, void **out);
/* Returns what mem_alloc_bytes(bytes, &p) gave. */
void mem_free_bytes(void *p, uint64_t bytes);

#endif
