/* guest/runtime/hypercall.c — hypervisor detection and the hypercall
 * instruction. See: SDM Vol. 2A CPUID (leaf 1 ECX bit 31 is reserved for
 * hypervisors to set), Vol. 3C 26.1.3 (VMCALL exits); AMD APM Vol. 3
 * VMMCALL. Intel's VMCALL is #UD on AMD and the other way round (unless
 * the hypervisor intercepts #UD), hence one choice from the CPU vendor. */
#include "hypercall.h"
#include "kernel/io.h"
#include "kernel/string.h"
#include "kernel/x86.h"

#define CPUID_SIGNATURE_BYTES 12 /* EBX:ECX:EDX */

enum hc_method { HC_METHOD_NONE, HC_METHOD_VMCALL, HC_METHOD_VMMCALL };
static enum hc_method hc_method;

/* The 12 bytes of EBX, ECX, EDX in that order, as CPUID leaves 0 and
 * 0x40000000 spell their strings (with leaf 0, "GenuineIntel" is EBX:EDX:ECX). */
static void cpuid_string(uint32_t leaf, bool edx_before_ecx, char out[CPUID_SIGNATURE_BYTES])
{
	uint32_t a, regs[3];
	cpuid(leaf, 0, &a, &regs[0], &regs[1], &regs[2]);
	if (edx_before_ecx) {
		uint32_t ecx = regs[1];
		regs[1] = regs[2];
		regs[2] = ecx;
	}
	memcpy(out, regs, CPUID_SIGNATURE_BYTES);
}

static bool cpu_is_amd(void)
{
	char vendor[CPUID_SIGNATURE_BYTES];
	cpuid_string(CPUID_VENDOR, true, vendor);
	/* Hygon's Dhyana is an AMD design and also has VMMCALL. */
	return !memcmp(vendor, "AuthenticAMD", CPUID_SIGNATURE_BYTES) ||
	       !memcmp(vendor, "HygonGenuine", CPUID_SIGNATURE_BYTES);
}

void hc_init(void)
{
	uint32_t a, b, c, d;
	cpuid(CPUID_FEATURES, 0, &a, &b, &c, &d);
	hc_method = HC_METHOD_NONE;
	if (!(c & CPUID1_ECX_HYPERVISOR))
		return;
	/* Other hypervisors (KVM, Hyper-V, ...) set the bit too: only
	 * memvisor's signature means memvisor's hypercalls. */
	char signature[CPUID_SIGNATURE_BYTES] = { 0 };
	char wanted[CPUID_SIGNATURE_BYTES] = { 0 };
	cpuid_string(CPUID_HYPERVISOR_BASE, false, signature);
	memcpy(wanted, CPUID_HYPERVISOR_SIGNATURE, sizeof(CPUID_HYPERVISOR_SIGNATURE) - 1);
	if (memcmp(signature, wanted, CPUID_SIGNATURE_BYTES))
		return;
	hc_method = cpu_is_amd() ? HC_METHOD_VMMCALL : HC_METHOD_VMCALL;
}

bool hc_present(void)
{
	return hc_method != HC_METHOD_NONE;
}

bool hc_uses_vmmcall(void)
{
	return hc_method == HC_METHOD_VMMCALL;
}

/* "memory": HC_GET_INFO writes guest memory behind the compiler's back. */
int64_t hc_call(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	int64_t ret;
	switch (hc_method) {
	case HC_METHOD_VMCALL:
		__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4) : "memory");
		return ret;
	case HC_METHOD_VMMCALL:
		__asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4) : "memory");
		return ret;
	case HC_METHOD_NONE:
		break;
	}
	return -HC_E_NOSYS;
}
