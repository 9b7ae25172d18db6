/* tests/unit/test_balloon_plan.c — balloon targets as text
 * (vmm/balloon/plan.c): `balloon VM PAGES|SIZE` and the balloon= schedule.
 * Hosted with ASan/UBSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/balloon/plan.h"
#include "kernel/errno.h"

static void test_pages_and_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int rc;
		uint64_t pages;
	} cases[] = {
		{ "0", 0, 0 },       { "4096", 0, 4096 }, { "0x100", 0, 256 }, { "16M", 0, 4096 },
		{ "4K", 0, 1 },      { "1G", 0, 262144 }, { "6K", -E_INVAL, 0 }, /* not whole pages */
		{ "", -E_INVAL, 0 }, { "12Q", -E_INVAL, 0 }, { "M", -E_INVAL, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t pages = 0;
		int rc = balloon_parse_pages(cases[i].text, &pages);
		if (rc != cases[i].rc || (!rc && pages != cases[i].pages))
			fail_msg("'%s': expected %d/%llu, seen %d/%llu", cases[i].text, cases[i].rc,
				 (unsigned long long)cases[i].pages, rc, (unsigned long long)pages);
	}
}

static void test_a_schedule_per_vm(void **state)
{
	(void)state;
	static struct balloon_plan plan;
	char msg[160];
	assert_int_equal(balloon_plan_parse("workset:12M:0:12M:0,2:100", &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.nvms, 2);
	assert_string_equal(plan.vms[0].vm, "workset");
	assert_int_equal(plan.vms[0].nsteps, 4);
	uint64_t want[] = { 3072, 0, 3072, 0 };
	assert_memory_equal(plan.vms[0].steps, want, sizeof(want));
	assert_string_equal(plan.vms[1].vm, "2");
	assert_int_equal(plan.vms[1].nsteps, 1);
	assert_int_equal(plan.vms[1].steps[0], 100);
	assert_int_equal(balloon_plan_parse("", &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.nvms, 0);
}

static void test_mistakes_are_named(void **state)
{
	(void)state;
	static struct balloon_plan plan;
	static const struct {
		const char *text, *says;
	} cases[] = {
		{ "workset", "expected a VM and its targets at 'workset'" },
		{ "workset:", "not a target: ''" },
		{ "workset:1M:zz", "not a target: 'zz'" },
		{ ":1M", "expected a VM and its targets at ''" },
		{ "a:1,a:2", "a second schedule for 'a'" },
		{ "a:1,,b:2", "expected a VM and its targets at ''" },
		{ "averyveryveryveryveryverylongname:1", "expected a VM and its targets" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[160] = "";
		int rc = balloon_plan_parse(cases[i].text, &plan, msg, sizeof(msg));
		if (rc != -E_INVAL || !strstr(msg, cases[i].says))
			fail_msg("'%s': expected -E_INVAL saying \"%s\", seen %d \"%s\"", cases[i].text, cases[i].says,
				 rc, msg);
	}
}

static void test_too_many_targets(void **state)
{
	(void)state;
	static struct balloon_plan plan;
	char text[BALLOON_PLAN_STEPS * 2 + 16] = "vm", msg[160];
	for (int i = 0; i < BALLOON_PLAN_STEPS; i++)
		strcat(text, ":1");
	assert_int_equal(balloon_plan_parse(text, &plan, msg, sizeof(msg)), 0);
	assert_int_equal(plan.vms[0].nsteps, BALLOON_PLAN_STEPS);
	strcat(text, ":1");
	assert_int_equal(balloon_plan_parse(text, &plan, msg, sizeof(msg)), -E_INVAL);
	assert_non_null(strstr(msg, "more than"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_and_sizes),
		cmocka_unit_test(test_a_schedule_per_vm),
		cmocka_unit_test(test_mistakes_are_named),
		cmocka_unit_test(test_too_many_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
