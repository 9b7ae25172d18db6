/* tools/benchmarks/page_hash_bench.c — the page hash of vmm/share/page_hash.c
 * (compiled with the kernel's code-generation flags) against XXH3_64bits
 * and XXH64 from Debian's libxxhash, on the same 4 KiB pages in the same
 * run. `make bench` builds and runs it (tools/bench).
 *
 * Pages: PAGES pseudo-random 4 KiB pages (a working set that stays in the
 * cache: this measures the hash, not the memory). Each hash runs ROUNDS
 * times over all of them; the best of REPEATS timings counts. Prints one
 * line per hash in GB/s (10^9 bytes) and exits 1 if page_hash is below
 * TARGET of XXH3 (the goal issue 7 set). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <xxhash.h>

#include "vmm/share/page_hash.h"

#define PAGE 4096
#define PAGES 256
#define ROUNDS 400
#define REPEATS 7
#define TARGET 0.5

static uint64_t pages[PAGES][PAGE / 8] __attribute__((aligned(PAGE)));

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t run_page_hash(const void *p) { return page_hash(p); }
static uint64_t run_xxh3(const void *p) { return XXH3_64bits(p, PAGE); }
static uint64_t run_xxh64(const void *p) { return XXH64(p, PAGE, 0); }

/* Best GB/s of REPEATS runs; the sum of the hashes keeps the work alive. */
static double measure(uint64_t (*hash)(const void *), uint64_t *sink)
{
	double best = 1e30;
	for (int r = 0; r < REPEATS; r++) {
		double t0 = now();
		for (int round = 0; round < ROUNDS; round++)
			for (int i = 0; i < PAGES; i++)
				*sink += hash(pages[i]);
		double t = now() - t0;
		best = t < best ? t : best;
	}
	return (double)ROUNDS * PAGES * PAGE / best / 1e9;
}

int main(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, sink = 0;
	for (int i = 0; i < PAGES; i++)
		for (int w = 0; w < PAGE / 8; w++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			pages[i][w] = x;
		}
	double mine = measure(run_page_hash, &sink);
	double xxh3 = measure(run_xxh3, &sink);
	double xxh64 = measure(run_xxh64, &sink);
	unsigned v = XXH_versionNumber();
	printf("page hash on 4 KiB pages (%d pages in the cache, best of %d, libxxhash %u.%u.%u):\n", PAGES, REPEATS,
	       v / 10000, v / 100 % 100, v % 100);
	printf("  %-26s %6.2f GB/s  %.2f of XXH3\n", "page_hash (memvisor)", mine, mine / xxh3);
	printf("  %-26s %6.2f GB/s  reference\n", "XXH3_64bits (libxxhash)", xxh3);
	printf("  %-26s %6.2f GB/s  %.2f of XXH3\n", "XXH64 (libxxhash)", xxh64, xxh64 / xxh3);
	printf("  target: page_hash at least %.0f%% of XXH3: %s (checksum %016llx)\n", TARGET * 100,
	       mine >= TARGET * xxh3 ? "met" : "NOT met", (unsigned long long)sink);
	return mine >= TARGET * xxh3 ? 0 : 1;
}
