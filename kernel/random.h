/* kernel/random.h — repeatable pseudo-random words for the workloads and
 * the tests: SplitMix64's finaliser (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014) to turn a seed into a
 * well-mixed start, and Marsaglia's xorshift64 (13, 7, 17; "Xorshift RNGs",
 * J. Stat. Software 2003) to step: three shifts, cheap under emulation; a
 * non-zero state never becomes zero. Not for anything secret.
 * Needs only <stdint.h>: guests, the kernel and hosted tests include it. */
#ifndef MEMVISOR_RANDOM_H
#define MEMVISOR_RANDOM_H

#include <stdint.h>

#define SPLITMIX64_GAMMA 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio: SplitMix64's step */
#define XORSHIFT_NONZERO 0x2545f4914f6cdd1dull /* any odd constant: xorshift's state must not be 0 */

static inline uint64_t splitmix64_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The next SplitMix64 output: the state advances by the golden gamma. */
static inline uint64_t splitmix64_next(uint64_t *state) { return splitmix64_mix(*state += SPLITMIX64_GAMMA); }

static inline uint64_t xorshift64(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* A xorshift64 state from any word: 0 would stay 0. */
static inline uint64_t xorshift64_seed(uint64_t x) { return x ? x : XORSHIFT_NONZERO; }

#endif
