/* tests/unit/test_zswap_area.c — the compressed swap area's allocator
 * (vmm/zswap/area.c), hosted with ASan/UBSan: size classes, objects that
 * never overlap, exhaustion, bad ids, a random workload checked against
 * a model, the fragmentation the area shows with the sizes real pages
 * compress to (printed: README quotes it), and compaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/zswap/compress.h"
#include "vmm/zswap/area.h"
#include "kernel/errno.h"
#include "tests/unit/pages.h"

#define AREA_PAGES 512 /* 2 MiB */
#define LIVE_MAX 8192
#define STRESS_OPS 200000
#define CHECK_EVERY 997

struct fixture {
	struct zswap_area area;
	uint8_t *mem, *meta;
};

static struct fixture *make_area(uint32_t pages)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->mem = malloc((size_t)pages * TEST_PAGE);
	f->meta = malloc(zswap_area_meta_bytes(pages));
	assert_int_equal(zswap_area_init(&f->area, f->mem, pages, f->meta), 0);
	return f;
}

static void free_area(struct fixture *f)
{
	free(f->mem);
	free(f->meta);
	free(f);
}

static void report(const char *what, uint64_t detail, void *ctx)
{
	(void)ctx;
	print_error("zswap_area_check: %s %llu\n", what, (unsigned long long)detail);
}

static void assert_consistent(const struct zswap_area *a)
{
	unsigned problems = zswap_area_check(a, report, NULL);
	if (problems)
		fail_msg("the area's metadata has %u problems", problems);
}

static void test_classes_cover_every_size_with_little_waste(void **state)
{
	(void)state;
	struct fixture *f = make_area(8);
	const struct zswap_area *a = &f->area;
	assert_int_equal(zswap_area_footprint(a, 0), 0);
	assert_int_equal(zswap_area_footprint(a, ZSWAP_OBJECT_MAX + 1), 0);
	for (uint32_t n = 1; n <= ZSWAP_OBJECT_MAX; n++) {
		uint32_t fp = zswap_area_footprint(a, n);
		if (fp < n || fp % ZSWAP_ALIGN)
			fail_msg("%u bytes get a %u-byte class", n, fp);
	}
	for (uint32_t k = 0; k < a->nclasses; k++) {
		const struct zswap_class *c = &a->classes[k];
		assert_true(c->pages >= 1 && c->pages <= ZSPAGE_PAGES_MAX);
		assert_true(c->objects >= 1 && c->objects <= ZSPAGE_OBJECTS_MAX);
		assert_true((uint32_t)c->objects * c->size <= c->pages * TEST_PAGE);
		/* A zspage's tail is shorter than one object, or the 256 cap bit. */
		assert_true(c->pages * TEST_PAGE - (uint32_t)c->objects * c->size < c->size ||
			    c->objects == ZSPAGE_OBJECTS_MAX);
	}
	print_message("      %u classes for %u sizes\n", a->nclasses, (unsigned)ZSWAP_SIZES);
	assert_true(a->nclasses < ZSWAP_SIZES);
	free_area(f);
}

static void test_objects_are_distinct_and_keep_their_bytes(void **state)
{
	(void)state;
	struct fixture *f = make_area(1024);
	static uint32_t ids[2000], sizes[2000];
	for (uint32_t i = 0; i < 2000; i++) {
		sizes[i] = 1 + i * 7 % ZSWAP_OBJECT_MAX;
		assert_int_equal(zswap_area_alloc(&f->area, sizes[i], &ids[i]), 0);
		uint32_t size;
		uint8_t *p = zswap_area_object(&f->area, ids[i], &size);
		assert_non_null(p);
		assert_true(size >= sizes[i]);
		memset(p, (int)(i & 0xff), size); /* the whole class size is ours */
	}
	for (uint32_t i = 0; i < 2000; i++) {
		uint32_t size;
		uint8_t *p = zswap_area_object(&f->area, ids[i], &size);
		for (uint32_t b = 0; b < size; b++)
			if (p[b] != (uint8_t)i)
				fail_msg("object %u (id %#x) byte %u was overwritten", i, ids[i], b);
	}
	assert_consistent(&f->area);
	free_area(f);
}

static void test_bad_ids_and_sizes_are_refused(void **state)
{
	(void)state;
	struct fixture *f = make_area(4);
	uint32_t id, size;
	assert_int_equal(zswap_area_alloc(&f->area, 0, &id), -E_INVAL);
	assert_int_equal(zswap_area_alloc(&f->area, ZSWAP_OBJECT_MAX + 1, &id), -E_INVAL);
	assert_int_equal(zswap_area_alloc(&f->area, 100, &id), 0);
	assert_int_equal(zswap_area_free(&f->area, id + 1), -E_INVAL);       /* a free slot */
	assert_int_equal(zswap_area_free(&f->area, 4u << 8), -E_INVAL);      /* past the area */
	assert_int_equal(zswap_area_free(&f->area, (id | 0xff)), -E_INVAL);  /* past the class */
	assert_null(zswap_area_object(&f->area, id + 1, &size));
	assert_int_equal(zswap_area_free(&f->area, id), 0);
	assert_int_equal(zswap_area_free(&f->area, id), -E_INVAL);           /* twice */
	assert_int_equal(f->area.pages_used, 0);
	assert_consistent(&f->area);
	free_area(f);
}

static void test_full_area_fails_cleanly_and_empties_again(void **state)
{
	(void)state;
	struct fixture *f = make_area(16);
	static uint32_t ids[1000];
	uint32_t n = 0;
	while (n < 1000 && zswap_area_alloc(&f->area, 1000, &ids[n]) == 0)
		n++;
	assert_true(n >= 16 * 4 - 4 && n < 1000); /* about 4 objects of 1008 per page */
	assert_int_equal(f->area.pages_used, 16);
	assert_consistent(&f->area);
	uint32_t small;
	assert_int_equal(zswap_area_alloc(&f->area, 20, &small), -E_NO_MEMORY);
	while (n)
		assert_int_equal(zswap_area_free(&f->area, ids[--n]), 0);
	assert_int_equal(f->area.pages_used, 0);
	assert_int_equal(f->area.objects, 0);
	assert_consistent(&f->area);
	free_area(f);
}

struct count_ctx {
	uint32_t seen;
};

static bool count_object(uint32_t id, void *object, void *ctx)
{
	(void)id;
	(void)object;
	((struct count_ctx *)ctx)->seen++;
	return true;
}

static uint8_t marker(uint32_t id)
{
	return (uint8_t)(id * 31 + (id >> 8) + 7);
}

/* Random allocations and frees against a model that remembers every
 * live object's id and contents. */
static void test_random_workload_matches_a_model(void **state)
{
	(void)state;
	struct fixture *f = make_area(AREA_PAGES);
	static uint32_t ids[LIVE_MAX], sizes[LIVE_MAX];
	uint32_t live = 0, full = 0;
	uint64_t rng = 42;
	for (int op = 0; op < STRESS_OPS; op++) {
		if (live && (pages_rand(&rng) % 5 < 2 || live == LIVE_MAX)) { /* drifts up to full */
			uint32_t k = (uint32_t)(pages_rand(&rng) % live), size;
			uint8_t *p = zswap_area_object(&f->area, ids[k], &size);
			assert_non_null(p);
			if (p[0] != marker(ids[k]) || p[sizes[k] - 1] != marker(ids[k]))
				fail_msg("op %d: object %#x lost its bytes", op, ids[k]);
			assert_int_equal(zswap_area_free(&f->area, ids[k]), 0);
			ids[k] = ids[--live], sizes[k] = sizes[live];
		} else {
			uint32_t n = 1 + (uint32_t)(pages_rand(&rng) % ZSWAP_OBJECT_MAX), id, size;
			if (zswap_area_alloc(&f->area, n, &id)) {
				full++;
				continue;
			}
			uint8_t *p = zswap_area_object(&f->area, id, &size);
			memset(p, marker(id), n);
			ids[live] = id, sizes[live++] = n;
		}
		assert_int_equal(f->area.objects, live);
		if (op % CHECK_EVERY == 0)
			assert_consistent(&f->area);
	}
	struct count_ctx c = { 0 };
	zswap_area_for_each(&f->area, count_object, &c);
	assert_int_equal(c.seen, live);
	assert_true(full > 0); /* the workload did reach a full area */
	free_area(f);
}

static void print_usage(const char *what, const struct zswap_area *a, uint64_t payload)
{
	struct zswap_usage u;
	zswap_area_usage(a, &u);
	uint64_t held = u.pages_used * TEST_PAGE;
	print_message("      %s: %llu objects, %llu payload bytes in %llu pages: %.1f%% of the pages unused "
		      "(class rounding %.1f%%, free slots %.1f%%, zspage tails %.1f%%)\n",
		      what, (unsigned long long)u.objects, (unsigned long long)payload, (unsigned long long)u.pages_used,
		      100.0 * (double)(held - payload) / (double)held,
		      100.0 * (double)(u.object_bytes - payload) / (double)held,
		      100.0 * (double)u.free_slot_bytes / (double)held, 100.0 * (double)u.tail_bytes / (double)held);
	assert_int_equal(u.object_bytes + u.free_slot_bytes + u.tail_bytes, held);
}

/* Sizes real pages compress to (when <= half a page), plus the store's
 * 8-byte header. Returns how many; *sizes is malloc'ed. */
static uint32_t real_object_sizes(uint32_t **sizes)
{
	size_t bytes = 8u << 20;
	uint8_t *corpus = malloc(bytes), out[COMPRESS_BOUND(TEST_PAGE)];
	bytes = pages_real_corpus(corpus, bytes);
	static struct compress_work work;
	uint32_t n = 0;
	*sizes = malloc(bytes / TEST_PAGE * sizeof(**sizes));
	for (size_t at = 0; at + TEST_PAGE <= bytes; at += TEST_PAGE) {
		size_t len = compress_block(corpus + at, TEST_PAGE, out, TEST_PAGE / 2, &work);
		if (len) /* else the store rule keeps the page resident */
			(*sizes)[n++] = (uint32_t)len + 8;
	}
	free(corpus);
	return n;
}

/* n objects of real sizes, then every third freed: what share of the
 * pages the area holds is not object payload (README quotes these). */
static void test_fragmentation_with_real_page_sizes(void **state)
{
	(void)state;
	const uint32_t populations[] = { 250, 1000, 4000 };
	uint32_t *sizes, nsizes = real_object_sizes(&sizes);
	assert_true(nsizes > 100);
	for (size_t k = 0; k < ARRAY_SIZE(populations); k++) {
		uint32_t n = populations[k], *ids = malloc(n * sizeof(*ids)), *lens = malloc(n * sizeof(*lens));
		struct fixture *f = make_area(4096);
		uint64_t rng = k + 1, payload = 0;
		for (uint32_t i = 0; i < n; i++) {
			lens[i] = sizes[pages_rand(&rng) % nsizes];
			assert_int_equal(zswap_area_alloc(&f->area, lens[i], &ids[i]), 0);
			payload += lens[i];
		}
		print_usage("filled", &f->area, payload);
		for (uint32_t i = 0; i < n; i += 3) {
			assert_int_equal(zswap_area_free(&f->area, ids[i]), 0);
			payload -= lens[i];
		}
		print_usage("a third freed", &f->area, payload);
		assert_consistent(&f->area);
		free_area(f);
		free(ids);
		free(lens);
	}
	free(sizes);
}

/* Fill with real sizes, free a random half, compact: every class ends
 * with the fewest zspages its objects need, every object keeps its bytes
 * under its new id, and the metadata stays consistent. */
static void test_compaction_frees_every_zspage_it_can(void **state)
{
	(void)state;
	const uint32_t n = 3000;
	uint32_t *sizes, nsizes = real_object_sizes(&sizes);
	uint32_t *ids = malloc(n * sizeof(*ids)), *lens = malloc(n * sizeof(*lens));
	bool *live = calloc(n, sizeof(*live));
	struct fixture *f = make_area(4096);
	uint64_t rng = 7, payload = 0;
	assert_int_equal(zswap_area_compact_begin(&f->area), 0); /* empty: nothing to move */
	zswap_area_compact_end(&f->area);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t size;
		lens[i] = sizes[pages_rand(&rng) % nsizes];
		assert_int_equal(zswap_area_alloc(&f->area, lens[i], &ids[i]), 0);
		memset(zswap_area_object(&f->area, ids[i], &size), (int)(i % 251), lens[i]);
		live[i] = true;
	}
	/* Filled in order, each class has at most one zspage with room. */
	assert_int_equal(zswap_area_compact_begin(&f->area), 0);
	zswap_area_compact_end(&f->area);
	for (uint32_t i = 0; i < n; i++)
		if (pages_rand(&rng) % 2) {
			assert_int_equal(zswap_area_free(&f->area, ids[i]), 0);
			live[i] = false;
		} else {
			payload += lens[i];
		}
	uint64_t before = f->area.pages_used, objects = f->area.objects;
	uint64_t promised = zswap_area_compactable_pages(&f->area);
	print_usage("half freed", &f->area, payload);
	uint64_t moving = zswap_area_compact_begin(&f->area), moved = 0;
	assert_true(moving > 0);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t old = ids[i];
		if (!live[i] || !zswap_area_evacuating(&f->area, old))
			continue;
		assert_int_equal(zswap_area_move(&f->area, old, &ids[i]), 0);
		assert_false(zswap_area_evacuating(&f->area, ids[i]));
		moved++;
	}
	assert_int_equal(moved, moving);
	uint32_t id;
	assert_int_equal(zswap_area_move(&f->area, ids[0] ^ 1u, &id), -E_INVAL); /* not evacuating */
	zswap_area_compact_end(&f->area);
	print_usage("compacted", &f->area, payload);
	assert_consistent(&f->area);
	assert_int_equal(f->area.objects, objects);
	assert_int_equal(f->area.pages_used, before - promised);
	assert_int_equal(zswap_area_compactable_pages(&f->area), 0);
	for (uint32_t k = 0; k < f->area.nclasses; k++) {
		const struct zswap_class *c = &f->area.classes[k];
		assert_int_equal(c->zspages, (c->used + c->objects - 1) / c->objects);
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t size;
		const uint8_t *p = live[i] ? zswap_area_object(&f->area, ids[i], &size) : NULL;
		if (!live[i])
			continue;
		assert_non_null(p);
		for (uint32_t b = 0; b < lens[i]; b++)
			if (p[b] != (uint8_t)(i % 251))
				fail_msg("object %u lost byte %u in the move", i, b);
	}
	free_area(f);
	free(ids);
	free(lens);
	free(live);
	free(sizes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes_cover_every_size_with_little_waste),
		cmocka_unit_test(test_objects_are_distinct_and_keep_their_bytes),
		cmocka_unit_test(test_bad_ids_and_sizes_are_refused),
		cmocka_unit_test(test_full_area_fails_cleanly_and_empties_again),
		cmocka_unit_test(test_random_workload_matches_a_model),
		cmocka_unit_test(test_fragmentation_with_real_page_sizes),
		cmocka_unit_test(test_compaction_frees_every_zspage_it_can),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
