/* tests/unit/test_balloon_batch.c — checking balloon batches
 * (vmm/balloon/batch.c) and what an accepted one does to the PMAP and the
 * frame table (vmm/balloon/pages.c): which frames are freed, shared ones
 * counted right. Hosted with ASan/UBSan, against naive models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/balloon/batch.h"
#include "kernel/errno.h"

#define PAGES 1024
#define MEM_BYTES ((uint64_t)PAGES * PAGE_SIZE)
#define NO_CAP UINT64_MAX

static pmap_entry_t storage[PAGES];
static uint64_t scratch[HC_BALLOON_BATCH_MAX];

/* gfns 0..9 private (frame gfn + 1), 10 untouched, 11 ballooned,
 * 12 compressed, 13 shared (frame 30); the rest untouched. */
static void setup_pmap(struct pmap *pm)
{
	pmap_init(pm, storage, PAGES);
	for (uint64_t g = 0; g < 10; g++)
		pmap_set_private(pm, (gfn_t){ g }, mfn(g + 1));
	pmap_set_private(pm, (gfn_t){ 11 }, mfn(20));
	pmap_set_ballooned(pm, (gfn_t){ 11 });
	pmap_set_private(pm, (gfn_t){ 12 }, mfn(21));
	pmap_set_compressed(pm, (gfn_t){ 12 }, 5);
	pmap_set_private(pm, (gfn_t){ 13 }, mfn(30));
	pmap_set_shared(pm, (gfn_t){ 13 }, mfn(30)); /* merged: only a PRIVATE page is */
}

static void check(const struct pmap *pm, enum balloon_op op, const uint64_t *gfns, uint32_t n, uint64_t room,
		  int want_error, uint32_t want_entry)
{
	struct balloon_verdict v;
	memset(&v, 0x5a, sizeof(v)); /* a verdict is written, never assumed: a passing batch must say error 0 */
	uint64_t copy[HC_BALLOON_BATCH_MAX];
	memcpy(copy, gfns, n * sizeof(uint64_t));
	balloon_check_gfns(pm, op, gfns, n, room, scratch, &v);
	if (v.error != want_error || v.entry != want_entry)
		fail_msg("expected error %d at entry %u, seen %d at entry %u (%s)", want_error, want_entry, v.error,
			 v.entry, v.why);
	assert_memory_equal(copy, gfns, n * sizeof(uint64_t)); /* the batch is not reordered */
}

static void test_header(void **state)
{
	(void)state;
	static const struct {
		uint64_t gpa, count;
		int error;
	} cases[] = {
		{ 0x1000, 1, 0 },
		{ MEM_BYTES - PAGE_SIZE, HC_BALLOON_BATCH_MAX, 0 }, /* the last page, full */
		{ 0x1000, 0, -HC_E_INVAL },
		{ 0x1000, HC_BALLOON_BATCH_MAX + 1, -HC_E_2BIG },
		{ 0x1000, UINT64_MAX, -HC_E_2BIG },           /* count * 8 would wrap */
		{ 0x1000 + 8, 1, -HC_E_INVAL },               /* unaligned            */
		{ MEM_BYTES, 1, -HC_E_FAULT },                /* just beyond          */
		{ UINT64_MAX & ~(PAGE_SIZE - 1), 1, -HC_E_FAULT },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct balloon_verdict v;
		balloon_check_header(cases[i].gpa, cases[i].count, MEM_BYTES, &v);
		if (v.error != cases[i].error)
			fail_msg("case %zu (gpa %#llx count %llu): expected %d, seen %d (%s)", i,
				 (unsigned long long)cases[i].gpa, (unsigned long long)cases[i].count, cases[i].error,
				 v.error, v.why);
	}
}

/* Inflate takes what holds contents: private, shared, and compressed
 * (memvisor may compress a page after the driver touched it). */
static void test_inflate_takes_private_shared_and_compressed_pages_only(void **state)
{
	(void)state;
	struct pmap pm;
	setup_pmap(&pm);
	uint64_t good[] = { 0, 1, 13 }, compressed[] = { 2, 12 };
	check(&pm, BALLOON_INFLATE, good, 3, NO_CAP, 0, BALLOON_NO_ENTRY);
	check(&pm, BALLOON_INFLATE, compressed, 2, NO_CAP, 0, BALLOON_NO_ENTRY);
	uint64_t untouched[] = { 0, 1, 10 }, ballooned[] = { 11, 0 };
	check(&pm, BALLOON_INFLATE, untouched, 3, NO_CAP, -HC_E_PERM, 2);
	check(&pm, BALLOON_INFLATE, ballooned, 2, NO_CAP, -HC_E_PERM, 0);
}

static void test_gfns_outside_the_vm(void **state)
{
	(void)state;
	struct pmap pm;
	setup_pmap(&pm);
	uint64_t beyond[] = { 0, PAGES }, huge[] = { UINT64_MAX };
	check(&pm, BALLOON_INFLATE, beyond, 2, NO_CAP, -HC_E_FAULT, 1);
	check(&pm, BALLOON_DEFLATE, huge, 1, NO_CAP, -HC_E_FAULT, 0);
	uint64_t wraps[] = { 1, 1ull << 52 }; /* gfn * PAGE_SIZE is 2^64: 0 in 64 bits */
	check(&pm, BALLOON_INFLATE, wraps, 2, NO_CAP, -HC_E_FAULT, 1);
}

static void test_duplicates_name_the_second_entry(void **state)
{
	(void)state;
	struct pmap pm;
	setup_pmap(&pm);
	uint64_t twice[] = { 3, 0, 1, 2, 3 };
	check(&pm, BALLOON_INFLATE, twice, 5, NO_CAP, -HC_E_INVAL, 4);
	uint64_t deflate_twice[] = { 11, 11 };
	check(&pm, BALLOON_DEFLATE, deflate_twice, 2, NO_CAP, -HC_E_INVAL, 1);
	uint64_t sorts_elsewhere[] = { 7, 7, 1, 0 }; /* sorted, the repeat is at index 3 */
	check(&pm, BALLOON_INFLATE, sorts_elsewhere, 4, NO_CAP, -HC_E_INVAL, 1);
}

/* The verdict names the first bad entry, whichever way it is bad; the
 * entries before the duplicates; the duplicates before the room. */
static void test_the_first_bad_entry_and_the_order_of_the_checks(void **state)
{
	(void)state;
	struct pmap pm;
	setup_pmap(&pm);
	uint64_t untouched_then_outside[] = { 1, 10, PAGES };
	check(&pm, BALLOON_INFLATE, untouched_then_outside, 3, NO_CAP, -HC_E_PERM, 1);
	uint64_t twice_then_untouched[] = { 3, 3, 10 };
	check(&pm, BALLOON_INFLATE, twice_then_untouched, 3, NO_CAP, -HC_E_PERM, 2);
	uint64_t twice_and_too_many[] = { 0, 0, 1 };
	check(&pm, BALLOON_INFLATE, twice_and_too_many, 3, 1, -HC_E_INVAL, 1);
}

/* No gfn, nothing wrong: the header refuses such a batch before, but the
 * checker must not read before its start (count - 1 on a uint32_t). */
static void test_an_empty_batch_is_accepted(void **state)
{
	(void)state;
	struct pmap pm;
	setup_pmap(&pm);
	uint64_t none[1] = { 0 };
	check(&pm, BALLOON_INFLATE, none, 0, NO_CAP, 0, BALLOON_NO_ENTRY);
	check(&pm, BALLOON_DEFLATE, none, 0, NO_CAP, 0, BALLOON_NO_ENTRY);
}

static void test_deflate_takes_ballooned_pages_only(void **state)
{
	(void)state;
	struct pmap pm;
	setup_pmap(&pm);
	uint64_t good[] = { 11 }, private_page[] = { 11, 4 };
	check(&pm, BALLOON_DEFLATE, good, 1, NO_CAP, 0, BALLOON_NO_ENTRY);
	check(&pm, BALLOON_DEFLATE, private_page, 2, NO_CAP, -HC_E_PERM, 1);
}

static void test_cap(void **state)
{
	(void)state;
	struct pmap pm;
	setup_pmap(&pm);
	uint64_t three[] = { 0, 1, 2 }, ballooned[] = { 11 };
	check(&pm, BALLOON_INFLATE, three, 3, 3, 0, BALLOON_NO_ENTRY);
	check(&pm, BALLOON_INFLATE, three, 3, 2, -HC_E_NOSPC, BALLOON_NO_ENTRY);
	check(&pm, BALLOON_DEFLATE, ballooned, 1, 0, 0, BALLOON_NO_ENTRY); /* deflating needs no room */
}

/* Random full batches against a naive O(n^2) model of the rules. */
static void test_random_batches_match_a_model(void **state)
{
	(void)state;
	struct pmap pm;
	pmap_init(&pm, storage, PAGES);
	for (uint64_t g = 0; g < PAGES; g += 2)
		pmap_set_private(&pm, (gfn_t){ g }, mfn(g + 1)); /* even gfns hold a frame */
	pmap_entry_t before[PAGES];
	memcpy(before, storage, sizeof(before));
	srand(8);
	for (int round = 0; round < 300; round++) {
		uint64_t gfns[HC_BALLOON_BATCH_MAX];
		uint32_t n = 1 + (uint32_t)rand() % HC_BALLOON_BATCH_MAX;
		for (uint32_t i = 0; i < n; i++)
			gfns[i] = (uint64_t)(rand() % (PAGES / 2)) * 2 + (rand() % 400 == 0); /* odd: untouched */
		int want = 0;
		uint32_t want_entry = BALLOON_NO_ENTRY;
		for (uint32_t i = 0; i < n && !want; i++)
			if (gfns[i] % 2)
				want = -HC_E_PERM, want_entry = i;
		for (uint32_t j = 1; j < n && !want; j++)
			for (uint32_t i = 0; i < j && !want; i++)
				if (gfns[i] == gfns[j])
					want = -HC_E_INVAL, want_entry = j;
		/* The model names the first second-occurrence by position; the
		 * checker names some duplicate: compare only when unique. */
		struct balloon_verdict v;
		balloon_check_gfns(&pm, BALLOON_INFLATE, gfns, n, NO_CAP, scratch, &v);
		if (v.error != want)
			fail_msg("round %d (%u gfns): expected %d, seen %d (%s)", round, n, want, v.error, v.why);
		if (want == -HC_E_PERM)
			assert_int_equal(v.entry, want_entry);
		if (want == -HC_E_INVAL) { /* the second occurrence: one earlier entry with its gfn */
			unsigned earlier = 0;
			for (uint32_t i = 0; i < v.entry && v.entry < n; i++)
				earlier += gfns[i] == gfns[v.entry];
			if (earlier != 1)
				fail_msg("round %d: entry %u (gfn %llu) has %u earlier occurrences, expected 1 (the second "
					 "occurrence)", round, v.entry, v.entry < n ? (unsigned long long)gfns[v.entry] : 0ull,
					 earlier);
		}
	}
	assert_memory_equal(before, storage, sizeof(before)); /* checking changes nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_inflate_takes_private_shared_and_compressed_pages_only),
		cmocka_unit_test(test_gfns_outside_the_vm),
		cmocka_unit_test(test_duplicates_name_the_second_entry),
		cmocka_unit_test(test_deflate_takes_ballooned_pages_only),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_the_first_bad_entry_and_the_order_of_the_checks),
		cmocka_unit_test(test_an_empty_batch_is_accepted),
		cmocka_unit_test(test_random_batches_match_a_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
