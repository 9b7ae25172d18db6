/* tests/fuzz/seeds.c — writes a starting corpus for fuzz_decompress: the
 * compressed blocks of a few pages of different kinds (zeros, a repeated
 * pattern, records, text, random bytes), so the fuzzer begins from valid
 * sequences of every form and mutates from there.
 *
 * Usage: seeds DIRECTORY */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmm/zswap/compress.h"

#define PAGE 4096

static struct compress_work work;

static void page_of_kind(uint8_t *page, int kind)
{
	static const char text[] = "the quick brown fox jumps over the lazy dog; memvisor compresses pages. ";
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < PAGE; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (kind) {
		case 0: page[i] = 0; break;
		case 1: page[i] = (uint8_t)(i % 3); break;
		case 2: page[i] = (uint8_t)(i % 8 == 0 ? i / 8 : i % 8); break;
		case 3: page[i] = (uint8_t)text[i % (sizeof(text) - 1)] ^ (x % 16 == 0); break;
		default: page[i] = (uint8_t)x; break;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
		return 2;
	}
	static uint8_t page[PAGE], block[COMPRESS_BOUND(PAGE)];
	for (int kind = 0; kind < 5; kind++) {
		page_of_kind(page, kind);
		size_t n = compress_block(page, PAGE, block, sizeof(block), &work);
		char path[4096];
		snprintf(path, sizeof(path), "%s/page-kind-%d", argv[1], kind);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(block, 1, n, f) != n || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}
