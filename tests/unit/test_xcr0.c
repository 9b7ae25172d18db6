/* tests/unit/test_xcr0.c — the XCR0 values XSETBV accepts (vmm/cpu/xcr0.c),
 * as SDM Vol. 1 13.3 lists them: memvisor emulates XSETBV for its guests
 * and must raise #GP exactly where hardware does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/cpu/xcr0.h"

/* A CPU with x87, SSE, AVX, AVX-512 and PKRU (no MPX, no AMX). */
#define SKYLAKE_SERVER (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU)

static void test_usual_values_are_accepted(void **state)
{
	(void)state;
	assert_true(xcr0_valid(XCR0_X87, SKYLAKE_SERVER));
	assert_true(xcr0_valid(XCR0_X87 | XCR0_SSE, SKYLAKE_SERVER));
	assert_true(xcr0_valid(XCR0_X87 | XCR0_SSE | XCR0_AVX, SKYLAKE_SERVER));
	assert_true(xcr0_valid(SKYLAKE_SERVER, SKYLAKE_SERVER));
	assert_true(xcr0_valid(XCR0_X87 | XCR0_PKRU, SKYLAKE_SERVER));
}

static void test_x87_cannot_be_disabled(void **state)
{
	(void)state;
	assert_false(xcr0_valid(0, SKYLAKE_SERVER));
	assert_false(xcr0_valid(XCR0_SSE, SKYLAKE_SERVER));
	assert_false(xcr0_valid(XCR0_SSE | XCR0_AVX, SKYLAKE_SERVER));
}

static void test_avx_needs_sse(void **state)
{
	(void)state;
	assert_false(xcr0_valid(XCR0_X87 | XCR0_AVX, SKYLAKE_SERVER));
}

static void test_avx512_is_all_or_nothing_and_needs_avx(void **state)
{
	(void)state;
	uint64_t base = XCR0_X87 | XCR0_SSE | XCR0_AVX;
	assert_false(xcr0_valid(base | XCR0_OPMASK, SKYLAKE_SERVER));
	assert_false(xcr0_valid(base | XCR0_OPMASK | XCR0_ZMM_HI256, SKYLAKE_SERVER));
	assert_false(xcr0_valid(base | XCR0_HI16_ZMM, SKYLAKE_SERVER));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_SSE | XCR0_AVX512, SKYLAKE_SERVER));
}

static void test_mpx_and_amx_pairs(void **state)
{
	(void)state;
	uint64_t all = SKYLAKE_SERVER | XCR0_MPX | XCR0_AMX;
	assert_true(xcr0_valid(XCR0_X87 | XCR0_MPX, all));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_BNDREGS, all));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_BNDCSR, all));
	assert_true(xcr0_valid(XCR0_X87 | XCR0_AMX, all));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_TILEDATA, all));
}

static void test_unsupported_and_reserved_bits_fault(void **state)
{
	(void)state;
	uint64_t sse_only = XCR0_X87 | XCR0_SSE;
	assert_false(xcr0_valid(XCR0_X87 | XCR0_SSE | XCR0_AVX, sse_only));
	assert_false(xcr0_valid(XCR0_X87 | XCR0_MPX, SKYLAKE_SERVER));
	assert_false(xcr0_valid(XCR0_X87 | BIT(8), SKYLAKE_SERVER)); /* a supervisor (XSS) component */
	assert_false(xcr0_valid(XCR0_X87 | BIT(63), SKYLAKE_SERVER));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usual_values_are_accepted),
		cmocka_unit_test(test_x87_cannot_be_disabled),
		cmocka_unit_test(test_avx_needs_sse),
		cmocka_unit_test(test_avx512_is_all_or_nothing_and_needs_avx),
		cmocka_unit_test(test_mpx_and_amx_pairs),
		cmocka_unit_test(test_unsupported_and_reserved_bits_fault),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
