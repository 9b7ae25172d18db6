/* vmm/zswap/store.h — the store rule of the compressed swap area, and the
 * way back. As ESX does it (docs/background.md, "Memory
 * compression"):
 *   - a page filled with one repeated 64-bit value is stored as that value
 *     alone (no compressor run);
 *   - any other page is stored only if it compresses to at most half a
 *     page (2048 bytes); otherwise it stays resident and the attempt is
 *     counted as rejected;
 *   - each VM may take at most its budget of the area (zswap_max_pct of
 *     its memory, checked by the caller, who passes what is left).
 *
 * An object in the area (vmm/zswap/area.h) is a header and a payload:
 *
 *   +-----------------+-----------------+---------------------------------+
 *   | check (32 bits) | owner (32 bits) | compressed page, or the value   |
 *   +-----------------+-----------------+---------------------------------+
 *   check  a hash of the original 4 KiB page: loading recomputes it over
 *          what came out, so damaged data (or a codec bug) is caught
 *          instead of handed to the guest;
 *   owner  whose page it is (the caller's tag: vm and gfn), so the
 *          invariant checker can tie every object to exactly one gfn.
 *
 * The handle, kept in the PMAP entry (60 bits there):
 *
 *   63        45   44   43          32 31                              0
 *  +------------+------+--------------+---------------------------------+
 *  |   (zero)   | same | payload bytes|  object id (area.h)       |
 *  +------------+------+--------------+---------------------------------+
 *
 * Pure code (tests/unit runs it hosted).
 */
#ifndef MEMVISOR_VMM_ZSWAP_STORE_H
#define MEMVISOR_VMM_ZSWAP_STORE_H

#include "vmm/zswap/compress.h"
#include "vmm/zswap/area.h"

#define ZSWAP_STORE_MAX (PAGE_SIZE / 2) /* the 50% rule: larger stays resident */
#define ZSWAP_HANDLE_LENGTH_SHIFT 32
#define ZSWAP_HANDLE_LENGTH_MASK 0xfffull
#define ZSWAP_HANDLE_SAME BIT(44)
#define ZSWAP_HANDLE_BITS 45

struct zswap_header {
	uint32_t check;
	uint32_t owner;
};

enum zswap_outcome {
	ZSWAP_STORED,      /* compressed to <= ZSWAP_STORE_MAX bytes          */
	ZSWAP_STORED_SAME, /* one repeated 64-bit value: stored as the value  */
	ZSWAP_REJECTED,    /* compresses to more than half a page             */
	ZSWAP_OVER_BUDGET, /* would take more than the budget left            */
	ZSWAP_AREA_FULL,   /* no room in the area                             */
};

/* Scratch for one store: the compressor's table and its output. */
struct zswap_scratch {
	struct compress_work work;
	uint8_t out[ZSWAP_STORE_MAX];
};

/* What a store produced: the handle and the bytes it takes in the area. */
struct zswap_stored {
	uint64_t handle;
	uint32_t footprint;
};

/* Stores one 4 KiB page under `owner`, taking at most `budget` bytes of
 * the area. Fills *out for the two STORED outcomes. */
enum zswap_outcome zswap_store_page(struct zswap_area *a, struct zswap_scratch *s, const void *page,
				    uint32_t owner, uint64_t budget, struct zswap_stored *out);

/* Brings a stored page back into `page` (4 KiB). Returns 0; -E_INVAL
 * when the handle names no object (a bug in the caller); -E_CORRUPT when
 * the object is not `owner`'s, does not decompress, or what came out
 * fails the check. The object stays stored either way. */
int zswap_load_page(const struct zswap_area *a, uint64_t handle, uint32_t owner, void *page);

/* Frees a handle's object. Returns 0 or -E_INVAL. */
int zswap_drop_page(struct zswap_area *a, uint64_t handle);

/* The bytes a handle's object takes in the area, 0 for a bad handle. */
uint32_t zswap_handle_footprint(const struct zswap_area *a, uint64_t handle);
/* The owner tag in a handle's object header; false for a bad handle. */
bool zswap_handle_owner(const struct zswap_area *a, uint64_t handle, uint32_t *owner);

/* The check kept in the header: a 32-bit hash of a 4 KiB page. */
uint32_t zswap_page_check(const void *page);
/* True when the page is one 64-bit value repeated; sets *value. */
bool zswap_page_same_filled(const void *page, uint64_t *value);

static inline uint32_t zswap_handle_id(uint64_t handle) { return (uint32_t)handle; }
/* The same object after compaction moved it to `id`. */
static inline uint64_t zswap_handle_moved(uint64_t handle, uint32_t id)
{
	return (handle & ~(uint64_t)UINT32_MAX) | id;
}
static inline uint32_t zswap_handle_length(uint64_t handle)
{
	return (uint32_t)((handle >> ZSWAP_HANDLE_LENGTH_SHIFT) & ZSWAP_HANDLE_LENGTH_MASK);
}
static inline bool zswap_handle_same(uint64_t handle) { return handle & ZSWAP_HANDLE_SAME; }

#endif
