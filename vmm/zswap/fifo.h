/* vmm/zswap/fifo.h — the order in which a VM's pages went into the
 * compressed area, oldest first, for writeback: when the area or the VM's
 * share is full, "the first memory compressed page will be decompressed
 * and swapped out" (docs/background.md, "Memory compression"), making room
 * for pages more likely to be used again.
 *
 * A doubly linked list threaded through two arrays indexed by gfn, so that
 * a page leaving the area by any way (swap-in, release, balloon,
 * writeback) is unlinked in O(1), and the oldest is always the head:
 *
 *            head                                 tail
 *             │                                    │
 *   gfn:      7  ──next──►  2  ──next──►  9  ──►   4     next[4] = NONE
 *   (oldest)     ◄──prev──     ◄──prev──     ◄──          prev[7] = NONE
 *
 *   next[g] == ZSWAP_FIFO_OUT: g is not in the list.
 *
 * Pure code over caller-provided storage (tests/unit/test_zswap_fifo.c).
 */
#ifndef MEMVISOR_VMM_ZSWAP_FIFO_H
#define MEMVISOR_VMM_ZSWAP_FIFO_H

#include "kernel/types.h"

#define ZSWAP_FIFO_NONE UINT32_MAX       /* no gfn: the end of the list  */
#define ZSWAP_FIFO_OUT (UINT32_MAX - 1) /* next[g]: g is not queued     */

struct zswap_fifo {
	uint32_t *next, *prev; /* [npages] each                 */
	uint64_t npages;
	uint32_t head, tail;   /* oldest and newest, or NONE    */
	uint64_t count;
};

/* Bytes of storage for a VM of npages pages (npages < ZSWAP_FIFO_OUT). */
uint64_t zswap_fifo_bytes(uint64_t npages);
/* Empty; `storage` holds zswap_fifo_bytes(npages) bytes. */
void zswap_fifo_init(struct zswap_fifo *f, void *storage, uint64_t npages);
/* g becomes the newest. 0; -E_RANGE for a bad gfn; -E_INVAL if queued. */
int zswap_fifo_push(struct zswap_fifo *f, uint64_t g);
/* g leaves the list wherever it is. 0; -E_RANGE; -E_INVAL if not queued. */
int zswap_fifo_remove(struct zswap_fifo *f, uint64_t g);
bool zswap_fifo_queued(const struct zswap_fifo *f, uint64_t g);
/* The oldest gfn, or ZSWAP_FIFO_NONE when the list is empty. */
static inline uint32_t zswap_fifo_oldest(const struct zswap_fifo *f) { return f->head; }

#endif
