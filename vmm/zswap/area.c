/* vmm/zswap/area.c — size classes and zspages over the reserved RAM (see
 * area.h; the scheme is Linux's mm/zsmalloc.c, simplified). */
#include "vmm/zswap/area.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#define BITS_PER_WORD ZSWAP_BITS_PER_WORD
#define INDEX_MASK ((1u << ZSWAP_OBJECT_INDEX_BITS) - 1)

/* ---- size classes ------------------------------------------------------ */

/* Objects of `size` that a zspage of `pages` pages holds. */
static uint32_t objects_in(uint32_t size, uint32_t pages)
{
	return MIN(pages * PAGE_SIZE / size, ZSPAGE_OBJECTS_MAX);
}

/* The zspage length that leaves the smallest share of it unused (ties go
 * to the shorter: fewer pages held by a half-empty zspage). */
static uint32_t best_pages(uint32_t size)
{
	uint32_t best = 1;
	uint64_t best_waste = PAGE_SIZE - objects_in(size, 1) * size;
	for (uint32_t k = 2; k <= ZSPAGE_PAGES_MAX; k++) {
		uint64_t waste = k * PAGE_SIZE - objects_in(size, k) * size;
		if (waste * best < best_waste * k) { /* waste/k < best_waste/best */
			best = k;
			best_waste = waste;
		}
	}
	return best;
}

/* Builds the classes from the largest size down, merging a size into the
 * next larger class when both give the same zspage shape. */
static void build_classes(struct zswap_area *a)
{
	a->nclasses = 0;
	for (int i = ZSWAP_SIZES - 1; i >= 0; i--) {
		uint32_t size = (uint32_t)(i + 1) * ZSWAP_ALIGN, pages = best_pages(size);
		struct zswap_class *last = a->nclasses ? &a->classes[a->nclasses - 1] : NULL;
		if (last && last->pages == pages && last->objects == objects_in(size, pages)) {
			a->class_of[i] = (uint8_t)(a->nclasses - 1);
			continue;
		}
		a->classes[a->nclasses] = (struct zswap_class){ (uint16_t)size, (uint8_t)pages,
								(uint16_t)objects_in(size, pages), ZSPAGE_NONE, 0, 0 };
		a->class_of[i] = (uint8_t)a->nclasses++;
	}
}

static struct zswap_class *class_for(const struct zswap_area *a, uint32_t bytes)
{
	if (!bytes || bytes > ZSWAP_OBJECT_MAX)
		return NULL;
	return (struct zswap_class *)&a->classes[a->class_of[(bytes + ZSWAP_ALIGN - 1) / ZSWAP_ALIGN - 1]];
}

uint32_t zswap_area_footprint(const struct zswap_area *a, uint32_t bytes)
{
	const struct zswap_class *c = class_for(a, bytes);
	return c ? c->size : 0;
}

/* ---- pages ------------------------------------------------------------- */

static void mark_pages(struct zswap_area *a, uint32_t first, uint32_t n, bool free)
{
	for (uint32_t p = first; p < first + n; p++) {
		if (free)
			a->free_map[p / BITS_PER_WORD] |= BIT(p % BITS_PER_WORD);
		else
			a->free_map[p / BITS_PER_WORD] &= ~BIT(p % BITS_PER_WORD);
	}
}

/* First fit: the lowest run of n free pages, or ZSPAGE_NONE. */
static uint32_t find_free_run(const struct zswap_area *a, uint32_t n)
{
	uint32_t run = 0;
	for (uint32_t p = 0; p < a->npages; p++) {
		if (p % BITS_PER_WORD == 0 && !a->free_map[p / BITS_PER_WORD]) {
			run = 0;
			p += BITS_PER_WORD - 1; /* a whole word of used pages */
			continue;
		}
		run = zswap_area_page_free(a, p) ? run + 1 : 0;
		if (run == n)
			return p + 1 - n;
	}
	return ZSPAGE_NONE;
}

uint64_t zswap_area_meta_bytes(uint32_t npages)
{
	uint64_t words = (npages + BITS_PER_WORD - 1) / BITS_PER_WORD;
	return (uint64_t)npages * sizeof(struct zswap_zspage) + words * sizeof(uint64_t);
}

int zswap_area_init(struct zswap_area *a, void *base, uint32_t npages, void *meta)
{
	if (npages > ZSWAP_AREA_PAGES_MAX)
		return -E_RANGE;
	uint64_t words = (npages + BITS_PER_WORD - 1) / BITS_PER_WORD;
	a->base = base;
	a->npages = npages;
	a->zspages = meta;
	a->free_map = (uint64_t *)(a->zspages + npages);
	for (uint32_t p = 0; p < npages; p++)
		a->zspages[p] = (struct zswap_zspage){ .pages = 0, .prev = ZSPAGE_NONE, .next = ZSPAGE_NONE };
	for (uint64_t w = 0; w < words; w++)
		a->free_map[w] = 0;
	mark_pages(a, 0, npages, true);
	a->pages_used = a->objects = a->object_bytes = 0;
	build_classes(a);
	return 0;
}

/* ---- the per-class list of zspages with room ---------------------------- */

static void list_push(struct zswap_area *a, struct zswap_class *c, uint32_t p)
{
	struct zswap_zspage *z = &a->zspages[p];
	z->prev = ZSPAGE_NONE;
	z->next = c->partial;
	if (c->partial != ZSPAGE_NONE)
		a->zspages[c->partial].prev = p;
	c->partial = p;
}

static void list_unlink(struct zswap_area *a, struct zswap_class *c, uint32_t p)
{
	struct zswap_zspage *z = &a->zspages[p];
	if (z->prev != ZSPAGE_NONE)
		a->zspages[z->prev].next = z->next;
	else
		c->partial = z->next;
	if (z->next != ZSPAGE_NONE)
		a->zspages[z->next].prev = z->prev;
	z->prev = z->next = ZSPAGE_NONE;
}

/* A fresh zspage for class c, put on its list. Returns its first page. */
static uint32_t zspage_create(struct zswap_area *a, struct zswap_class *c)
{
	uint32_t p = find_free_run(a, c->pages);
	if (p == ZSPAGE_NONE)
		return p;
	mark_pages(a, p, c->pages, false);
	a->zspages[p] = (struct zswap_zspage){ .class_id = (uint8_t)(c - a->classes), .pages = c->pages,
					       .prev = ZSPAGE_NONE, .next = ZSPAGE_NONE };
	a->pages_used += c->pages;
	c->zspages++;
	list_push(a, c, p);
	return p;
}

static void zspage_destroy(struct zswap_area *a, struct zswap_class *c, uint32_t p)
{
	if (!a->zspages[p].evacuating) /* an evacuating zspage is on no list */
		list_unlink(a, c, p);
	a->zspages[p].pages = 0;
	a->zspages[p].evacuating = false;
	mark_pages(a, p, c->pages, true);
	a->pages_used -= c->pages;
	c->zspages--;
}

/* ---- objects ----------------------------------------------------------- */

static uint32_t first_clear_bit(const struct zswap_zspage *z, uint32_t limit)
{
	for (uint32_t w = 0; w * BITS_PER_WORD < limit; w++)
		if (~z->bitmap[w])
			return MIN(w * BITS_PER_WORD + (uint32_t)__builtin_ctzll(~z->bitmap[w]), limit);
	return limit;
}

int zswap_area_alloc(struct zswap_area *a, uint32_t bytes, uint32_t *id)
{
	struct zswap_class *c = class_for(a, bytes);
	if (!c)
		return -E_INVAL;
	uint32_t p = c->partial != ZSPAGE_NONE ? c->partial : zspage_create(a, c);
	if (p == ZSPAGE_NONE)
		return -E_NO_MEMORY;
	struct zswap_zspage *z = &a->zspages[p];
	uint32_t i = first_clear_bit(z, c->objects);
	z->bitmap[i / BITS_PER_WORD] |= BIT(i % BITS_PER_WORD);
	if (++z->used == c->objects)
		list_unlink(a, c, p); /* full: no longer a place to allocate */
	c->used++;
	a->objects++;
	a->object_bytes += c->size;
	*id = p << ZSWAP_OBJECT_INDEX_BITS | i;
	return 0;
}

/* The zspage and class of an allocated object, or NULL. */
static struct zswap_zspage *lookup(const struct zswap_area *a, uint32_t id, struct zswap_class **c)
{
	uint32_t p = id >> ZSWAP_OBJECT_INDEX_BITS, i = id & INDEX_MASK;
	if (p >= a->npages || !a->zspages[p].pages)
		return NULL;
	struct zswap_zspage *z = &a->zspages[p];
	*c = (struct zswap_class *)&a->classes[z->class_id];
	if (i >= (*c)->objects || !zswap_zspage_has(z, i))
		return NULL;
	return z;
}

int zswap_area_free(struct zswap_area *a, uint32_t id)
{
	struct zswap_class *c;
	struct zswap_zspage *z = lookup(a, id, &c);
	if (!z)
		return -E_INVAL;
	uint32_t p = id >> ZSWAP_OBJECT_INDEX_BITS, i = id & INDEX_MASK;
	z->bitmap[i / BITS_PER_WORD] &= ~BIT(i % BITS_PER_WORD);
	if (z->used-- == c->objects && !z->evacuating)
		list_push(a, c, p); /* was full: has room again */
	c->used--;
	a->objects--;
	a->object_bytes -= c->size;
	if (!z->used)
		zspage_destroy(a, c, p);
	return 0;
}

void *zswap_area_object(const struct zswap_area *a, uint32_t id, uint32_t *size)
{
	struct zswap_class *c;
	if (!lookup(a, id, &c))
		return NULL;
	*size = c->size;
	return a->base + (uint64_t)(id >> ZSWAP_OBJECT_INDEX_BITS) * PAGE_SIZE + (id & INDEX_MASK) * c->size;
}

/* ---- compaction ------------------------------------------------------- */

/* The sparsest zspage on class c's list, or ZSPAGE_NONE. */
static uint32_t sparsest(const struct zswap_area *a, const struct zswap_class *c)
{
	uint32_t best = ZSPAGE_NONE;
	for (uint32_t p = c->partial; p != ZSPAGE_NONE; p = a->zspages[p].next)
		if (best == ZSPAGE_NONE || a->zspages[p].used < a->zspages[best].used)
			best = p;
	return best;
}

uint64_t zswap_area_compact_begin(struct zswap_area *a)
{
	uint64_t moving = 0;
	for (uint32_t k = 0; k < a->nclasses; k++) {
		struct zswap_class *c = &a->classes[k];
		/* Room in the zspages that stay: the class's free slots, less
		 * those of the zspages being emptied and the objects they send. */
		int64_t room = (int64_t)c->zspages * c->objects - c->used;
		for (uint32_t p; (p = sparsest(a, c)) != ZSPAGE_NONE;) {
			struct zswap_zspage *z = &a->zspages[p];
			int64_t left = room - (c->objects - z->used); /* without z's slots */
			if (left < z->used)
				break;
			list_unlink(a, c, p);
			z->evacuating = true;
			room = left - z->used;
			moving += z->used;
		}
	}
	return moving;
}

uint64_t zswap_area_compactable_pages(const struct zswap_area *a)
{
	uint64_t pages = 0;
	for (uint32_t k = 0; k < a->nclasses; k++) {
		const struct zswap_class *c = &a->classes[k];
		uint64_t needed = (c->used + c->objects - 1) / c->objects;
		pages += (c->zspages - needed) * c->pages;
	}
	return pages;
}

bool zswap_area_evacuating(const struct zswap_area *a, uint32_t id)
{
	struct zswap_class *c;
	const struct zswap_zspage *z = lookup(a, id, &c);
	return z && z->evacuating;
}

int zswap_area_move(struct zswap_area *a, uint32_t id, uint32_t *new_id)
{
	uint32_t size;
	const uint8_t *from = zswap_area_object(a, id, &size);
	if (!from || !zswap_area_evacuating(a, id))
		return -E_INVAL;
	struct zswap_class *c = class_for(a, size);
	if (c->partial == ZSPAGE_NONE) /* begin promised room; do not grow */
		return -E_NO_MEMORY;
	if (zswap_area_alloc(a, size, new_id))
		return -E_NO_MEMORY;
	memcpy(zswap_area_object(a, *new_id, &size), from, size);
	return zswap_area_free(a, id);
}

void zswap_area_compact_end(struct zswap_area *a)
{
	for (uint32_t p = 0; p < a->npages; p++) {
		struct zswap_zspage *z = &a->zspages[p];
		if (!z->pages || !z->evacuating)
			continue;
		z->evacuating = false;
		list_push(a, &a->classes[z->class_id], p); /* it was not full */
	}
}

void zswap_area_for_each(const struct zswap_area *a, zswap_object_fn fn, void *ctx)
{
	for (uint32_t p = 0; p < a->npages; p++) {
		const struct zswap_zspage *z = &a->zspages[p];
		if (!z->pages)
			continue;
		const struct zswap_class *c = &a->classes[z->class_id];
		for (uint32_t i = 0; i < c->objects; i++)
			if (zswap_zspage_has(z, i))
				if (!fn(p << ZSWAP_OBJECT_INDEX_BITS | i, a->base + (uint64_t)p * PAGE_SIZE + i * c->size, ctx))
					return;
		p += z->pages - 1;
	}
}

void zswap_area_usage(const struct zswap_area *a, struct zswap_usage *u)
{
	*u = (struct zswap_usage){ a->npages, a->pages_used, a->objects, a->object_bytes, 0, 0 };
	for (uint32_t k = 0; k < a->nclasses; k++) {
		const struct zswap_class *c = &a->classes[k];
		u->free_slot_bytes += (c->zspages * c->objects - c->used) * c->size;
		u->tail_bytes += c->zspages * (c->pages * PAGE_SIZE - (uint64_t)c->objects * c->size);
	}
}
