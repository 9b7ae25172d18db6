/* tests/unit/test_vmx_controls.c — fitting VT-x controls to their
 * capability MSR (vmm/vmx/controls.c, vmx_adjust_controls()), hosted with
 * ASan/UBSan. A capability MSR (Intel SDM Vol. 3D A.3) has in its low half
 * the bits that must be 1 (allowed-0 settings) and in its high half those
 * that may be 1 (allowed-1 settings). The in-kernel test
 * (tests/kernel/vmx_caps_test.c) checks the same function inside memvisor;
 * this one runs without an emulator, on many synthetic MSRs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vmm/vmx/arch.h"
#include "vmm/vmx/vmx.h"
#include "kernel/errno.h"

/* vmx_compute_controls() asks it; vmx_adjust_controls() never does. */
bool vmx_vpid_usable(const struct vmx_caps *caps)
{
	(void)caps;
	return false;
}

static uint64_t cap_of(uint32_t must_be_one, uint32_t may_be_one)
{
	return (uint64_t)may_be_one << CTLS_ALLOWED1_SHIFT | must_be_one;
}

/* The handout's worked case: allowed-1 0xf0ff, allowed-0 0x16. */
static void test_required_bits_are_added_to_the_wanted_ones(void **state)
{
	(void)state;
	uint32_t out = 0xdead, missing = 0xdead;
	assert_int_equal(vmx_adjust_controls(0x81, cap_of(0x16, 0xf0ff), &out, &missing), 0);
	assert_int_equal(out, 0x97);
	assert_int_equal(missing, 0);
	assert_int_equal(vmx_adjust_controls(0, cap_of(0x16, 0xf0ff), &out, &missing), 0);
	assert_int_equal(out, 0x16); /* nobody asked: still required */
}

/* A wanted bit whose allowed-1 bit is clear is missing: every such bit is
 * named, and the fit fails (never dropped to carry on). */
static void test_every_impossible_bit_is_missing_and_refused(void **state)
{
	(void)state;
	uint32_t out = 0, missing = 0;
	assert_int_equal(vmx_adjust_controls(0x181, cap_of(0x16, 0xf0ff), &out, &missing), -E_NOT_SUPPORTED);
	assert_int_equal(missing, 0x100);
	assert_int_equal(vmx_adjust_controls(0x80000f01u, cap_of(0, 0xf0ff), &out, &missing), -E_NOT_SUPPORTED);
	assert_int_equal(missing, 0x80000f00u);
}

/* The halves mean opposite things: a set low bit forces a 1, a clear
 * high bit forbids one. An MSR whose halves differ much shows a swap. */
static void test_the_halves_are_not_swapped(void **state)
{
	(void)state;
	uint32_t out = 0, missing = 0;
	assert_int_equal(vmx_adjust_controls(0x0100, cap_of(0x0001, 0xffff), &out, &missing), 0);
	assert_int_equal(out, 0x0101);
	assert_int_equal(vmx_adjust_controls(0x0100, cap_of(0x0101, 0x0101), &out, &missing), 0);
	assert_int_equal(out, 0x0101);
}

/* Random MSRs (what must be 1 may be 1, as on every CPU) and wanted
 * sets, against the rule written out. */
static void test_random_fits_follow_the_rule(void **state)
{
	(void)state;
	srand(12);
	for (int i = 0; i < 20000; i++) {
		uint32_t may = (uint32_t)rand() ^ (uint32_t)rand() << 16;
		uint32_t must = may & ((uint32_t)rand() ^ (uint32_t)rand() << 16);
		uint32_t wanted = ((uint32_t)rand() ^ (uint32_t)rand() << 16) & (rand() % 2 ? may : ~0u);
		uint32_t out = 0x5a5a5a5a, missing = 0x5a5a5a5a;
		int rc = vmx_adjust_controls(wanted, cap_of(must, may), &out, &missing);
		if (missing != (wanted & ~may))
			fail_msg("wanted %#x, must %#x, may %#x: expected missing %#x, saw %#x", wanted, must, may,
				 wanted & ~may, missing);
		if (wanted & ~may) {
			if (rc != -E_NOT_SUPPORTED)
				fail_msg("wanted %#x, may %#x: expected -E_NOT_SUPPORTED, saw %d", wanted, may, rc);
		} else if (rc != 0 || out != (wanted | must)) {
			fail_msg("wanted %#x, must %#x, may %#x: expected 0 and %#x, saw %d and %#x", wanted, must, may,
				 wanted | must, rc, out);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_bits_are_added_to_the_wanted_ones),
		cmocka_unit_test(test_every_impossible_bit_is_missing_and_refused),
		cmocka_unit_test(test_the_halves_are_not_swapped),
		cmocka_unit_test(test_random_fits_follow_the_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
