/* vmm/swap/slots.h — which slots of the swap disk are in use: a bitmap, one
 * bit per 4 KiB slot, and a hand that goes round it so that consecutive
 * swap-outs land on consecutive slots. Runs of slots (clusters) are taken
 * at once so that several victims go out in one write request
 * (swap_slots_alloc_run()). Pure code over caller-provided storage
 * (tests/unit/test_swap_slots.c).
 *
 *   bitmap word w, bit b  <->  slot 64 * w + b      1 = allocated or retired
 *   retired word w, bit b <->  slot 64 * w + b      1 = retired
 *
 * A slot whose write failed is retired: the disk may have a bad sector
 * there, so it is never handed out again. It stays set in `bitmap` (the
 * search skips it as it skips an allocated one) and is counted apart.
 */
#ifndef MEMVISOR_VMM_SWAP_SLOTS_H
#define MEMVISOR_VMM_SWAP_SLOTS_H

#include "kernel/types.h"

struct swap_slots {
	uint64_t *bitmap;  /* SWAP_SLOTS_WORDS(count) words   */
	uint64_t *retired_map; /* as many words: retired slots */
	uint64_t count;    /* slots on the device              */
	uint64_t used;     /* allocated, retired ones not counted */
	uint64_t retired;  /* slots never to be used again     */
	uint64_t hand;    /* where the next search starts   */
};

#define SWAP_SLOTS_WORDS(count) (((count) + 63) / 64)

/* All free; `bitmap` and `retired_map` hold SWAP_SLOTS_WORDS(count) words each. */
void swap_slots_init(struct swap_slots *s, uint64_t *bitmap, uint64_t *retired_map, uint64_t count);
/* 0 and a free slot, now allocated; -E_FULL when every slot is in use. */
int swap_slots_alloc(struct swap_slots *s, uint64_t *slot);
/* A run of up to `max` consecutive free slots, now allocated: the first
 * run of `max` at or after the hand (going round), else the longest run
 * there is (the first of them); retired slots are never in one. Returns
 * its length, *first its first slot; 0 when every slot is in use. */
uint64_t swap_slots_alloc_run(struct swap_slots *s, uint64_t max, uint64_t *first);
/* 0; -E_RANGE past the end; -E_DOUBLE_FREE for a slot not allocated
 * (a retired one included). */
int swap_slots_free(struct swap_slots *s, uint64_t slot);
/* An allocated slot whose write failed: retired instead of freed, never
 * allocated again. 0; -E_RANGE past the end; -E_INVAL if not allocated. */
int swap_slots_retire(struct swap_slots *s, uint64_t slot);
/* Allocated (retired slots are not). */
bool swap_slots_allocated(const struct swap_slots *s, uint64_t slot);
bool swap_slots_retired(const struct swap_slots *s, uint64_t slot);
static inline bool swap_slots_full(const struct swap_slots *s) { return s->used + s->retired == s->count; }

#endif
