/* guest/runtime/random.h — Marsaglia's xorshift64 (13, 7, 17; "Xorshift
 * RNGs", J. Stat. Software 2003): the workloads' repeatable pseudo-random
 * words. Three shifts a step, cheap under emulation; a non-zero state
 * never becomes zero. Not for anything secret. */
#ifndef GUEST_RANDOM_H
#define GUEST_RANDOM_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

#endif
