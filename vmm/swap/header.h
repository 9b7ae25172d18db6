/* vmm/swap/header.h — the header tools/mkswap writes in a swap disk's
 * first 4 KiB; memvisor writes only to a disk that carries it. Pure code
 * (tests/unit/test_swap_header.c).
 *
 *   byte  0      16     20     24             40       48     52      4096
 *        +-------+------+------+--------------+--------+------+---...---+
 *        | magic |versn | page |     uuid     | slots  |crc32 |  zeros  |
 *        +-------+------+------+--------------+--------+------+---...---+
 *   magic "memvisor-swap\0\0\0"; version 1; page 4096; slots: 4 KiB pages
 *   after the header (slot i at byte (i + 1) * 4096); crc32 (IEEE 802.3,
 *   as zlib's) of bytes 0..47; every number little-endian.
 */
#ifndef MEMVISOR_VMM_SWAP_HEADER_H
#define MEMVISOR_VMM_SWAP_HEADER_H

#include "kernel/types.h"

#define SWAP_MAGIC "memvisor-swap\0\0\0"
#define SWAP_MAGIC_BYTES 16
#define SWAP_VERSION 1
#define SWAP_UUID_BYTES 16
#define SWAP_HEADER_BYTES 52 /* what the checksum covers, and the checksum */

struct swap_header {
	uint64_t slots;
	uint8_t uuid[SWAP_UUID_BYTES];
};

/* Why a disk is not a swap disk (or SWAP_HEADER_OK). */
enum swap_header_verdict {
	SWAP_HEADER_OK,
	SWAP_HEADER_TRUNCATED,   /* the disk is shorter than the header        */
	SWAP_HEADER_BAD_MAGIC,   /* not made by tools/mkswap: never written    */
	SWAP_HEADER_BAD_VERSION,
	SWAP_HEADER_BAD_PAGE,    /* made for another page size                */
	SWAP_HEADER_BAD_CHECKSUM,
	SWAP_HEADER_NO_SLOTS,
	SWAP_HEADER_TOO_BIG,     /* more slots than the disk holds            */
};

/* Reads the header in `buf` (`len` bytes read from the disk's start) of
 * a disk of `disk_bytes`. */
enum swap_header_verdict swap_header_parse(const uint8_t *buf, uint64_t len, uint64_t disk_bytes,
					   struct swap_header *out);
const char *swap_header_verdict_text(enum swap_header_verdict v);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into out (37 bytes). */
void swap_uuid_text(const uint8_t uuid[SWAP_UUID_BYTES], char out[37]);
/* CRC-32 (IEEE 802.3, reflected, as zlib.crc32). */
uint32_t swap_crc32(const uint8_t *p, uint64_t n);

#endif
