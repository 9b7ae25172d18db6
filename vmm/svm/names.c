/* vmm/svm/names.c — #VMEXIT codes by the names of AMD APM Vol. 2 appendix
 * C ("SVM Intercept Exit Codes"), for diagnostics: an exit memvisor does
 * not handle is reported by its name, e.g. "VMEXIT_VMRUN". */
#include "vmm/svm/svm.h"

static const char *const names_0x60[] = {
	"VMEXIT_INTR", "VMEXIT_NMI", "VMEXIT_SMI", "VMEXIT_INIT", "VMEXIT_VINTR", "VMEXIT_CR0_SEL_WRITE",
	"VMEXIT_IDTR_READ", "VMEXIT_GDTR_READ", "VMEXIT_LDTR_READ", "VMEXIT_TR_READ", "VMEXIT_IDTR_WRITE",
	"VMEXIT_GDTR_WRITE", "VMEXIT_LDTR_WRITE", "VMEXIT_TR_WRITE", "VMEXIT_RDTSC", "VMEXIT_RDPMC",
	"VMEXIT_PUSHF", "VMEXIT_POPF", "VMEXIT_CPUID", "VMEXIT_RSM", "VMEXIT_IRET", "VMEXIT_SWINT",
	"VMEXIT_INVD", "VMEXIT_PAUSE", "VMEXIT_HLT", "VMEXIT_INVLPG", "VMEXIT_INVLPGA", "VMEXIT_IOIO",
	"VMEXIT_MSR", "VMEXIT_TASK_SWITCH", "VMEXIT_FERR_FREEZE", "VMEXIT_SHUTDOWN", "VMEXIT_VMRUN",
	"VMEXIT_VMMCALL", "VMEXIT_VMLOAD", "VMEXIT_VMSAVE", "VMEXIT_STGI", "VMEXIT_CLGI", "VMEXIT_SKINIT",
	"VMEXIT_RDTSCP", "VMEXIT_ICEBP", "VMEXIT_WBINVD", "VMEXIT_MONITOR", "VMEXIT_MWAIT",
	"VMEXIT_MWAIT_CONDITIONAL", "VMEXIT_XSETBV", "VMEXIT_RDPRU", "VMEXIT_EFER_WRITE_TRAP",
};

#define EXIT_CODES_CR_DR_END 0x40 /* 0x00-0x3f: CRn/DRn reads and writes */

const char *svm_exit_name(uint64_t code)
{
	if ((uint32_t)code == VMEXIT_INVALID)
		return "VMEXIT_INVALID";
	if (code < EXIT_CODES_CR_DR_END)
		return code < 0x10 ? "VMEXIT_CR_READ" : code < 0x20 ? "VMEXIT_CR_WRITE" : code < 0x30 ? "VMEXIT_DR_READ"
													: "VMEXIT_DR_WRITE";
	if (code >= VMEXIT_EXCEPTION_BASE && code < VMEXIT_INTR)
		return "VMEXIT_EXCEPTION";
	if (code >= VMEXIT_INTR && code < VMEXIT_INTR + ARRAY_SIZE(names_0x60))
		return names_0x60[code - VMEXIT_INTR];
	if (code == VMEXIT_NPF)
		return "VMEXIT_NPF";
	return "VMEXIT (unknown code)";
}
