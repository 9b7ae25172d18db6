/* guest/memtest/pattern.c — page contents for memtest (pattern.h).
 * Seeding: the SplitMix64 finalizer (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014) turns (seed, index) into a
 * well-mixed start; then Marsaglia's xorshift64 (13, 7, 17; "Xorshift
 * RNGs", J. Stat. Software 2003) makes each word with three shifts —
 * cheap under emulation, and never a zero word. */
#include "pattern.h"
#include "guest.h"

uint64_t pattern_fill(volatile uint64_t *page, uint64_t seed, uint64_t index)
{
	return checksum_fill_xorshift(page, xorshift64_seed(splitmix64_mix(seed * SPLITMIX64_GAMMA + index)));
}
