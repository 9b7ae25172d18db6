/* vmm/share/page_hash.h — a 64-bit content hash of one 4 KiB page, and the two
 * full comparisons that must follow any hash match before pages are shared
 * (docs/background.md, "Transparent page
 * sharing": identical copies are found by content, then all but one go).
 *
 * The hash is only a hint that two pages *may* be equal: page sharing
 * merges two pages only after page_equal() said so. It is built for speed
 * on 4 KiB, in plain 64-bit integer code (the kernel is compiled with
 * -mgeneral-regs-only):
 *
 *   page: 64 stripes of 64 bytes = 8 words w0..w7
 *   per stripe s, four independent lanes (no dependency between them, so
 *   the CPU overlaps their multiplies):
 *     acc0 += fold(w0 ^ k0, w1 ^ k1)      fold(a, b) = low ^ high half
 *     acc1 += fold(w2 ^ k1, w3 ^ k2)                   of the 128-bit a * b
 *     acc2 += fold(w4 ^ k2, w5 ^ k3)
 *     acc3 += fold(w6 ^ k3, w7 ^ k0)
 *     k0..k3 += GOLDEN                    keys move on each stripe, so the
 *                                         same 16 bytes at another place
 *                                         count differently
 *   end: the four lanes folded together, then an avalanche (xorshift-
 *   multiply, as XXH3's finaliser does).
 *
 * This is the "multiply and fold" step of wyhash (Wang Yi) and of XXH3's
 * 16-byte mixer (Yann Collet), run over four lanes. Not cryptographic: a
 * 16-byte block whose first word equals its key multiplies to zero, so
 * crafted pages can collide — which costs one full comparison, never a
 * wrong merge. tools/bench measures it against XXH3 and XXH64.
 *
 * Pure code: the kernel, tests/unit and the benchmark compile this file.
 */
#ifndef MEMVISOR_VMM_PAGE_HASH_H
#define MEMVISOR_VMM_PAGE_HASH_H

#include "kernel/types.h"

/* The hash of the 4 KiB page at `page` (8-byte aligned). */
uint64_t page_hash(const void *page);

/* True if every byte of the page is zero (stops at the first non-zero word). */
bool page_is_zero(const void *page);

/* True if the two pages hold the same 4096 bytes. */
bool page_equal(const void *a, const void *b);

#endif
