/* guest/zipmix/content.h — the page contents zipmix writes, by kind, as a
 * function of (seed, index) only: reproducible, and every page differs.
 * Pure code: tests/unit/test_zipmix_content.c runs it hosted through
 * memvisor's compressor to prove each kind lands on its side of the
 * store rule (vmm/zswap/store.h). */
#ifndef ZIPMIX_CONTENT_H
#define ZIPMIX_CONTENT_H

#include <stdint.h>

#define ZIPMIX_PAGE 4096

enum zipmix_kind {
	ZIPMIX_TEXT,    /* phrases from a small set, in lines: ~3x smaller        */
	ZIPMIX_RECORDS, /* 32-byte records of ids, flags, times, names: ~4x       */
	ZIPMIX_RANDOM,  /* pseudo-random words: does not compress                 */
	ZIPMIX_SAME,    /* one 64-bit value repeated (every 4th one zero)         */
	ZIPMIX_KINDS
};

/* Fills one page with content of `kind` for (seed, index). */
void zipmix_fill(uint8_t *page, enum zipmix_kind kind, uint64_t seed, uint64_t index);

/* True for the kinds memvisor's store rule keeps (text, records, same). */
static inline int zipmix_storable(enum zipmix_kind kind)
{
	return kind != ZIPMIX_RANDOM;
}

const char *zipmix_kind_name(enum zipmix_kind kind);

#endif
