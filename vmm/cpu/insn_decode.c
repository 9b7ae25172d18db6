/* vmm/cpu/insn_decode.c — prefixes, REX and the opcodes of enum insn_op.
 * See: SDM Vol. 2A 2.1.1 (the four prefix groups), 2.2.1 (REX: only in
 * 64-bit mode; one followed by a legacy prefix is ignored, but its byte
 * still counts), appendix A.3 (opcode map, two-byte and 0F 01 group 7). */
#include "vmm/cpu/insn_decode.h"
#include "kernel/errno.h"

#define OPCODE_ESCAPE 0x0f
#define GROUP7 0x01 /* 0F 01: the ModRM byte picks the instruction */
#define MOV_TO_CR 0x22
#define MODRM_LMSW_REGISTER_FIRST 0xf0 /* mod 11, reg 6 */
#define MODRM_LMSW_REGISTER_LAST 0xf7
#define REX_FIRST 0x40
#define REX_LAST 0x4f
#define REX_R BIT(2)
#define REX_B BIT(0)
#define MODRM_REG_SHIFT 3
#define MODRM_FIELD_MASK 0x7u
#define REX_EXTENDS 8 /* a REX.R/REX.B bit adds 8 to the register number */

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3:                         /* group 1: LOCK, REPNE, REP */
	case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65: /* group 2: segments */
	case 0x66:                                               /* group 3: operand size */
	case 0x67:                                               /* group 4: address size */
		return true;
	default:
		return false;
	}
}

static enum insn_op two_byte_op(uint8_t b)
{
	switch (b) {
	case 0xa2: return INSN_CPUID;
	case 0x32: return INSN_RDMSR;
	case 0x30: return INSN_WRMSR;
	case 0x33: return INSN_RDPMC;
	case 0x08: return INSN_INVD;
	case 0x09: return INSN_WBINVD;
	case 0x06: return INSN_CLTS;
	default: return INSN_UNKNOWN;
	}
}

static enum insn_op group7_op(uint8_t modrm)
{
	switch (modrm) {
	case 0xc1: return INSN_VMCALL;
	case 0xd9: return INSN_VMMCALL;
	case 0xd1: return INSN_XSETBV;
	default:
		return modrm >= MODRM_LMSW_REGISTER_FIRST && modrm <= MODRM_LMSW_REGISTER_LAST ? INSN_LMSW
											     : INSN_UNKNOWN;
	}
}

/* MOV to CR's (and LMSW's) operands from ModRM and the REX prefix before the opcode
 * (0 if none: a REX not right before the opcode is ignored). */
static void mov_cr_operands(uint8_t modrm, uint8_t rex, struct insn *out)
{
	out->cr = (uint8_t)(((modrm >> MODRM_REG_SHIFT) & MODRM_FIELD_MASK) + ((rex & REX_R) ? REX_EXTENDS : 0));
	out->gpr = (uint8_t)((modrm & MODRM_FIELD_MASK) + ((rex & REX_B) ? REX_EXTENDS : 0));
}

/* Bytes the opcode at `at` needs (1 to 3), its operation in *op. */
static int opcode(const uint8_t *bytes, size_t avail, size_t at, enum insn_op *op, size_t *len)
{
	*op = INSN_UNKNOWN;
	if (bytes[at] == 0xf4) {
		*op = INSN_HLT;
		*len = 1;
		return 0;
	}
	if (bytes[at] != OPCODE_ESCAPE)
		return -E_NOT_SUPPORTED;
	if (at + 1 >= avail)
		return -E_INVAL;
	if (bytes[at + 1] == MOV_TO_CR) {
		if (at + 2 >= avail)
			return -E_INVAL;
		*op = INSN_MOV_TO_CR;
		*len = 3;
		return 0;
	}
	if (bytes[at + 1] != GROUP7) {
		*op = two_byte_op(bytes[at + 1]);
		*len = 2;
		return *op == INSN_UNKNOWN ? -E_NOT_SUPPORTED : 0;
	}
	if (at + 2 >= avail)
		return -E_INVAL;
	*op = group7_op(bytes[at + 2]);
	*len = 3;
	return *op == INSN_UNKNOWN ? -E_NOT_SUPPORTED : 0;
}

int insn_decode(const uint8_t *bytes, size_t avail, bool long_mode, struct insn *out)
{
	*out = (struct insn){ .op = INSN_UNKNOWN };
	if (avail > INSN_MAX_BYTES)
		avail = INSN_MAX_BYTES;
	size_t at = 0;
	uint8_t rex = 0;
	for (; at < avail; at++) {
		if (long_mode && bytes[at] >= REX_FIRST && bytes[at] <= REX_LAST)
			rex = bytes[at];
		else if (is_legacy_prefix(bytes[at]))
			rex = 0; /* a REX counts only right before the opcode */
		else
			break;
	}
	if (at == INSN_MAX_BYTES)
		return -E_RANGE;
	if (at == avail)
		return -E_INVAL;
	size_t len;
	int rc = opcode(bytes, avail, at, &out->op, &len);
	if (rc == -E_INVAL && avail == INSN_MAX_BYTES)
		rc = -E_RANGE; /* the opcode would run past byte 15 */
	if (rc)
		return rc;
	out->prefixes = (uint8_t)at;
	out->len = (uint8_t)(at + len);
	if (out->op == INSN_MOV_TO_CR || out->op == INSN_LMSW)
		mov_cr_operands(bytes[at + 2], rex, out);
	return 0;
}

const char *insn_op_name(enum insn_op op)
{
	static const char *const names[INSN_OP_COUNT] = {
		[INSN_UNKNOWN] = "an unknown instruction", [INSN_HLT] = "HLT", [INSN_CPUID] = "CPUID",
		[INSN_RDMSR] = "RDMSR", [INSN_WRMSR] = "WRMSR", [INSN_RDPMC] = "RDPMC", [INSN_INVD] = "INVD",
		[INSN_WBINVD] = "WBINVD", [INSN_VMCALL] = "VMCALL", [INSN_VMMCALL] = "VMMCALL",
		[INSN_XSETBV] = "XSETBV",
		[INSN_MOV_TO_CR] = "MOV to CR", [INSN_CLTS] = "CLTS", [INSN_LMSW] = "LMSW",
	};
	return op < INSN_OP_COUNT ? names[op] : "invalid";
}
