/* guest/twins/content.c — page contents for twins (content.h). SplitMix64's
 * finaliser (Steele, Lea, Flood, OOPSLA 2014) turns (seed, index) into a
 * start, then xorshift64 (Marsaglia, J. Stat. Software 2003) makes each
 * word: cheap under emulation, and never a zero word. */
#include "content.h"
#include "guest.h"

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio: SplitMix64's step */
#define SPLITMIX_MUL1 0xbf58476d1ce4e5b9ull
#define SPLITMIX_MUL2 0x94d049bb133111ebull
#define XORSHIFT_NONZERO 0x2545f4914f6cdd1dull
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

static uint64_t splitmix64_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * SPLITMIX_MUL1;
	z = (z ^ (z >> 27)) * SPLITMIX_MUL2;
	return z ^ (z >> 31);
}

uint64_t content_fill(volatile uint64_t *page, uint64_t seed, uint64_t index)
{
	uint64_t x = splitmix64_mix(splitmix64_mix(seed) + index * GOLDEN_GAMMA);
	uint64_t sum = CHECKSUM_INIT;
	if (!x)
		x = XORSHIFT_NONZERO;
	for (uint64_t i = 0; i < WORDS_PER_PAGE; i++) {
		x = xorshift64(x);
		page[i] = x;
		sum = checksum_add(sum, x);
	}
	return sum;
}

uint64_t content_zero(volatile uint64_t *page)
{
	uint64_t sum = CHECKSUM_INIT;
	for (uint64_t i = 0; i < WORDS_PER_PAGE; i++) {
		page[i] = 0;
		sum = checksum_add(sum, 0);
	}
	return sum;
}
