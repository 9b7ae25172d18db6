/* tests/unit/test_swap_header.c — the swap disk's header (vmm/swap/header.c),
 * hosted with ASan/UBSan: a header as tools/mkswap writes it is accepted,
 * and each way a disk can fail to be a swap disk is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/swap/header.h"

#define DISK (1024 * 1024ull) /* 256 pages: one header and 255 slots */

static uint8_t page[4096];

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* A header as tools/mkswap writes it (the layout in header.h). */
static void make(uint32_t version, uint64_t slots)
{
	memset(page, 0, sizeof(page));
	memcpy(page, SWAP_MAGIC, SWAP_MAGIC_BYTES);
	put32(page + 16, version);
	put32(page + 20, 4096);
	for (int i = 0; i < SWAP_UUID_BYTES; i++)
		page[24 + i] = (uint8_t)(0x10 * i + i);
	put64(page + 40, slots);
	put32(page + 48, swap_crc32(page, 48));
}

static void test_valid_header(void **state)
{
	(void)state;
	struct swap_header h;
	char uuid[37];
	make(SWAP_VERSION, 255);
	assert_int_equal(swap_header_parse(page, sizeof(page), DISK, &h), SWAP_HEADER_OK);
	assert_int_equal(h.slots, 255);
	swap_uuid_text(h.uuid, uuid);
	assert_string_equal(uuid, "00112233-4455-6677-8899-aabbccddeeff");
}

static void test_crc32_matches_zlib(void **state)
{
	(void)state;
	/* zlib.crc32(b"123456789") == 0xcbf43926, the check value of CRC-32 */
	assert_int_equal(swap_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
}

static void test_bad_magic(void **state)
{
	(void)state;
	struct swap_header h;
	make(SWAP_VERSION, 255);
	page[0] ^= 1;
	assert_int_equal(swap_header_parse(page, sizeof(page), DISK, &h), SWAP_HEADER_BAD_MAGIC);
	memset(page, 0, sizeof(page)); /* a blank disk */
	assert_int_equal(swap_header_parse(page, sizeof(page), DISK, &h), SWAP_HEADER_BAD_MAGIC);
}

static void test_wrong_version(void **state)
{
	(void)state;
	struct swap_header h;
	make(SWAP_VERSION + 1, 255);
	assert_int_equal(swap_header_parse(page, sizeof(page), DISK, &h), SWAP_HEADER_BAD_VERSION);
}

static void test_bad_checksum(void **state)
{
	(void)state;
	struct swap_header h;
	make(SWAP_VERSION, 255);
	page[40] ^= 1; /* slots changed after the checksum was written */
	assert_int_equal(swap_header_parse(page, sizeof(page), DISK, &h), SWAP_HEADER_BAD_CHECKSUM);
}

static void test_size_larger_than_the_disk(void **state)
{
	(void)state;
	struct swap_header h;
	make(SWAP_VERSION, 256); /* the header takes the first page */
	assert_int_equal(swap_header_parse(page, sizeof(page), DISK, &h), SWAP_HEADER_TOO_BIG);
	make(SWAP_VERSION, 0);
	assert_int_equal(swap_header_parse(page, sizeof(page), DISK, &h), SWAP_HEADER_NO_SLOTS);
}

static void test_truncated_image(void **state)
{
	(void)state;
	struct swap_header h;
	make(SWAP_VERSION, 255);
	assert_int_equal(swap_header_parse(page, SWAP_HEADER_BYTES - 1, DISK, &h), SWAP_HEADER_TRUNCATED);
	assert_int_equal(swap_header_parse(page, sizeof(page), 4095, &h), SWAP_HEADER_TRUNCATED);
	/* a header that promises slots a cut-short image no longer has */
	assert_int_equal(swap_header_parse(page, sizeof(page), DISK / 2, &h), SWAP_HEADER_TOO_BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_header),
		cmocka_unit_test(test_crc32_matches_zlib),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_size_larger_than_the_disk),
		cmocka_unit_test(test_truncated_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
