/* vmm/zswap/area_check.c — zswap_area_check(): the allocator's metadata
 * against itself, for the invariant checker (vmm/zswap/check.c) and the
 * unit tests. Each zspage's bitmap must count its objects, the free map
 * must agree with which pages zspages cover, each class's list must hold
 * exactly its zspages with room, and the totals must add up. */
#include "vmm/zswap/area.h"

struct checker {
	const struct zswap_area *a;
	zswap_report_fn report;
	void *ctx;
	unsigned problems;
	uint64_t pages, objects, bytes, partial[ZSWAP_SIZES];
};

static void problem(struct checker *k, const char *what, uint64_t detail)
{
	k->problems++;
	k->report(what, detail, k->ctx);
}

/* One zspage starting at page p; returns how many pages it covers. */
static uint32_t check_zspage(struct checker *k, uint32_t p)
{
	const struct zswap_zspage *z = &k->a->zspages[p];
	if (z->class_id >= k->a->nclasses) {
		problem(k, "zspage with a class that does not exist at page", p);
		return 1;
	}
	const struct zswap_class *c = &k->a->classes[z->class_id];
	uint32_t set = 0;
	for (uint32_t i = 0; i < ZSPAGE_OBJECTS_MAX; i++)
		if (zswap_zspage_has(z, i) && ++set && i >= c->objects)
			problem(k, "zspage bitmap has an object past the class's count at page", p);
	if (set != z->used || !set)
		problem(k, "zspage's used count disagrees with its bitmap (or is 0) at page", p);
	if (z->evacuating)
		problem(k, "zspage still marked for compaction (off its class list) at page", p);
	if (z->pages != c->pages || p + z->pages > k->a->npages)
		problem(k, "zspage length differs from its class's at page", p);
	for (uint32_t q = p; q < p + z->pages && q < k->a->npages; q++)
		if (zswap_area_page_free(k->a, q) || (q > p && k->a->zspages[q].pages))
			problem(k, "page inside a zspage is marked free or as a zspage start:", q);
	k->pages += z->pages;
	k->objects += z->used;
	k->bytes += (uint64_t)z->used * c->size;
	k->partial[z->class_id] += z->used < c->objects;
	return z->pages ? z->pages : 1;
}

static void check_lists(struct checker *k)
{
	for (uint32_t id = 0; id < k->a->nclasses; id++) {
		const struct zswap_class *c = &k->a->classes[id];
		uint64_t n = 0, prev = ZSPAGE_NONE;
		for (uint32_t p = c->partial; p != ZSPAGE_NONE && n <= k->a->npages; p = k->a->zspages[p].next, n++) {
			const struct zswap_zspage *z = p < k->a->npages ? &k->a->zspages[p] : NULL;
			if (!z || !z->pages || z->class_id != id || z->used >= c->objects || z->prev != prev) {
				problem(k, "class list holds a page that is not a zspage of it with room:", p);
				break;
			}
			prev = p;
		}
		if (n != k->partial[id])
			problem(k, "class list length differs from its zspages with room, class size", c->size);
	}
}

unsigned zswap_area_check(const struct zswap_area *a, zswap_report_fn report, void *ctx)
{
	struct checker k = { a, report, ctx, 0, 0, 0, 0, { 0 } };
	for (uint32_t p = 0; p < a->npages;) {
		if (a->zspages[p].pages) {
			p += check_zspage(&k, p);
			continue;
		}
		if (!zswap_area_page_free(a, p))
			problem(&k, "page is neither free nor in a zspage:", p);
		p++;
	}
	check_lists(&k);
	if (k.pages != a->pages_used)
		problem(&k, "pages in zspages differ from pages_used by", k.pages - a->pages_used);
	if (k.objects != a->objects || k.bytes != a->object_bytes)
		problem(&k, "object count or bytes differ from the totals; objects counted:", k.objects);
	return k.problems;
}
