/* vmm/cpu/insn_decode.h — the length and identity of the few instructions
 * memvisor emulates, decoded from their bytes (pure: runs hosted in
 * tests/unit/test_insn_decode.c).
 * See: Intel SDM (rev. 084, June 2024) Vol. 2A 2.1 "Instruction Format",
 * 2.2.1 "REX Prefixes"; AMD APM Vol. 3 (rev. 3.35) 1.2 "Instruction Prefixes".
 *
 *   ┌──────────────────┬─────┬────────────────┬───────┐
 *   │ legacy prefixes  │ REX │ opcode         │ ModRM │   at most 15 bytes
 *   │ F0 F2 F3 2E 36   │40-4F│ F4, 0F xx,     │(0F 01,│   in all (SDM 2.3.11:
 *   │ 3E 26 64 65 66 67│64-bit│ 0F 01 xx      │ 0F 22)│   longer is #GP(0))
 *   └──────────────────┴─────┴────────────────┴───────┘
 *
 *   REX  0100 W R X B: R extends ModRM.reg, B extends ModRM.rm (SDM 2.2.1.2)
 *   ModRM  mod 7:6 | reg 5:3 | rm 2:0; MOV to CR (0F 22 /r) reads reg as
 *          the CR and rm as the GPR, whatever mod says (SDM Vol. 2B MOV CR)
 *
 * Why: without next-RIP save (SVM under QEMU TCG), an intercept says
 * *which* instruction exited but not where the next one starts; a prefix
 * makes it longer than its opcode. */
#ifndef MEMVISOR_VMM_INSN_DECODE_H
#define MEMVISOR_VMM_INSN_DECODE_H

#include "kernel/types.h"

#define INSN_MAX_BYTES 15 /* SDM Vol. 2A 2.3.11; longer is #GP(0), Vol. 3A 6.15 */

enum insn_op {
	INSN_UNKNOWN, /* an opcode this decoder does not know */
	INSN_HLT,     /* F4       */
	INSN_CPUID,   /* 0F A2    */
	INSN_RDMSR,   /* 0F 32    */
	INSN_WRMSR,   /* 0F 30    */
	INSN_RDPMC,   /* 0F 33    */
	INSN_INVD,    /* 0F 08    */
	INSN_WBINVD,  /* 0F 09 (F3 0F 09 is WBNOINVD, the same length) */
	INSN_VMCALL,  /* 0F 01 C1 */
	INSN_VMMCALL, /* 0F 01 D9 */
	INSN_XSETBV,  /* 0F 01 D1 */
	INSN_MOV_TO_CR, /* 0F 22 /r */
	INSN_CLTS,      /* 0F 06    */
	INSN_LMSW,      /* 0F 01 /6, register operand (F0-F7); the memory
			 * form is not decoded (INSN_UNKNOWN) */
	INSN_OP_COUNT
};

struct insn {
	enum insn_op op;
	uint8_t len;      /* bytes from the first prefix to the last opcode byte */
	uint8_t prefixes; /* legacy and REX prefix bytes among them */
	uint8_t cr, gpr;  /* MOV to CR: CRn and the source GPR (SDM order:
			   * 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP ... 15 R15);
			   * LMSW: the source GPR */
};

/* Decodes the instruction starting at bytes[0]; `avail` bytes are readable
 * (up to INSN_MAX_BYTES). long_mode: 64-bit mode, where 40-4F are REX
 * prefixes (elsewhere they are INC/DEC). Returns 0, or
 *   -E_RANGE          more than 15 bytes without an opcode (hardware: #GP(0))
 *   -E_INVAL          `avail` ends before the instruction does
 *   -E_NOT_SUPPORTED  an opcode not in enum insn_op (out->op INSN_UNKNOWN) */
int insn_decode(const uint8_t *bytes, size_t avail, bool long_mode, struct insn *out);

const char *insn_op_name(enum insn_op op);

#endif
