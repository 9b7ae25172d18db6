/* vmm/swap/header.c — the swap disk's header read and checked (header.h). */
#include "vmm/swap/header.h"
#include "kernel/string.h"
#include "kernel/unaligned.h"

#define OFF_VERSION 16
#define OFF_PAGE 20
#define OFF_UUID 24
#define OFF_SLOTS 40
#define OFF_CRC 48
#define CRC32_POLY 0xedb88320u /* 0x04c11db7 bit-reversed */

uint32_t swap_crc32(const uint8_t *p, uint64_t n)
{
	uint32_t c = 0xffffffffu;
	for (uint64_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = c & 1 ? (c >> 1) ^ CRC32_POLY : c >> 1;
	}
	return ~c;
}

enum swap_header_verdict swap_header_parse(const uint8_t *buf, uint64_t len, uint64_t disk_bytes,
					   struct swap_header *out)
{
	if (len < SWAP_HEADER_BYTES || disk_bytes < PAGE_SIZE)
		return SWAP_HEADER_TRUNCATED;
	if (memcmp(buf, SWAP_MAGIC, SWAP_MAGIC_BYTES))
		return SWAP_HEADER_BAD_MAGIC;
	if (load32(buf + OFF_VERSION) != SWAP_VERSION)
		return SWAP_HEADER_BAD_VERSION;
	if (load32(buf + OFF_PAGE) != PAGE_SIZE)
		return SWAP_HEADER_BAD_PAGE;
	if (load32(buf + OFF_CRC) != swap_crc32(buf, OFF_CRC))
		return SWAP_HEADER_BAD_CHECKSUM;
	uint64_t slots = load64(buf + OFF_SLOTS);
	if (!slots)
		return SWAP_HEADER_NO_SLOTS;
	if (slots > disk_bytes / PAGE_SIZE - 1)
		return SWAP_HEADER_TOO_BIG;
	out->slots = slots;
	memcpy(out->uuid, buf + OFF_UUID, SWAP_UUID_BYTES);
	return SWAP_HEADER_OK;
}

const char *swap_header_verdict_text(enum swap_header_verdict v)
{
	switch (v) {
	case SWAP_HEADER_OK: return "a swap header";
	case SWAP_HEADER_TRUNCATED: return "shorter than a swap header";
	case SWAP_HEADER_BAD_MAGIC: return "no swap header";
	case SWAP_HEADER_BAD_VERSION: return "a swap header of another version";
	case SWAP_HEADER_BAD_PAGE: return "a swap header for another page size";
	case SWAP_HEADER_BAD_CHECKSUM: return "a swap header that fails its checksum";
	case SWAP_HEADER_NO_SLOTS: return "a swap header with no slots";
	case SWAP_HEADER_TOO_BIG: return "a swap header with more slots than the disk holds";
	}
	return "?";
}

void swap_uuid_text(const uint8_t uuid[SWAP_UUID_BYTES], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int n = 0;
	for (int i = 0; i < SWAP_UUID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		out[n++] = hex[uuid[i] >> 4];
		out[n++] = hex[uuid[i] & 0xf];
	}
	out[n] = '\0';
}
