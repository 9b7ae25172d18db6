/* vmm/cpu/state.h — guest registers that neither VMRUN (SVM) nor VM entry
 * (VMX) switch, kept per vCPU by memvisor itself: DR0-DR3, XCR0, and the
 * x87/SSE/AVX/MPX/AVX-512/PKRU registers (one XSAVE image per vCPU).
 *
 * The backends call cpu_state_enter() just before the world switch and
 * cpu_state_leave() just after it; what each backend switches itself (the
 * VMCB save area and VMLOAD/VMSAVE, the VMCS guest/host areas) is listed
 * in vmm/svm/svm.h and vmm/vmx/vmx.h.
 *
 *   register      in the CPU while       kept in                 switched
 *   ───────────   ─────────────────────  ──────────────────────  ──────────────
 *   DR0-DR3       guest runs             vcpu->cpu.dr[]          every entry/exit
 *   XCR0          guest runs             vcpu->cpu.xcr0 (set by  every entry/exit
 *                                        vmm/cpu/xsetbv.c; read back
 *                                        at every exit)
 *   x87/SSE/AVX   guest runs and after,  vcpu->cpu.fpu (XSAVE    when another vCPU
 *   MPX, AVX-512, until another vCPU     or FXSAVE image)        runs ("lazy")
 *   PKRU
 *
 * The host is built -mgeneral-regs-only and never touches x87/SSE state,
 * so the image is saved only when a different vCPU is about to run.
 * See: SDM Vol. 1 (rev. 084) 13 (XSAVE), Vol. 3A 18.2 (debug registers).
 */
#ifndef MEMVISOR_VMM_CPU_STATE_H
#define MEMVISOR_VMM_CPU_STATE_H

#include "kernel/types.h"

struct vcpu;

struct vcpu_cpu_state {
	uint64_t dr[4]; /* DR0-DR3 as the guest left them          */
	uint64_t xcr0;  /* the guest's XCR0 (XSETBV is emulated)   */
	void *fpu;      /* the XSAVE/FXSAVE image, one frame       */
	mfn_t fpu_frame;
};

/* Once, after the backend is enabled: lets the host run FXSAVE/XSAVE
 * (CR0.EM/TS = 0, CR4.OSFXSR, CR4.OSXSAVE) and sets the host's XCR0 to
 * every component guests may enable. Returns 0 or -E_*, after printing. */
int cpu_state_enable(void);
/* The XCR0 components a guest may enable: CPUID leaf 0Dh and XSETBV. */
uint64_t cpu_state_xcr0_offered(void);
/* XSAVE image size for the components in `xcr0` (CPUID leaf 0Dh EBX). */
uint32_t cpu_state_xsave_size(uint64_t xcr0);

/* The reset state: DRs 0, XCR0 = x87, x87/SSE registers initialised. */
int cpu_state_vcpu_init(struct vcpu *vcpu);
void cpu_state_vcpu_destroy(struct vcpu *vcpu);

/* Around the world switch, with nothing in between that uses them. */
void cpu_state_enter(struct vcpu *vcpu);
void cpu_state_leave(struct vcpu *vcpu);

/* Host DR0-DR3, DR6, DR7, CR8 (TPR), KERNEL_GS_BASE and XCR0 against
 * their values at cpu_state_enable(): prints each one a guest changed, or
 * one line saying none did; returns how many changed. */
unsigned cpu_state_host_check(void);

#endif
