/* tests/unit/pages.h — 4 KiB pages for the compressor and store tests:
 * random ones built to reach every part of the format, and real ones cut
 * from files on this machine (binaries in /usr/bin, text from
 * /usr/share/common-licenses and /usr/include). */
#ifndef TESTS_UNIT_PAGES_H
#define TESTS_UNIT_PAGES_H

#include <stddef.h>
#include <stdint.h>

#define TEST_PAGE 4096

/* A reproducible pseudo-random number (xorshift64*; state never 0). */
uint64_t pages_rand(uint64_t *state);

/* A page made of random pieces: random bytes, runs of one byte, copies of
 * earlier bytes at random distances (short ones too: overlapping copies),
 * and repeated 8-byte records — so the compressor meets literals, long
 * matches, repeat offsets and incompressible stretches in one page. */
void pages_random(uint8_t *page, uint64_t *state);

/* Reads up to `max` bytes of real files into buf: ELF binaries from
 * /usr/bin and text from /usr/share/common-licenses and /usr/include (C
 * headers), in name order. Returns the bytes read (0 if none). */
size_t pages_real_corpus(uint8_t *buf, size_t max);

#endif
