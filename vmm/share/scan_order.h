/* vmm/share/scan_order.h — the order in which page sharing's scanner visits one
 * VM's guest frames: every gfn once per pass, in a pseudo-random order that
 * changes from pass to pass. ESX scans in random order too, so that what
 * a guest does at one end of its memory does not decide what is found
 * first (docs/background.md, Mem.ShareScanTime).
 *
 * A pass is a bijection on [0, 2^bits), 2^bits >= npages, skipping the
 * values >= npages ("cycle walking"):
 *
 *   i ─► x = i + offset ─► x *= mul1 ─► x ^= x >> half ─► x *= mul2 ─► gfn
 *        (every step mod 2^bits; each is invertible: adding, multiplying
 *         by an odd number, xor with a right shift)
 *
 * offset, mul1 and mul2 are drawn anew for each pass from a xorshift64
 * generator (Marsaglia, J. Stat. Software 2003). Pure code (tests/unit).
 */
#ifndef MEMVISOR_VMM_SCAN_ORDER_H
#define MEMVISOR_VMM_SCAN_ORDER_H

#include "kernel/types.h"

struct scan_order {
	uint64_t npages;
	uint32_t bits;     /* 2^bits >= npages                       */
	uint64_t offset;   /* this pass's bijection                   */
	uint64_t mul1, mul2;
	uint64_t step;     /* next i in [0, 2^bits)                   */
	uint64_t rng;      /* xorshift64 state, never 0               */
};

/* Starts the first pass over npages frames; seed picks the orders. */
void scan_order_init(struct scan_order *o, uint64_t npages, uint64_t seed);
/* Starts a new pass, in a new order. */
void scan_order_new_pass(struct scan_order *o);
/* The next gfn of this pass: true and *gfn; false once the pass is over. */
bool scan_order_next(struct scan_order *o, uint64_t *gfn);

#endif
