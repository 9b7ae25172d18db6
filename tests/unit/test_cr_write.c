/* tests/unit/test_cr_write.c — MOV to CR0/CR4, CLTS and LMSW checked as
 * the CPU checks them (vmm/cpu/cr_write.c): each #GP(0) rule of the SDM's MOV
 * CR page, the bits that are ignored, and the writes memvisor declines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/cpu/cr_write.h"

/* A 64-bit guest as the runtime leaves it: paging, PAE, long mode. */
static const struct cr_state long_mode = {
	.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
	.cr3 = 0x1000,
	.cr4 = CR4_PAE,
	.efer = EFER_LME | EFER_LMA,
	.code64 = true,
};

/* The boot state: 32-bit protected mode, paging off. */
static const struct cr_state flat32 = { .cr0 = CR0_PE | CR0_ET | CR0_NE };

struct cr_case {
	const char *what;
	const struct cr_state *state;
	int cr;
	uint64_t value, reserved;
	int rc;
	uint64_t result;
};

#define LM (&long_mode)
#define F32 (&flat32)
#define LM_CR0 (CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG)

static const struct cr_case cases[] = {
	{ "clear NE", LM, 0, LM_CR0 & ~CR0_NE, 0, 0, LM_CR0 & ~CR0_NE },
	{ "reserved CR0 bit 6 is ignored", LM, 0, LM_CR0 | BIT(6), 0, 0, LM_CR0 },
	{ "ET stays 1", LM, 0, LM_CR0 & ~CR0_ET, 0, 0, LM_CR0 },
	{ "CR0 bit 32", LM, 0, LM_CR0 | BIT(32), 0, -E_INVAL, 0 },
	{ "PG without PE", LM, 0, LM_CR0 & ~CR0_PE, 0, -E_INVAL, 0 },
	{ "NW without CD", LM, 0, LM_CR0 | CR0_NW, 0, -E_INVAL, 0 },
	{ "NW with CD", LM, 0, LM_CR0 | CR0_NW | CR0_CD, 0, 0, LM_CR0 | CR0_NW | CR0_CD },
	{ "PG cleared in 64-bit mode", LM, 0, LM_CR0 & ~CR0_PG, 0, -E_INVAL, 0 },
	{ "a bit the backend reserves is dropped", LM, 0, LM_CR0 | CR0_AM, CR0_AM, 0, LM_CR0 },
	{ "paging on, long mode, no PAE", &(const struct cr_state){ .cr0 = CR0_PE | CR0_ET, .efer = EFER_LME }, 0,
	  CR0_PE | CR0_ET | CR0_PG, 0, -E_INVAL, 0 },
	{ "paging on into long mode", &(const struct cr_state){ .cr0 = CR0_PE | CR0_ET, .cr4 = CR4_PAE, .efer = EFER_LME },
	  0, CR0_PE | CR0_ET | CR0_PG, 0, 0, CR0_PE | CR0_ET | CR0_PG },
	{ "PAE paging outside long mode is declined", &(const struct cr_state){ .cr0 = CR0_PE | CR0_ET, .cr4 = CR4_PAE },
	  0, CR0_PE | CR0_ET | CR0_PG, 0, -E_NOT_SUPPORTED, 0 },
	{ "WP cleared under CET", &(const struct cr_state){ .cr0 = LM_CR0, .cr4 = CR4_PAE | CR4_CET,
							    .efer = EFER_LME | EFER_LMA, .code64 = true },
	  0, LM_CR0 & ~CR0_WP, 0, -E_INVAL, 0 },
	{ "boot: PE cleared (real mode)", F32, 0, CR0_ET | CR0_NE, 0, 0, CR0_ET | CR0_NE },
	{ "VMXE reserved by the backend", LM, 4, CR4_PAE | CR4_VMXE, CR4_VMXE, -E_INVAL, 0 },
	{ "CR4 bit 32", LM, 4, CR4_PAE | BIT(32), 0, -E_INVAL, 0 },
	{ "PAE cleared in long mode", LM, 4, 0, 0, -E_INVAL, 0 },
	{ "LA57 changed in long mode", LM, 4, CR4_PAE | CR4_LA57, 0, -E_INVAL, 0 },
	{ "PCIDE with CR3[11:0] set", &(const struct cr_state){ .cr0 = LM_CR0, .cr3 = 0x1001, .cr4 = CR4_PAE,
								.efer = EFER_LME | EFER_LMA, .code64 = true },
	  4, CR4_PAE | CR4_PCIDE, 0, -E_INVAL, 0 },
	{ "PCIDE outside long mode", F32, 4, CR4_PCIDE, 0, -E_INVAL, 0 },
	{ "PCIDE in long mode", LM, 4, CR4_PAE | CR4_PCIDE, 0, 0, CR4_PAE | CR4_PCIDE },
	{ "CET with WP clear", &(const struct cr_state){ .cr0 = LM_CR0 & ~CR0_WP, .cr4 = CR4_PAE,
							 .efer = EFER_LME | EFER_LMA, .code64 = true },
	  4, CR4_PAE | CR4_CET, 0, -E_INVAL, 0 },
	{ "boot: PAE on, paging off", F32, 4, CR4_PAE, 0, 0, CR4_PAE },
	{ "PAE on with 32-bit paging on is declined", &(const struct cr_state){ .cr0 = CR0_PE | CR0_ET | CR0_PG }, 4,
	  CR4_PAE, 0, -E_NOT_SUPPORTED, 0 },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cr_case *c = &cases[i];
		uint64_t result = 0;
		const char *why = "";
		int rc = c->cr == 0 ? cr0_write_check(c->state, c->value, c->reserved, &result, &why)
				    : cr4_write_check(c->state, c->value, c->reserved, &result, &why);
		if (rc != c->rc)
			fail_msg("%s: expected rc %d, seen %d (%s)", c->what, c->rc, rc, why);
		if (!rc && result != c->result)
			fail_msg("%s: expected CR%d %#llx, seen %#llx", c->what, c->cr, (unsigned long long)c->result,
				 (unsigned long long)result);
		if (rc && !*why)
			fail_msg("%s: rc %d without a reason", c->what, rc);
	}
}

static void test_clts_and_lmsw(void **state)
{
	(void)state;
	assert_int_equal(cr0_after_clts(LM_CR0 | CR0_TS), LM_CR0);
	/* LMSW loads MP, EM, TS and may set PE, never clear it. */
	assert_int_equal(cr0_after_lmsw(LM_CR0, CR0_MP | CR0_TS), LM_CR0 | CR0_MP | CR0_TS);
	assert_int_equal(cr0_after_lmsw(LM_CR0 | CR0_EM, 0), LM_CR0);
	assert_int_equal(cr0_after_lmsw(CR0_ET, CR0_PE), CR0_ET | CR0_PE);
	/* Bits above 3 of the source are not LMSW's. */
	assert_int_equal(cr0_after_lmsw(CR0_PE | CR0_ET, 0xfff0), CR0_PE | CR0_ET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_clts_and_lmsw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
