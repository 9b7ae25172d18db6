/* guest/memtest/pattern.c — page contents for memtest (pattern.h).
 * Seeding: the SplitMix64 finalizer (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014) turns (seed, index) into a
 * well-mixed start; then Marsaglia's xorshift64 (13, 7, 17; "Xorshift
 * RNGs", J. Stat. Software 2003) makes each word with three shifts —
 * cheap under emulation, and never a zero word. */
#include "pattern.h"
#include "guest.h"

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio: SplitMix64's step */
#define SPLITMIX_MUL1 0xbf58476d1ce4e5b9ull
#define SPLITMIX_MUL2 0x94d049bb133111ebull
#define XORSHIFT_NONZERO 0x2545f4914f6cdd1dull /* any odd constant: xorshift state must not be 0 */
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

static uint64_t splitmix64_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * SPLITMIX_MUL1;
	z = (z ^ (z >> 27)) * SPLITMIX_MUL2;
	return z ^ (z >> 31);
}

uint64_t pattern_fill(volatile uint64_t *page, uint64_t seed, uint64_t index)
{
	uint64_t state = splitmix64_mix(seed * GOLDEN_GAMMA + index);
	if (!state)
		state = XORSHIFT_NONZERO;
	uint64_t sum = CHECKSUM_INIT;
	for (uint64_t i = 0; i < WORDS_PER_PAGE; i++) {
		state = xorshift64(state);
		page[i] = state;
		sum = checksum_add(sum, state);
	}
	return sum;
}
