/* guest/memtest/pattern.h — the contents memtest writes: 512 pseudo-random
 * words per page, a function of (seed, pattern index) only, so a run is
 * reproducible and every page differs from every other unless asked
 * (distinct=N: page i gets pattern i mod N, so N distinct contents — for
 * watching page sharing merge them). */
#ifndef MEMTEST_PATTERN_H
#define MEMTEST_PATTERN_H

#include <stdint.h>

/* Fills one 4 KiB page with pattern `index` of `seed`; returns the page's
 * checksum_page() value, computed from the words as written (not read
 * back), so a write that does not stick shows up at verification. */
uint64_t pattern_fill(volatile uint64_t *page, uint64_t seed, uint64_t index);

#endif
