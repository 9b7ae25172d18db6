/* guest/twins/content.c — page contents for twins (content.h). SplitMix64's
 * finaliser (Steele, Lea, Flood, OOPSLA 2014) turns (seed, index) into a
 * start, then xorshift64 (Marsaglia, J. Stat. Software 2003) makes each
 * word: cheap under emulation, and never a zero word. */
#include "content.h"
#include "guest.h"

#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

uint64_t content_fill(volatile uint64_t *page, uint64_t seed, uint64_t index)
{
	return checksum_fill_xorshift(page, xorshift64_seed(splitmix64_mix(splitmix64_mix(seed) + index * SPLITMIX64_GAMMA)));
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
