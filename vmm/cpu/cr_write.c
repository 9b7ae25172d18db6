/* vmm/cpu/cr_write.c — MOV to CR0/CR4, CLTS and LMSW as the CPU checks them
 * (cr_write.h); handle_cr_write() in vmm/exit.c applies them.
 * See: SDM (rev. 084) Vol. 2B MOV CR "Protected Mode Exceptions" and
 * "64-Bit Mode Exceptions"; Vol. 3A 2.5. */
#include "vmm/cpu/cr_write.h"
#include "kernel/errno.h"
#include "kernel/x86.h"

/* CR0 bits that exist; writing a 1 to any other bit of 31:0 is ignored,
 * bits 63:32 must be 0 (SDM Vol. 3A 2.5). ET is fixed at 1 since the P6. */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)
#define CR_HIGH_HALF 0xffffffff00000000ull
#define LMSW_BITS (CR0_PE | CR0_MP | CR0_EM | CR0_TS)

static int fault(const char **why, const char *rule)
{
	*why = rule;
	return -E_INVAL;
}

int cr0_write_check(const struct cr_state *s, uint64_t value, uint64_t reserved, uint64_t *result,
		    const char **why)
{
	if (value & CR_HIGH_HALF)
		return fault(why, "a reserved bit of CR0[63:32] set");
	uint64_t v = (value & CR0_DEFINED & ~reserved) | CR0_ET;
	if ((v & CR0_PG) && !(v & CR0_PE))
		return fault(why, "CR0.PG set with CR0.PE clear");
	if ((v & CR0_NW) && !(v & CR0_CD))
		return fault(why, "CR0.NW set with CR0.CD clear");
	if ((v & CR0_PG) && !(s->cr0 & CR0_PG) && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE))
		return fault(why, "CR0.PG set with EFER.LME set and CR4.PAE clear");
	if (!(v & CR0_PG) && s->code64)
		return fault(why, "CR0.PG cleared in 64-bit mode");
	if (!(v & CR0_WP) && (s->cr4 & CR4_CET))
		return fault(why, "CR0.WP cleared with CR4.CET set");
	if ((v & CR0_PG) && !(s->cr0 & CR0_PG) && (s->cr4 & CR4_PAE) && !(s->efer & EFER_LME)) {
		*why = "PAE paging outside IA-32e mode is not supported (its PDPTEs would need loading)";
		return -E_NOT_SUPPORTED;
	}
	*result = v;
	return 0;
}

int cr4_write_check(const struct cr_state *s, uint64_t value, uint64_t reserved, uint64_t *result,
		    const char **why)
{
	if (value & (CR_HIGH_HALF | reserved))
		return fault(why, "a bit of CR4 this CPU reserves set");
	uint64_t changed = value ^ s->cr4;
	if ((s->efer & EFER_LMA) && (changed & CR4_PAE))
		return fault(why, "CR4.PAE cleared in IA-32e mode");
	if ((s->efer & EFER_LMA) && (changed & CR4_LA57))
		return fault(why, "CR4.LA57 changed in IA-32e mode");
	if ((changed & value & CR4_PCIDE) && (!(s->efer & EFER_LMA) || (s->cr3 & CR3_PCID_MASK)))
		return fault(why, "CR4.PCIDE set outside IA-32e mode or with CR3[11:0] not 0");
	if ((value & CR4_CET) && !(s->cr0 & CR0_WP))
		return fault(why, "CR4.CET set with CR0.WP clear");
	if ((changed & CR4_PAE) && (s->cr0 & CR0_PG)) {
		*why = "CR4.PAE changed with paging on outside IA-32e mode is not supported (PDPTEs)";
		return -E_NOT_SUPPORTED;
	}
	*result = value;
	return 0;
}

uint64_t cr0_after_clts(uint64_t cr0) { return cr0 & ~CR0_TS; }

uint64_t cr0_after_lmsw(uint64_t cr0, uint64_t source)
{
	return (cr0 & ~(LMSW_BITS & ~CR0_PE)) | (source & LMSW_BITS);
}
