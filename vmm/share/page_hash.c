/* vmm/share/page_hash.c — the page hash and full comparisons (see page_hash.h). */
#include "vmm/share/page_hash.h"

#define PAGE_WORDS (PAGE_SIZE / sizeof(uint64_t))
#define STRIPE_WORDS 8
/* 2^64 / golden ratio: advances the keys from stripe to stripe. */
#define HASH_GOLDEN 0x9e3779b97f4a7c15ull
/* Odd constants from the fraction of pi (as Blowfish's P-array): arbitrary
 * but fixed, so a page's hash is the same in every run and every build. */
#define HASH_ACC0 0x243f6a8885a308d3ull
#define HASH_ACC1 0x13198a2e03707344ull
#define HASH_ACC2 0xa4093822299f31d0ull
#define HASH_ACC3 0x082efa98ec4e6c89ull
#define HASH_KEY0 0x452821e638d01377ull
#define HASH_KEY1 0xbe5466cf34e90c6cull
#define HASH_KEY2 0xc0ac29b7c97c50ddull
#define HASH_KEY3 0x3f84d5b5b5470917ull
#define HASH_FOLD_KEY 0xc2b2ae3d27d4eb4full   /* XXH64's PRIME64_2 */
#define HASH_AVALANCHE 0x165667919e3779f9ull  /* XXH3's avalanche multiplier */
#define AVALANCHE_SHIFT1 37
#define AVALANCHE_SHIFT2 32

/* The 128-bit product of a and b, its two halves xor-ed together. */
static inline uint64_t fold(uint64_t a, uint64_t b)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	return (uint64_t)p ^ (uint64_t)(p >> 64);
}

uint64_t page_hash(const void *page)
{
	const uint64_t *w = page;
	uint64_t acc0 = HASH_ACC0, acc1 = HASH_ACC1, acc2 = HASH_ACC2, acc3 = HASH_ACC3;
	uint64_t k0 = HASH_KEY0, k1 = HASH_KEY1, k2 = HASH_KEY2, k3 = HASH_KEY3;
	for (uint64_t s = 0; s < PAGE_WORDS; s += STRIPE_WORDS, w += STRIPE_WORDS) {
		acc0 += fold(w[0] ^ k0, w[1] ^ k1);
		acc1 += fold(w[2] ^ k1, w[3] ^ k2);
		acc2 += fold(w[4] ^ k2, w[5] ^ k3);
		acc3 += fold(w[6] ^ k3, w[7] ^ k0);
		k0 += HASH_GOLDEN;
		k1 += HASH_GOLDEN;
		k2 += HASH_GOLDEN;
		k3 += HASH_GOLDEN;
	}
	uint64_t h = fold(acc0 ^ HASH_GOLDEN, acc1 ^ HASH_FOLD_KEY) + fold(acc2 ^ HASH_FOLD_KEY, acc3 ^ HASH_GOLDEN);
	h ^= h >> AVALANCHE_SHIFT1;
	h *= HASH_AVALANCHE;
	return h ^ (h >> AVALANCHE_SHIFT2);
}

bool page_is_zero(const void *page)
{
	const uint64_t *w = page;
	for (uint64_t i = 0; i < PAGE_WORDS; i += STRIPE_WORDS)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
			return false;
	return true;
}

bool page_equal(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	for (uint64_t i = 0; i < PAGE_WORDS; i += STRIPE_WORDS) {
		uint64_t diff = 0;
		for (int j = 0; j < STRIPE_WORDS; j++)
			diff |= x[i + j] ^ y[i + j];
		if (diff)
			return false;
	}
	return true;
}
