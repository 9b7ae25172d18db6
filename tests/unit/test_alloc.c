/* tests/unit/test_alloc.c — guests=' shares=, reservation= and limit=
 * parsed and checked (vmm/policy/alloc.c), hosted with ASan/UBSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/policy/alloc.h"
#include "kernel/errno.h"

#define MEM_16M (16ull << 20)
#define PAGES_16M (MEM_16M / 4096)

static void test_defaults_are_normal_shares_no_reservation_whole_limit(void **state)
{
	(void)state;
	struct vm_alloc a;
	alloc_defaults(&a, 1ull << 30);
	assert_int_equal(a.shares, ALLOC_SHARES_NORMAL);
	assert_int_equal(a.reservation, 0);
	assert_int_equal(a.limit, (1ull << 30) / 4096);
	alloc_defaults(&a, MEM_16M); /* 1000 per GiB of 16 MiB: 15.6, rounded */
	assert_int_equal(a.shares, 16);
	alloc_defaults(&a, 2ull << 20); /* 1.95: rounded to 2, never 0 */
	assert_int_equal(a.shares, 2);
}

static void test_levels_are_per_gib_and_numbers_are_outright(void **state)
{
	(void)state;
	char msg[160];
	struct vm_alloc a;
	alloc_defaults(&a, 2ull << 30);
	assert_int_equal(alloc_parse_word(&a, "shares=low", 2ull << 30, msg, sizeof(msg)), 1);
	assert_int_equal(a.shares, 1000);
	assert_int_equal(alloc_parse_word(&a, "shares=high", 2ull << 30, msg, sizeof(msg)), 1);
	assert_int_equal(a.shares, 4000);
	assert_int_equal(alloc_parse_word(&a, "shares=normal", 2ull << 30, msg, sizeof(msg)), 1);
	assert_int_equal(a.shares, 2000);
	assert_int_equal(alloc_parse_word(&a, "shares=1234", 2ull << 30, msg, sizeof(msg)), 1);
	assert_int_equal(a.shares, 1234);
}

static void test_sizes_become_pages(void **state)
{
	(void)state;
	char msg[160];
	struct vm_alloc a;
	alloc_defaults(&a, MEM_16M);
	assert_int_equal(alloc_parse_word(&a, "reservation=4M", MEM_16M, msg, sizeof(msg)), 1);
	assert_int_equal(a.reservation, 1024);
	assert_int_equal(alloc_parse_word(&a, "limit=8192K", MEM_16M, msg, sizeof(msg)), 1);
	assert_int_equal(a.limit, 2048);
	assert_int_equal(alloc_check_vm(&a, MEM_16M, msg, sizeof(msg)), 0);
}

static void test_other_words_are_the_guests(void **state)
{
	(void)state;
	char msg[160];
	struct vm_alloc a, before;
	alloc_defaults(&a, MEM_16M);
	before = a;
	static const char *const words[] = { "passes=3", "share=off", "limits=4M", "shares", "touch=1M" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		assert_int_equal(alloc_parse_word(&a, words[i], MEM_16M, msg, sizeof(msg)), 0);
	assert_memory_equal(&a, &before, sizeof(a));
}

/* Each bad word is refused, leaving the settings as they were; its
 * message quotes what was seen (key and value, then a colon) and says
 * what was expected. */
static void test_bad_words_are_refused_naming_what_was_expected(void **state)
{
	(void)state;
	static const struct {
		const char *word, *seen, *expected;
	} cases[] = {
		{ "shares=0", "shares=0", "expected low, normal, high or a number" },
		{ "shares=", "shares=:", "expected low, normal, high or a number" },
		{ "shares=lots", "shares=lots", "expected low, normal, high or a number" },
		{ "shares=HIGH", "shares=HIGH", "expected low, normal, high or a number" },
		{ "shares=-5", "shares=-5", "expected low, normal, high or a number" },
		{ "shares=1000000001", "shares=1000000001", "from 1 to 1000000000" },
		{ "reservation=1x", "reservation=1x", "expected a size in whole 4K pages" },
		{ "reservation=5000", "reservation=5000", "expected a size in whole 4K pages" },
		{ "limit=", "limit=:", "expected a size" },
		{ "limit=99999999999999999999", "limit=99999999999999999999", "expected a size" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[160] = "";
		struct vm_alloc a, before;
		alloc_defaults(&a, MEM_16M);
		before = a;
		int rc = alloc_parse_word(&a, cases[i].word, MEM_16M, msg, sizeof(msg));
		if (rc != -E_INVAL || !strstr(msg, cases[i].expected) || !strstr(msg, cases[i].seen))
			fail_msg("%s: expected -E_INVAL and \"%s\" quoting '%s', saw %d \"%s\"", cases[i].word,
				 cases[i].expected, cases[i].seen, rc, msg);
		assert_memory_equal(&a, &before, sizeof(a));
	}
}

static void test_settings_are_checked_against_each_other_and_the_vm(void **state)
{
	(void)state;
	char msg[160];
	struct vm_alloc a;
	alloc_defaults(&a, MEM_16M);
	a.limit = PAGES_16M + 1;
	assert_int_equal(alloc_check_vm(&a, MEM_16M, msg, sizeof(msg)), -E_INVAL);
	assert_string_equal(msg, "limit=16388K: expected at most the VM's memory, 16384K");
	a.limit = 1024;
	a.reservation = 1025;
	assert_int_equal(alloc_check_vm(&a, MEM_16M, msg, sizeof(msg)), -E_INVAL);
	assert_string_equal(msg, "reservation=4100K: expected at most the limit, 4096K");
	a.reservation = 1024; /* equal is fine: a VM held at one size */
	assert_int_equal(alloc_check_vm(&a, MEM_16M, msg, sizeof(msg)), 0);
}

static void test_reservations_must_fit_in_guest_mem(void **state)
{
	(void)state;
	char msg[160];
	assert_int_equal(alloc_check_reservations(2048, 2048, msg, sizeof(msg)), 0);
	assert_int_equal(alloc_check_reservations(2049, 2048, msg, sizeof(msg)), -E_RANGE);
	assert_string_equal(msg, "the reservations add up to 8196K: expected at most guest_mem, 8192K");
}

static void test_only_what_is_above_the_reservation_is_reclaimable(void **state)
{
	(void)state;
	struct vm_alloc a = { .shares = 1, .reservation = 100, .limit = 1000 };
	assert_int_equal(alloc_reclaimable(&a, 350), 250);
	assert_int_equal(alloc_reclaimable(&a, 100), 0);
	assert_int_equal(alloc_reclaimable(&a, 40), 0); /* below it already: nothing, never a wrap */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_normal_shares_no_reservation_whole_limit),
		cmocka_unit_test(test_levels_are_per_gib_and_numbers_are_outright),
		cmocka_unit_test(test_sizes_become_pages),
		cmocka_unit_test(test_other_words_are_the_guests),
		cmocka_unit_test(test_bad_words_are_refused_naming_what_was_expected),
		cmocka_unit_test(test_settings_are_checked_against_each_other_and_the_vm),
		cmocka_unit_test(test_reservations_must_fit_in_guest_mem),
		cmocka_unit_test(test_only_what_is_above_the_reservation_is_reclaimable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
