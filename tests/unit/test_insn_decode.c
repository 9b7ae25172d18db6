/* tests/unit/test_insn_decode.c — the instruction length decoder
 * (vmm/cpu/insn_decode.c) over a table of encodings: prefixes of every group,
 * REX only in 64-bit mode and only right before the opcode, the 15-byte
 * limit, truncated input and opcodes it must not claim to know. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/cpu/insn_decode.h"

struct encoding {
	const char *what;
	uint8_t bytes[16];
	size_t avail;
	bool long_mode;
	int rc;
	enum insn_op op;
	uint8_t len, cr, gpr;
};

#define MODE64 true
#define MODE32 false

static const struct encoding table[] = {
	{ "cpuid", { 0x0f, 0xa2 }, 2, MODE64, 0, INSN_CPUID, 2, 0, 0 },
	{ "cs cpuid", { 0x2e, 0x0f, 0xa2 }, 3, MODE64, 0, INSN_CPUID, 3, 0, 0 },
	{ "66 cpuid", { 0x66, 0x0f, 0xa2 }, 3, MODE32, 0, INSN_CPUID, 3, 0, 0 },
	{ "rep cs o16 cpuid", { 0xf3, 0x2e, 0x66, 0x0f, 0xa2 }, 5, MODE64, 0, INSN_CPUID, 5, 0, 0 },
	{ "every legacy prefix", { 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x66, 0x67, 0x0f, 0xa2 },
	  13, MODE64, 0, INSN_CPUID, 13, 0, 0 },
	{ "rex.w cpuid", { 0x48, 0x0f, 0xa2 }, 3, MODE64, 0, INSN_CPUID, 3, 0, 0 },
	{ "40 in 32-bit mode is INC EAX", { 0x40, 0x0f, 0xa2 }, 3, MODE32, -E_NOT_SUPPORTED, INSN_UNKNOWN, 0, 0, 0 },
	{ "13 prefixes: 15 bytes", { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
				     0x0f, 0xa2 },
	  15, MODE64, 0, INSN_CPUID, 15, 0, 0 },
	{ "14 prefixes: 16 bytes", { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
				     0x2e, 0x0f, 0xa2 },
	  16, MODE64, -E_RANGE, INSN_UNKNOWN, 0, 0, 0 },
	{ "15 prefixes", { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66 },
	  15, MODE64, -E_RANGE, INSN_UNKNOWN, 0, 0, 0 },
	{ "hlt", { 0xf4 }, 1, MODE32, 0, INSN_HLT, 1, 0, 0 },
	{ "rep hlt", { 0xf3, 0xf4 }, 2, MODE32, 0, INSN_HLT, 2, 0, 0 },
	{ "rdmsr", { 0x0f, 0x32 }, 2, MODE64, 0, INSN_RDMSR, 2, 0, 0 },
	{ "cs rdmsr", { 0x2e, 0x0f, 0x32 }, 3, MODE64, 0, INSN_RDMSR, 3, 0, 0 },
	{ "o16 rex.w wrmsr", { 0x66, 0x48, 0x0f, 0x30 }, 4, MODE64, 0, INSN_WRMSR, 4, 0, 0 },
	{ "rdpmc", { 0x0f, 0x33 }, 2, MODE64, 0, INSN_RDPMC, 2, 0, 0 },
	{ "invd", { 0x0f, 0x08 }, 2, MODE64, 0, INSN_INVD, 2, 0, 0 },
	{ "wbinvd", { 0x0f, 0x09 }, 2, MODE64, 0, INSN_WBINVD, 2, 0, 0 },
	{ "wbnoinvd (f3 0f 09)", { 0xf3, 0x0f, 0x09 }, 3, MODE64, 0, INSN_WBINVD, 3, 0, 0 },
	{ "vmcall", { 0x0f, 0x01, 0xc1 }, 3, MODE64, 0, INSN_VMCALL, 3, 0, 0 },
	{ "cs ds vmmcall", { 0x2e, 0x3e, 0x0f, 0x01, 0xd9 }, 5, MODE64, 0, INSN_VMMCALL, 5, 0, 0 },
	{ "xsetbv", { 0x0f, 0x01, 0xd1 }, 3, MODE64, 0, INSN_XSETBV, 3, 0, 0 },
	{ "cs rex.w xsetbv", { 0x2e, 0x48, 0x0f, 0x01, 0xd1 }, 5, MODE64, 0, INSN_XSETBV, 5, 0, 0 },
	{ "lgdt (0f 01 /2, memory)", { 0x0f, 0x01, 0x10 }, 3, MODE64, -E_NOT_SUPPORTED, INSN_UNKNOWN, 0, 0, 0 },
	{ "mov cr4, eax (32-bit)", { 0x0f, 0x22, 0xe0 }, 3, MODE32, 0, INSN_MOV_TO_CR, 3, 4, 0 },
	{ "mov cr0, rax", { 0x0f, 0x22, 0xc0 }, 3, MODE64, 0, INSN_MOV_TO_CR, 3, 0, 0 },
	{ "mov cr4, rdi", { 0x0f, 0x22, 0xe7 }, 3, MODE64, 0, INSN_MOV_TO_CR, 3, 4, 7 },
	{ "mov cr0, r9 (rex.b)", { 0x41, 0x0f, 0x22, 0xc1 }, 4, MODE64, 0, INSN_MOV_TO_CR, 4, 0, 9 },
	{ "mov cr8, rax (rex.r)", { 0x44, 0x0f, 0x22, 0xc0 }, 4, MODE64, 0, INSN_MOV_TO_CR, 4, 8, 0 },
	{ "rex then a prefix: rex ignored", { 0x41, 0x2e, 0x0f, 0x22, 0xc1 }, 5, MODE64, 0, INSN_MOV_TO_CR, 5, 0, 1 },
	{ "mov cr with mod 00 is still registers", { 0x0f, 0x22, 0x20 }, 3, MODE64, 0, INSN_MOV_TO_CR, 3, 4, 0 },
	{ "clts", { 0x0f, 0x06 }, 2, MODE64, 0, INSN_CLTS, 2, 0, 0 },
	{ "lmsw si", { 0x0f, 0x01, 0xf6 }, 3, MODE32, 0, INSN_LMSW, 3, 0, 6 },
	{ "lmsw [rax]: memory form not decoded", { 0x0f, 0x01, 0x30 }, 3, MODE64, -E_NOT_SUPPORTED, INSN_UNKNOWN, 0, 0,
	  0 },
	{ "nop", { 0x90 }, 1, MODE64, -E_NOT_SUPPORTED, INSN_UNKNOWN, 0, 0, 0 },
	{ "0f 0b (ud2)", { 0x0f, 0x0b }, 2, MODE64, -E_NOT_SUPPORTED, INSN_UNKNOWN, 0, 0, 0 },
	{ "cpuid cut after 0f", { 0x2e, 0x0f }, 2, MODE64, -E_INVAL, INSN_UNKNOWN, 0, 0, 0 },
	{ "vmmcall cut after 0f 01", { 0x0f, 0x01 }, 2, MODE64, -E_INVAL, INSN_UNKNOWN, 0, 0, 0 },
	{ "only prefixes, input ends", { 0x66, 0x2e }, 2, MODE64, -E_INVAL, INSN_UNKNOWN, 0, 0, 0 },
	{ "opcode past byte 15", { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
				   0x2e, 0x0f },
	  15, MODE64, -E_RANGE, INSN_UNKNOWN, 0, 0, 0 },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct encoding *e = &table[i];
		struct insn insn;
		int rc = insn_decode(e->bytes, e->avail, e->long_mode, &insn);
		if (rc != e->rc || insn.op != e->op)
			fail_msg("%s: expected rc %d op %s, seen rc %d op %s", e->what, e->rc, insn_op_name(e->op), rc,
				 insn_op_name(insn.op));
		if (rc)
			continue;
		if (insn.len != e->len)
			fail_msg("%s: expected length %u, seen %u", e->what, e->len, insn.len);
		if (e->op == INSN_MOV_TO_CR && (insn.cr != e->cr || insn.gpr != e->gpr))
			fail_msg("%s: expected cr%u from gpr %u, seen cr%u from gpr %u", e->what, e->cr, e->gpr, insn.cr,
				 insn.gpr);
		if (e->op == INSN_LMSW && insn.gpr != e->gpr)
			fail_msg("%s: expected gpr %u, seen %u", e->what, e->gpr, insn.gpr);
	}
}

/* More bytes than the instruction needs do not change its length. */
static void test_trailing_bytes_ignored(void **state)
{
	(void)state;
	const uint8_t bytes[15] = { 0x2e, 0x0f, 0xa2, 0x0f, 0xa2, 0x90, 0x90 };
	struct insn insn;
	assert_int_equal(insn_decode(bytes, sizeof(bytes), true, &insn), 0);
	assert_int_equal(insn.len, 3);
	assert_int_equal(insn.prefixes, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_trailing_bytes_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
