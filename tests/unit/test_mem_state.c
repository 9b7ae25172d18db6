/* tests/unit/test_mem_state.c — memory states and their hysteresis
 * (vmm/policy/mem_state.c), hosted with ASan/UBSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/policy/mem_state.h"
#include "kernel/errno.h"

static struct mem_thresholds defaults(void)
{
	struct mem_thresholds t;
	char msg[160];
	assert_int_equal(mem_thresholds_parse(MEM_THRESHOLDS_DEFAULT, &t, msg, sizeof(msg)), 0);
	return t;
}

static void test_defaults_parse(void **state)
{
	(void)state;
	struct mem_thresholds t = defaults();
	assert_int_equal(t.pct[MEM_HIGH], 6);
	assert_int_equal(t.pct[MEM_SOFT], 4);
	assert_int_equal(t.pct[MEM_HARD], 2);
	assert_int_equal(t.pct[MEM_LOW], 1);
}

static void test_bad_forms_are_refused_with_a_reason(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "6,4,2", "needs four numbers" },   { "6,4,2,1,0", "after the fourth" },
		{ "6;4;2;1", "needs four numbers" }, { "4,6,2,1", "does not fall" },
		{ "6,4,4,1", "does not fall" },      { "101,4,2,1", "above 100" },
		{ "a,4,2,1", "not a list" },         { "6,4,2,0", "never block" },
		{ "", "not a list" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mem_thresholds t;
		char msg[160] = "";
		int rc = mem_thresholds_parse(cases[i].text, &t, msg, sizeof(msg));
		if (rc != -E_INVAL || !strstr(msg, cases[i].why))
			fail_msg("'%s': expected -E_INVAL and \"%s\", seen %d \"%s\"", cases[i].text, cases[i].why, rc, msg);
	}
}

/* Free memory falling from 100% to 0 and back, in 0.5% steps of 1000 pages. */
static void test_states_fall_in_order_and_rise_with_hysteresis(void **state)
{
	(void)state;
	struct mem_thresholds t = defaults();
	const uint64_t total = 1000;
	enum mem_state s = MEM_HIGH;
	uint64_t entered_down[MEM_STATE_COUNT] = { 0 }, entered_up[MEM_STATE_COUNT] = { 0 };
	for (int64_t free = 1000; free >= 0; free -= 5) {
		enum mem_state n = mem_state_next(s, (uint64_t)free, total, &t);
		assert_true(n >= s); /* never up while falling */
		if (n != s)
			entered_down[n] = (uint64_t)free;
		s = n;
	}
	assert_int_equal(s, MEM_LOW);
	for (uint64_t free = 0; free <= 1000; free += 5) {
		enum mem_state n = mem_state_next(s, free, total, &t);
		assert_true(n <= s);
		if (n != s)
			entered_up[n] = free;
		s = n;
	}
	assert_int_equal(s, MEM_HIGH);
	/* Down: below 4% soft, below 2% hard, below 1% low. */
	assert_int_equal(entered_down[MEM_SOFT], 35);
	assert_int_equal(entered_down[MEM_HARD], 15);
	assert_int_equal(entered_down[MEM_LOW], 5);
	/* Up: hard at 2%, soft at 4%, high at 6%. */
	assert_int_equal(entered_up[MEM_HARD], 20);
	assert_int_equal(entered_up[MEM_SOFT], 40);
	assert_int_equal(entered_up[MEM_HIGH], 60);
}

static void test_no_flapping_inside_a_band(void **state)
{
	(void)state;
	struct mem_thresholds t = defaults();
	enum mem_state s = mem_state_next(MEM_HIGH, 30, 1000, &t); /* 3%: soft */
	assert_int_equal(s, MEM_SOFT);
	for (uint64_t free = 41; free < 60; free += 3) /* 4.1% .. 5.9% */
		assert_int_equal(mem_state_next(s, free, 1000, &t), MEM_SOFT);
}

static void test_a_sudden_drop_goes_straight_down(void **state)
{
	(void)state;
	struct mem_thresholds t = defaults();
	assert_int_equal(mem_state_next(MEM_HIGH, 0, 1000, &t), MEM_LOW);
	assert_int_equal(mem_state_next(MEM_LOW, 1000, 1000, &t), MEM_HIGH); /* and straight up */
	assert_int_equal(mem_state_next(MEM_LOW, 30, 1000, &t), MEM_HARD);  /* 3%: past hard's 2% only */
	assert_string_equal(mem_state_name(MEM_HARD), "hard");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_parse),
		cmocka_unit_test(test_bad_forms_are_refused_with_a_reason),
		cmocka_unit_test(test_states_fall_in_order_and_rise_with_hysteresis),
		cmocka_unit_test(test_no_flapping_inside_a_band),
		cmocka_unit_test(test_a_sudden_drop_goes_straight_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
