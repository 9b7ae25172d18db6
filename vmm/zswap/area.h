/* vmm/zswap/area.h — the allocator of the compressed swap area: variable
 * sized objects (up to a bit over half a page) packed into the RAM that
 * zswap= reserved at boot (docs/background.md). The idea is Linux's zsmalloc
 * (mm/zsmalloc.c): size classes 64 bytes apart, and for each class a
 * "zspage" of 1 to 4 contiguous pages, chosen so that its objects fill it
 * with the least left over. Objects may cross page boundaries inside a
 * zspage: the area is one contiguous run of machine memory, mapped as one.
 *
 *   area:  | zspage class 1472 (4 pages, 11 objects) | free | zspage 64 (1 page, 64) | ...
 *            [obj 0][obj 1]...[obj 10][tail]                 [o0][o1]...[o63]
 *
 * Classes whose zspage would hold as many objects in as many pages as the
 * next larger class are merged into it (the larger size wastes nothing
 * more: the difference was tail anyway), as zsmalloc does.
 *
 * An object is named by a 32-bit id (zspage's first page, object index):
 *
 *   31                           8 7          0
 *  +------------------------------+------------+
 *  |  first page of its zspage    |   index    |
 *  +------------------------------+------------+
 *
 * Pure code over caller-provided memory (tests/unit runs it hosted).
 */
#ifndef MEMVISOR_VMM_ZSWAP_AREA_H
#define MEMVISOR_VMM_ZSWAP_AREA_H

#include "kernel/types.h"

/* Class spacing and zspage length were measured with objects of the
 * sizes real pages compress to (tests/unit/test_zswap_area.c prints the
 * figures): with 1000 and 4000 objects — a VM's share of the default
 * area — 64-byte spacing and zspages of up to 4 pages leave about 12% and
 * 7% of the pages held unused; 16-byte spacing about twice that at 1000
 * objects (more classes, so more half-filled zspages), and zspages of at
 * most 2 pages about 10% at 4000 (longer tails). */
#define ZSWAP_ALIGN 64                        /* object sizes are multiples of this      */
#define ZSWAP_OBJECT_MAX (PAGE_SIZE / 2 + ZSWAP_ALIGN) /* half a page + the store's header */
#define ZSWAP_SIZES (ZSWAP_OBJECT_MAX / ZSWAP_ALIGN)  /* sizes 64, 128, ... 2112         */
#define ZSPAGE_PAGES_MAX 4                    /* zsmalloc's classic limit                 */
#define ZSPAGE_OBJECTS_MAX 256                /* the index is 8 bits                      */
#define ZSWAP_OBJECT_INDEX_BITS 8
#define ZSWAP_AREA_PAGES_MAX (1u << 24)       /* 64 GiB: the id's page field              */
#define ZSPAGE_NONE 0xffffffffu

/* One zspage's metadata, kept at the index of its first page. */
struct zswap_zspage {
	uint8_t class_id;
	uint8_t pages;  /* 0: this page is free or inside another zspage */
	uint16_t used;  /* objects allocated                             */
	uint32_t prev, next; /* the class's list of zspages with room    */
	bool evacuating; /* being emptied by compaction: off the list    */
	uint64_t bitmap[ZSPAGE_OBJECTS_MAX / 64]; /* 1 = allocated       */
};

struct zswap_class {
	uint16_t size;    /* bytes per object                       */
	uint8_t pages;    /* pages per zspage                       */
	uint16_t objects; /* objects per zspage                     */
	uint32_t partial; /* first zspage with a free slot, or NONE */
	uint64_t zspages; /* zspages of this class                  */
	uint64_t used;    /* objects allocated                      */
};

struct zswap_area {
	uint8_t *base;     /* the first byte of page 0                   */
	uint32_t npages;
	struct zswap_zspage *zspages; /* [npages]                        */
	uint64_t *free_map;           /* one bit per page, 1 = free      */
	uint32_t nclasses;
	uint8_t class_of[ZSWAP_SIZES]; /* (size / ZSWAP_ALIGN) - 1 → class */
	struct zswap_class classes[ZSWAP_SIZES];
	uint64_t pages_used, objects, object_bytes;
};

#define ZSWAP_BITS_PER_WORD 64

/* Is page p of the area free? Is object i of zspage z allocated? */
static inline bool zswap_area_page_free(const struct zswap_area *a, uint32_t p)
{
	return a->free_map[p / ZSWAP_BITS_PER_WORD] & BIT(p % ZSWAP_BITS_PER_WORD);
}
static inline bool zswap_zspage_has(const struct zswap_zspage *z, uint32_t i)
{
	return z->bitmap[i / ZSWAP_BITS_PER_WORD] & BIT(i % ZSWAP_BITS_PER_WORD);
}

/* What the area holds, for the monitor and the fragmentation figure. */
struct zswap_usage {
	uint64_t pages, pages_used; /* of the area                          */
	uint64_t objects;
	uint64_t object_bytes;      /* the objects' class sizes             */
	uint64_t free_slot_bytes;   /* room in zspages that are partly used */
	uint64_t tail_bytes;        /* zspage ends too short for an object  */
};

/* Bytes of metadata storage for an area of npages pages. */
uint64_t zswap_area_meta_bytes(uint32_t npages);

/* The area over base[0, npages * PAGE_SIZE), metadata in `meta` (of
 * zswap_area_meta_bytes(npages)). Returns 0, or -E_RANGE when npages
 * exceeds ZSWAP_AREA_PAGES_MAX. */
int zswap_area_init(struct zswap_area *a, void *base, uint32_t npages, void *meta);

/* The size an object of `bytes` really takes (its class), 0 if too big. */
uint32_t zswap_area_footprint(const struct zswap_area *a, uint32_t bytes);

/* Allocates room for `bytes` (1..ZSWAP_OBJECT_MAX). Returns 0 and the id,
 * -E_INVAL for a bad size, -E_NO_MEMORY when no zspage can be had. */
int zswap_area_alloc(struct zswap_area *a, uint32_t bytes, uint32_t *id);
/* Frees an object: 0, or -E_INVAL when id names no allocated object. */
int zswap_area_free(struct zswap_area *a, uint32_t id);
/* Where an allocated object lives and its class size; NULL if id names
 * no allocated object. */
void *zswap_area_object(const struct zswap_area *a, uint32_t id, uint32_t *size);

/* Compaction (zsmalloc's idea): frees whole zspages by moving objects out
 * of sparse ones into the room left in others of the same class. The
 * area cannot do it alone: whoever holds an object's id must learn the
 * new one. So:
 *   zswap_area_compact_begin  picks, per class, the sparsest zspages whose
 *                             objects fit in the other zspages' room, takes
 *                             them off the class's list (nothing new goes
 *                             there) and returns how many objects to move;
 *   zswap_area_evacuating     says whether an object must move;
 *   zswap_area_move           moves one: same class, new id, same bytes;
 *                             its zspage is freed with its last object;
 *   zswap_area_compact_end    puts back zspages that still hold objects
 *                             (their owners were not found).
 * Between begin and end the area is consistent except for the class lists
 * (zswap_area_check reports them). Returns of move: 0, -E_INVAL for an id
 * that is no evacuating object, -E_NO_MEMORY if no room was left. */
uint64_t zswap_area_compact_begin(struct zswap_area *a);
/* Pages compaction would give back now: per class, the zspages beyond
 * the fewest its objects need. */
uint64_t zswap_area_compactable_pages(const struct zswap_area *a);
bool zswap_area_evacuating(const struct zswap_area *a, uint32_t id);
int zswap_area_move(struct zswap_area *a, uint32_t id, uint32_t *new_id);
void zswap_area_compact_end(struct zswap_area *a);

/* Calls fn for every allocated object; stops when fn returns false. */
typedef bool (*zswap_object_fn)(uint32_t id, void *object, void *ctx);
void zswap_area_for_each(const struct zswap_area *a, zswap_object_fn fn, void *ctx);

void zswap_area_usage(const struct zswap_area *a, struct zswap_usage *u);

/* Checks the metadata against itself (bitmaps, counts, lists, free map);
 * calls report once per problem found and returns how many there were. */
typedef void (*zswap_report_fn)(const char *what, uint64_t detail, void *ctx);
unsigned zswap_area_check(const struct zswap_area *a, zswap_report_fn report, void *ctx);

#endif
