/* vmm/exit_reason.c — the neutral exit reasons' names (vmm/backend.h), as
 * the logs, the stats and the monitor print them. */
#include "vmm/backend.h"

static const char *const reason_names[EXIT_REASON_COUNT] = {
	[EXIT_CPUID] = "cpuid", [EXIT_IO] = "io", [EXIT_HLT] = "hlt",
	[EXIT_HYPERCALL] = "hypercall", [EXIT_MSR] = "msr", [EXIT_INVD] = "invd", [EXIT_WBINVD] = "wbinvd",
	[EXIT_RDPMC] = "rdpmc", [EXIT_CR_WRITE] = "cr-write", [EXIT_XSETBV] = "xsetbv", [EXIT_NPF] = "npf",
	[EXIT_SHUTDOWN] = "shutdown", [EXIT_INTERRUPT] = "interrupt",
	[EXIT_ENTRY_FAILED] = "entry-failed", [EXIT_UNEXPECTED] = "unexpected",
};

const char *exit_reason_name(enum exit_reason r)
{
	return r < EXIT_REASON_COUNT ? reason_names[r] : "invalid";
}
