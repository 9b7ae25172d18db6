/* guest/twins/content.h — what twins writes into its pages: 512
 * pseudo-random words that depend only on (seed, index), so two instances
 * with the same seed make identical pages, and pages with other seeds or
 * indexes never match them. */
#ifndef TWINS_CONTENT_H
#define TWINS_CONTENT_H

#include <stdint.h>

/* Fills one 4 KiB page with contents `index` of `seed`; returns the
 * checksum_page() of the words as written. */
uint64_t content_fill(volatile uint64_t *page, uint64_t seed, uint64_t index);
/* Writes zeros over the whole page; returns its checksum. */
uint64_t content_zero(volatile uint64_t *page);

#endif
