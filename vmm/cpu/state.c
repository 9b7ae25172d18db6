/* vmm/cpu/state.c — DR0-DR3, XCR0 and x87/SSE/AVX state per vCPU (the
 * table is in state.h).
 * See: SDM Vol. 1 (rev. 084) 13.2-13.3 (enumerating and enabling XSAVE
 * components), 13.7-13.8 (XSAVE/XRSTOR), 10.5 (FXSAVE image); Vol. 3A
 * 2.5 (CR0.EM/MP/TS, CR4.OSFXSR/OSXSAVE), 18.2 (debug registers). */
#include "vmm/cpu/state.h"
#include "vmm/cpu/cr_write.h"
#include "vmm/vm.h"
#include "vmm/cpu/xcr0.h"
#include "kernel/cpu_regs.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "kernel/x86.h"


/* Components memvisor saves and so may offer: the user state of x87, SSE,
 * AVX, MPX, AVX-512 and PKRU. AMX (it needs XFD and 8 KiB) is not offered:
 * a guest's XSETBV enabling it gets #GP. MPX is saved although it is
 * deprecated: where XSETBV is not intercepted (QEMU's TCG ignores the
 * intercept) a guest can enable whatever the CPU has, and every such
 * component must be in the image. */
#define XCR0_SAVED (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | XCR0_AVX512 | XCR0_PKRU)

/* FXSAVE image fields (SDM Vol. 1 table 10-2) and the XSAVE header. */
#define FXSAVE_FCW 0       /* x87 control word, 16 bits */
#define FXSAVE_MXCSR 24    /* 32 bits                   */
#define XSAVE_LEGACY_SIZE 512
#define XSAVE_HEADER_SIZE 64
#define XSAVE_XSTATE_BV XSAVE_LEGACY_SIZE /* first field of the header */


static struct {
	bool xsave;       /* XSAVE/XRSTOR (else FXSAVE/FXRSTOR)          */
	uint64_t xcr0;    /* the host's XCR0 = what guests may enable     */
	uint64_t dr[4], dr6, dr7;
	uint64_t cr8, kernel_gs_base; /* only compared: guests never own them */
	struct vcpu *fpu_owner; /* whose registers the x87/SSE unit holds */
} host;

uint64_t cpu_state_xcr0_offered(void) { return host.xcr0; }

uint32_t cpu_state_xsave_size(uint64_t xcr0)
{
	uint32_t size = XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE, a, b, c, d;
	for (unsigned i = 2; i < 64; i++) {
		if (!(xcr0 & BIT(i)))
			continue;
		cpuid(CPUID_XSAVE, i, &a, &b, &c, &d); /* EAX = size, EBX = offset */
		size = MAX(size, a + b);
	}
	return size;
}

static int enable_xsave(void)
{
	uint32_t a, b, c, d;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid(CPUID_XSAVE, 0, &a, &b, &c, &d);
	host.xcr0 = (((uint64_t)d << 32) | a) & XCR0_SAVED;
	xsetbv(XCR_XCR0, host.xcr0);
	uint32_t size = cpu_state_xsave_size(host.xcr0);
	if (size > PAGE_SIZE) {
		kprintf("memvisor: error: the XSAVE image of components %#llx takes %u bytes, more than a page\n",
			(unsigned long long)host.xcr0, size);
		return -E_NOT_SUPPORTED;
	}
	host.xsave = true;
	return 0;
}

int cpu_state_enable(void)
{
	uint32_t a, b, c, d;
	/* FXSAVE/XSAVE fault with #NM under CR0.TS or #UD under CR0.EM; the
	 * XMM registers are saved only with CR4.OSFXSR (SDM Vol. 2A FXSAVE). */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cpuid(CPUID_FEATURES, 0, &a, &b, &c, &d);
	int rc = (c & CPUID1_ECX_XSAVE) ? enable_xsave() : 0;
	if (rc)
		return rc;
	host.dr[0] = read_dr0();
	host.dr[1] = read_dr1();
	host.dr[2] = read_dr2();
	host.dr[3] = read_dr3();
	host.dr6 = read_dr6();
	host.dr7 = read_dr7();
	host.cr8 = read_cr8();
	host.kernel_gs_base = rdmsr(MSR_IA32_KERNEL_GS_BASE);
	kprintf("memvisor: guest x87/SSE state: %s, XCR0 components offered %#llx\n",
		host.xsave ? "XSAVE" : "FXSAVE", (unsigned long long)host.xcr0);
	return 0;
}

/* The registers at reset, spelled out rather than left to XRSTOR's "init
 * configuration" (XSTATE_BV = 0), which emulators may implement loosely:
 * every component is loaded from the image, all zero except the x87
 * control word (as after FNINIT) and MXCSR (SDM Vol. 1 8.1.5, 10.2.3, 13.6). */
static void write_init_image(uint8_t *area)
{
	memset(area, 0, PAGE_SIZE);
	uint16_t fcw = FCW_INIT;
	uint32_t mxcsr = MXCSR_INIT;
	memcpy(area + FXSAVE_FCW, &fcw, sizeof(fcw));
	memcpy(area + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	if (host.xsave)
		memcpy(area + XSAVE_XSTATE_BV, &host.xcr0, sizeof(host.xcr0));
}

int cpu_state_vcpu_init(struct vcpu *vcpu)
{
	struct vcpu_cpu_state *s = &vcpu->cpu;
	if (mem_try_alloc_zeroed(&s->fpu_frame))
		return -E_NO_MEMORY;
	s->fpu = mfn_to_virt(s->fpu_frame);
	write_init_image(s->fpu);
	memset(s->dr, 0, sizeof(s->dr)); /* DR0-DR3 at reset (SDM 10.1 table 10-1) */
	s->xcr0 = XCR0_RESET;
	return 0;
}

void cpu_state_vcpu_destroy(struct vcpu *vcpu)
{
	if (host.fpu_owner == vcpu)
		host.fpu_owner = NULL; /* the next vCPU overwrites every register */
	mem_free_frame(vcpu->cpu.fpu_frame);
	vcpu->cpu.fpu = NULL;
}

/* XSAVE/XRSTOR under the host's XCR0, which holds every component a
 * guest may have enabled: components the guest has disabled are kept
 * too, as the CPU would keep them. */
static void fpu_save(struct vcpu *vcpu)
{
	if (host.xsave)
		xsave(vcpu->cpu.fpu, host.xcr0);
	else
		fxsave(vcpu->cpu.fpu);
}

static void fpu_load(struct vcpu *vcpu)
{
	if (host.xsave)
		xrstor(vcpu->cpu.fpu, host.xcr0);
	else
		fxrstor(vcpu->cpu.fpu);
}

void cpu_state_enter(struct vcpu *vcpu)
{
	struct vcpu_cpu_state *s = &vcpu->cpu;
	if (host.fpu_owner != vcpu) {
		if (host.fpu_owner)
			fpu_save(host.fpu_owner);
		fpu_load(vcpu);
		host.fpu_owner = vcpu;
	}
	write_dr0(s->dr[0]);
	write_dr1(s->dr[1]);
	write_dr2(s->dr[2]);
	write_dr3(s->dr[3]);
	if (host.xsave && s->xcr0 != host.xcr0)
		xsetbv(XCR_XCR0, s->xcr0);
}

void cpu_state_leave(struct vcpu *vcpu)
{
	struct vcpu_cpu_state *s = &vcpu->cpu;
	/* Read back, not assumed: XSETBV exits (VMX) or is intercepted (SVM)
	 * and emulated, but an emulator that ignores the intercept lets the
	 * guest write XCR0 itself. */
	if (host.xsave) {
		s->xcr0 = xgetbv(XCR_XCR0);
		if (s->xcr0 != host.xcr0)
			xsetbv(XCR_XCR0, host.xcr0);
	}
	s->dr[0] = read_dr0();
	s->dr[1] = read_dr1();
	s->dr[2] = read_dr2();
	s->dr[3] = read_dr3();
	/* DR7 first: no breakpoint may be armed with a guest's address. */
	write_dr7(host.dr7);
	write_dr0(host.dr[0]);
	write_dr1(host.dr[1]);
	write_dr2(host.dr[2]);
	write_dr3(host.dr[3]);
	write_dr6(host.dr6);
}

/* One host register against its value at boot; prints it if it changed. */
static unsigned compare(const char *name, uint64_t now, uint64_t boot)
{
	if (now == boot)
		return 0;
	kprintf("memvisor: host register %s changed while guests ran: %#llx (at boot %#llx)\n", name,
		(unsigned long long)now, (unsigned long long)boot);
	return 1;
}

unsigned cpu_state_host_check(void)
{
	unsigned changed = compare("DR0", read_dr0(), host.dr[0]) + compare("DR1", read_dr1(), host.dr[1]) +
			   compare("DR2", read_dr2(), host.dr[2]) + compare("DR3", read_dr3(), host.dr[3]) +
			   compare("DR6", read_dr6(), host.dr6) + compare("DR7", read_dr7(), host.dr7) +
			   compare("CR8", read_cr8(), host.cr8) +
			   compare("KERNEL_GS_BASE", rdmsr(MSR_IA32_KERNEL_GS_BASE), host.kernel_gs_base);
	if (host.xsave)
		changed += compare("XCR0", xgetbv(XCR_XCR0), host.xcr0);
	if (!changed)
		kprintf("memvisor: host registers as at boot: DR0-DR3 DR6 DR7 CR8 KERNEL_GS_BASE%s\n",
			host.xsave ? " XCR0" : "");
	return changed;
}
