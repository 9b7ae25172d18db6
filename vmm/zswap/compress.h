/* vmm/zswap/compress.h — the page compressor of the compressed swap area: an
 * LZ77 codec of the LZ4 family (byte-aligned sequences, no entropy stage),
 * shaped for 4 KiB pages. memvisor's own design; Debian's liblz4 is the
 * reference it is measured against (tools/benchmarks/zswap_bench.c).
 * Pure code: compiled into the kernel and, unchanged, into host tests,
 * the fuzzer (tests/fuzz/) and the benchmark.
 *
 * Why not LZ4's own format: a page is at most 4096 bytes, so an offset
 * needs 12 bits, not 16, and the spare 4 bits carry match length; and
 * structured pages (tables, page tables, arrays of records) repeat the
 * same offset again and again, which a 1-bit "same offset as the last
 * match" code stores with no offset at all. The search is LZ4's (one hash
 * probe per position, greedy, a step that grows over data that does not
 * compress); README, "Compressed swap" and "Benchmarks", has the figures.
 * What the encoder chooses is shaped by the decoder's cost, which is per
 * sequence: a match must save at least 2 bytes over literals (a new
 * offset needs 5 equal bytes, a repeated one 4), and the repeated offset
 * is tried one byte past the last match's end only (where a record's or
 * an instruction's one differing byte ends), which finds most repeats
 * while leaving the search loop one probe per position.
 *
 * A block is a series of sequences; the last one has literals only. A
 * sequence, byte by byte (fields in [] only when their condition holds):
 *
 *   +-------+-------------+-------------+-------------+-------------+
 *   | token | [lit. ext.] | literals    | [offset     | [match ext.]|
 *   | 1 B   | R=0, LLLL=15| R=0: LLLL   |  word] 2 B  |  length max |
 *   |       |             | (+ext) B;   |  only R=0   |             |
 *   |       |             | R=1: 1 B    |             |             |
 *   +-------+-------------+-------------+-------------+-------------+
 *
 *   token:  7      4   3   2     0
 *          +--------+-----+-------+
 *          |  LLLL  |  R  |  MMM  |
 *          +--------+-----+-------+
 *   R=0   LLLL literals follow: 0..14; 15 = 15 + extension bytes. Then
 *         an offset word, little-endian:
 *             15    12 11              0
 *            +--------+-----------------+
 *            |  MHI   |   offset - 1    |    offset 1..4096
 *            +--------+-----------------+
 *         match length ((MHI << 3) | MMM) + 4.
 *   R=1   exactly one literal follows, and the match reuses the
 *         previous match's offset (before any match: offset 1, the byte
 *         before); match length ((LLLL << 3) | MMM) + 4. No offset word.
 *         (A repeat comes one byte after the last match's end, where a
 *         record's or an instruction's one differing byte ends: the
 *         literal count is known, and LLLL gives the length 7 bits as
 *         MHI does, where 3 would need an extension byte for 1 in 8 of
 *         the sequences on binaries.)
 *   A length field of 127 (either kind): 131 + extension bytes.
 *   Extension bytes (LZ4's scheme): add each byte; a byte < 255 ends.
 *   The match copies `length` bytes from `offset` back in the output;
 *   an offset under the length repeats a pattern (offset 1: a run).
 *
 * The block ends when its bytes end right after a sequence's literals;
 * that last token has R = MMM = 0. Anything else — an offset reaching
 * before the output's start,
 * output longer or shorter than expected, a cut-off field — is
 * malformed, and decompress_block() says so without reading or writing
 * out of bounds.
 *
 * Decoding speed, and where it writes: the decoder copies 8 bytes at a
 * time with plain loads and stores (the kernel has no SIMD). While a
 * token starts at least 20 bytes before the input's end and the output
 * is at least 48 bytes before its end, it copies literals (under 15) as
 * 16 bytes, and then, wherever the offset word is inside the input and
 * 32 bytes inside the output, a match of up to 32 bytes (offset >= 8) as
 * 32 bytes, whatever their lengths: the bytes past them fall inside those
 * margins, inside the caller's own buffers, and the next sequence
 * overwrites them. Longer literals and matches go 32 bytes a turn while
 * both buffers have 32 bytes of room past the copy's position, then 8,
 * then byte by byte; a match with an offset under 8 starts with its
 * first 8 bytes built as one word (from the offset bytes before it) when
 * the output has 8 bytes of room. So the decoder writes only inside
 * dst[0, dst_len) and reads only inside src[0, src_len) and the output
 * it has written, whatever the input.
 */
#ifndef MEMVISOR_VMM_COMPRESS_H
#define MEMVISOR_VMM_COMPRESS_H

#include "kernel/types.h"

#define COMPRESS_BLOCK_MAX 4096 /* largest input: one page (12-bit offsets) */
#define COMPRESS_HASH_BITS 11 /* 2048 entries: a 4 KiB table, emptied for each page */

/* Scratch memory for one compression: the match finder's hash table.
 * Kept out of the stack (4 KiB); the caller owns one per CPU. 2048
 * entries, not 4096: emptying the table is a tenth of the time of
 * compressing a guest's page, and half of it costs 0.5% of ratio. */
struct compress_work {
	union {
		uint16_t table[1u << COMPRESS_HASH_BITS]; /* hash → position      */
		uint64_t words[(1u << COMPRESS_HASH_BITS) / 4]; /* to clear it fast */
	};
};

/* The most bytes compress_block() can produce for `len` input bytes:
 * all literals, plus their length's extension bytes. */
#define COMPRESS_BOUND(len) ((len) + (len) / 255 + 2)

/* Compresses src[0, len) (len <= COMPRESS_BLOCK_MAX) into dst, writing at
 * most `cap` bytes. Returns the compressed size, or 0 when the result
 * would not fit in `cap` (it gives up as soon as that is certain, so an
 * incompressible page costs half the work when cap is half a page). */
size_t compress_block(const void *src, size_t len, void *dst, size_t cap, struct compress_work *work);

/* Decompresses src[0, src_len) into exactly dst_len bytes. Returns 0, or
 * -E_CORRUPT when the block is malformed or does not produce exactly
 * dst_len bytes (-E_RANGE for dst_len over 1 GiB). Never reads or writes
 * outside the two buffers. */
int decompress_block(const void *src, size_t src_len, void *dst, size_t dst_len);

#endif
