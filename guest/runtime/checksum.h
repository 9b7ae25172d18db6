/* guest/runtime/checksum.h — a 64-bit checksum of page contents, for
 * proving that memory the hypervisor moved (shared, ballooned, compressed)
 * came back bit-exact (docs/design.md: "Never corrupt").
 *
 * Definition (so a host tool can recompute it): FNV-1a 64 run over 64-bit
 * little-endian words instead of bytes:
 *     h = CHECKSUM_INIT; for each word w: h = (h ^ w) * CHECKSUM_PRIME
 * with FNV-1a's offset basis and prime (Fowler/Noll/Vo, IETF draft
 * draft-eastlake-fnv). A word at a time is 8 times fewer multiplies than
 * bytewise FNV, which matters under QEMU's emulation. Each step is a
 * bijection of h, so pages that differ in exactly one word always get
 * different checksums. Not cryptographic. */
#ifndef GUEST_CHECKSUM_H
#define GUEST_CHECKSUM_H

#include <stdint.h>

#define CHECKSUM_INIT 0xcbf29ce484222325ull  /* FNV-1a 64 offset basis */
#define CHECKSUM_PRIME 0x00000100000001b3ull /* FNV-1a 64 prime        */

static inline uint64_t checksum_add(uint64_t h, uint64_t word)
{
	return (h ^ word) * CHECKSUM_PRIME;
}

/* The checksum of one 4 KiB page (512 words), read with volatile loads:
 * the point is to read memory, not what the compiler remembers. */
uint64_t checksum_page(const volatile void *page);

/* Fills one 4 KiB page with the xorshift64 words that follow `state`
 * (kernel/random.h; never 0) and returns their checksum: the contents the
 * self-checking workloads write and later verify. */
uint64_t checksum_fill_xorshift(volatile void *page, uint64_t state);

#endif
