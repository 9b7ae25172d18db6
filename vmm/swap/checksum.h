/* vmm/swap/checksum.h — the check a page read back from a swap slot must
 * pass: a 64-bit checksum of its 512 words, kept in memory per slot.
 *
 * Not the page hash of sharing (vmm/share/page_hash.h): that one must
 * spread similar pages over a table, and costs a multiply for every two
 * words. A disk that damages a page is no adversary, and what is asked
 * here is only "is this what was written?", every time a page goes out,
 * so a Fletcher-style pair of running sums does, at two additions a word:
 *
 *   a = w[0] + w[1] + ... + w[511]              (mod 2^64)
 *   b = 512 w[0] + 511 w[1] + ... + 1 w[511]    (mod 2^64: b += a each word)
 *   checksum = a + b * M,  M even
 *
 * A change d != 0 of one word i moves the checksum by
 * d (1 + (512 - i) M), and 1 + (512 - i) M is odd, so has an inverse mod
 * 2^64: every change confined to one word is seen. b weighs each word by
 * its place, so two sectors swapped or a page shifted by a word are seen
 * too; other damage goes unseen with a chance near 2^-64. */
#ifndef MEMVISOR_VMM_SWAP_CHECKSUM_H
#define MEMVISOR_VMM_SWAP_CHECKSUM_H

#include "kernel/types.h"

uint64_t swap_checksum(const void *page);

#endif
