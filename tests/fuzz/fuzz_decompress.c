/* tests/fuzz/fuzz_decompress.c — libFuzzer target for the page codec
 * (vmm/zswap/compress.c), built with clang -fsanitize=fuzzer,address,undefined.
 *
 * Two properties, on every input the fuzzer makes up:
 *   1. decompress_block() on arbitrary bytes returns 0 or -E_CORRUPT and
 *      never reads or writes outside its buffers (ASan stops the run at
 *      the first stray access, UBSan at the first undefined operation);
 *   2. the same bytes taken as a page (up to 4 KiB) come back bit-exact
 *      through compress_block() and decompress_block().
 * The output buffer is an exact-size heap block, so one byte too far is
 * an ASan report, not a silent write into slack. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/zswap/compress.h"
#include "kernel/errno.h"

static struct compress_work work;

static void check_malformed_input(const uint8_t *data, size_t size)
{
	uint8_t *page = malloc(COMPRESS_BLOCK_MAX);
	int rc = decompress_block(data, size, page, COMPRESS_BLOCK_MAX);
	if (rc != 0 && rc != -E_CORRUPT)
		abort();
	free(page);
}

static void check_round_trip(const uint8_t *data, size_t size)
{
	if (size > COMPRESS_BLOCK_MAX)
		return;
	size_t cap = COMPRESS_BOUND(size);
	uint8_t *block = malloc(cap), *back = malloc(size ? size : 1);
	size_t len = compress_block(data, size, block, cap, &work);
	if (!len || decompress_block(block, len, back, size) || memcmp(back, data, size))
		abort();
	free(block);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_malformed_input(data, size);
	check_round_trip(data, size);
	return 0;
}
