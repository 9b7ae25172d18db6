/* tests/kernel/trap_test.c — exceptions reach the IDT's handlers with the
 * right vector, error code, RIP and CR2. Each fault is armed with
 * trap_expect() so that it is recorded instead of fatal. */
#include "kernel/io.h"
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "kernel/trap.h"
#include "kernel/x86.h"


KTEST(trap, breakpoint_returns_after_int3)
{
	trap_expect(VECTOR_BP, 0);
	__asm__ volatile("int3");
	KT_EXPECT(t, trap_expectation.hit);
}

KTEST(trap, invalid_opcode_reports_its_rip)
{
	uint64_t where;
	trap_expect(VECTOR_UD, 2); /* ud2 is 2 bytes */
	__asm__ volatile("lea 1f(%%rip), %0\n1: ud2" : "=r"(where));
	KT_EXPECT(t, trap_expectation.hit);
	KT_EXPECT_EQ(t, trap_expectation.rip, where);
}

KTEST(trap, page_fault_reports_cr2_and_error_code)
{
	uint64_t addr = 0x0000400000000040ull;
	trap_expect(VECTOR_PF, 3); /* mov %rax, (%rax): 48 89 00 */
	__asm__ volatile("mov %%rax, (%%rax)" : : "a"(addr) : "memory");
	KT_EXPECT(t, trap_expectation.hit);
	KT_EXPECT_EQ(t, trap_expectation.cr2, addr);
	KT_EXPECT_EQ(t, trap_expectation.error_code & (PF_ERROR_WRITE | PF_ERROR_PRESENT), PF_ERROR_WRITE);
}

/* A non-canonical address raises #GP, not #PF (SDM Vol. 3A 3.3.7.1). */
KTEST(trap, general_protection_from_a_non_canonical_address)
{
	trap_expect(VECTOR_GP, 3); /* mov (%rax), %rax: 48 8b 00 */
	__asm__ volatile("mov (%%rax), %%rax" : : "a"(0x8000000000000000ull) : "memory");
	KT_EXPECT(t, trap_expectation.hit);
	KT_EXPECT_EQ(t, trap_expectation.error_code, 0);
}

KTEST(trap, divide_error)
{
	trap_expect(VECTOR_DE, 2); /* div %ecx is 2 bytes */
	__asm__ volatile("xor %%edx, %%edx; mov $1, %%eax; xor %%ecx, %%ecx; div %%ecx" : : : "eax", "ecx", "edx");
	KT_EXPECT(t, trap_expectation.hit);
}

KTEST(trap, vector_names_follow_the_sdm)
{
	KT_EXPECT_STR(t, trap_vector_name(VECTOR_PF), "#PF Page Fault");
	KT_EXPECT_STR(t, trap_vector_name(VECTOR_DF), "#DF Double Fault");
	KT_EXPECT_STR(t, trap_vector_name(VECTOR_GP), "#GP General Protection");
}
