/* tests/kernel/zswap_store_test.c — the compressor, the area allocator and the
 * store rule as the kernel builds them (freestanding, -mgeneral-regs-only,
 * no C library), over the RAM that zswap= reserved: the same code the host
 * unit tests run, proven here in its real home. Runs before any guest, so
 * the region is free to use. */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "vmm/zswap/store.h"

#define OWNER 0x01000042u
#define NO_LIMIT UINT64_MAX
#define TEXT "the hot set survives while cold pages exist; "

static struct zswap_area area;
static struct zswap_scratch scratch;
static uint8_t page[PAGE_SIZE], back[PAGE_SIZE];

/* The area over the region, its metadata at the start; NULL if too small. */
static struct zswap_area *region_area(void)
{
	uint32_t pages = (uint32_t)MIN(zswap_region.bytes >> PAGE_SHIFT, ZSWAP_AREA_PAGES_MAX);
	uint64_t meta = ALIGN_UP(zswap_area_meta_bytes(pages), PAGE_SIZE) >> PAGE_SHIFT;
	if (pages <= meta + 1)
		return NULL;
	uint8_t *base = mpa_to_virt(zswap_region.start);
	return zswap_area_init(&area, base + meta * PAGE_SIZE, pages - (uint32_t)meta, base) ? NULL : &area;
}

static bool same_bytes(const uint8_t *a, const uint8_t *b)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

KTEST(zswap_store, text_same_filled_and_random_pages_take_their_paths)
{
	struct zswap_area *a = region_area();
	if (!a) {
		ktest_skip(t, "zswap= reserved too little RAM");
		return;
	}
	struct zswap_stored st;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		page[i] = (uint8_t)TEXT[i % (sizeof(TEXT) - 1)] ^ (uint8_t)(i / 512);
	KT_EXPECT_EQ(t, zswap_store_page(a, &scratch, page, OWNER, NO_LIMIT, &st), ZSWAP_STORED);
	KT_EXPECT(t, zswap_handle_length(st.handle) < PAGE_SIZE / 8);
	KT_EXPECT_EQ(t, zswap_load_page(a, st.handle, OWNER, back), 0);
	KT_EXPECT(t, same_bytes(page, back));
	KT_EXPECT_EQ(t, zswap_drop_page(a, st.handle), 0);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		page[i] = (uint8_t)(i % 8 == 7 ? 0xa5 : 0x11);
	KT_EXPECT_EQ(t, zswap_store_page(a, &scratch, page, OWNER, NO_LIMIT, &st), ZSWAP_STORED_SAME);
	KT_EXPECT_EQ(t, zswap_load_page(a, st.handle, OWNER, back), 0);
	KT_EXPECT(t, same_bytes(page, back));
	KT_EXPECT_EQ(t, zswap_drop_page(a, st.handle), 0);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < PAGE_SIZE; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		page[i] = (uint8_t)x;
	}
	KT_EXPECT_EQ(t, zswap_store_page(a, &scratch, page, OWNER, NO_LIMIT, &st), ZSWAP_REJECTED);
	KT_EXPECT_EQ(t, a->objects, 0);
}

KTEST(zswap_store, damaged_data_is_caught)
{
	struct zswap_area *a = region_area();
	if (!a) {
		ktest_skip(t, "zswap= reserved too little RAM");
		return;
	}
	for (size_t i = 0; i < PAGE_SIZE; i++)
		page[i] = (uint8_t)(i * 7 / 64);
	struct zswap_stored st;
	KT_EXPECT_EQ(t, zswap_store_page(a, &scratch, page, OWNER, NO_LIMIT, &st), ZSWAP_STORED);
	uint32_t size;
	uint8_t *obj = zswap_area_object(a, zswap_handle_id(st.handle), &size);
	obj[sizeof(struct zswap_header) + zswap_handle_length(st.handle) / 2] ^= 0x40;
	KT_EXPECT_EQ(t, zswap_load_page(a, st.handle, OWNER, back), -E_CORRUPT);
	KT_EXPECT_EQ(t, zswap_drop_page(a, st.handle), 0);
}
