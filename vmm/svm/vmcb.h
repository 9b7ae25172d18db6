/* vmm/svm/vmcb.h — the Virtual Machine Control Block and SVM constants.
 * See: AMD64 Architecture Programmer's Manual Vol. 2 (rev. 3.42, March
 * 2024), chapter 15 "Secure Virtual Machine" and appendix B "Layout of
 * VMCB". Only vmm/svm/ includes this file.
 *
 *   VMCB (one 4 KiB page)
 *   0x000 ┌──────────────────────────┐
 *         │ control area: intercepts,│  what makes the guest exit, and
 *         │ ASID, exit code and info │  why it did
 *   0x400 ├──────────────────────────┤
 *         │ state save area: segment │  the guest's registers while it is
 *         │ registers, CRs, EFER,    │  not running (RAX, RSP, RIP are here;
 *         │ RFLAGS, RIP, RSP, RAX... │  the other GPRs are saved by us)
 *   0x1000└──────────────────────────┘
 */
#ifndef MEMVISOR_SVM_VMCB_H
#define MEMVISOR_SVM_VMCB_H

#include "kernel/types.h"
#include "kernel/x86.h"

/* MSRs (APM Vol. 2 15.30) */
#define MSR_VM_CR 0xc0010114u
#define VM_CR_SVMDIS BIT(4)
#define MSR_VM_HSAVE_PA 0xc0010117u

/* CPUID (APM Vol. 3 appendix E) */
#define CPUID_SVM_EDX_NP BIT(0)
#define CPUID_SVM_EDX_NRIPS BIT(3)
#define CPUID_SVM_EDX_FLUSH_BY_ASID BIT(6)
#define CPUID_SVM_EDX_DECODE_ASSISTS BIT(7)

/* Intercept vector 0 (offset 0x000): CR reads 15:0, CR writes 31:16 */
#define INTERCEPT_CR0_WRITE BIT(16 + 0) /* MOV to CR0, LMSW, CLTS (APM 15.9.1) */
#define INTERCEPT_CR4_WRITE BIT(16 + 4)

/* Intercept vector 3 (offset 0x00c) and 4 (0x010), APM Table B-1 */
#define INTERCEPT_INTR BIT(0)
#define INTERCEPT_NMI BIT(1)
#define INTERCEPT_RDPMC BIT(15)
#define INTERCEPT_CPUID BIT(18)
#define INTERCEPT_INVD BIT(22)
#define INTERCEPT_HLT BIT(24)
#define INTERCEPT_IOIO_PROT BIT(27)
#define INTERCEPT_MSR_PROT BIT(28)
#define INTERCEPT_SHUTDOWN BIT(31)
#define INTERCEPT_VMRUN BIT(0)
#define INTERCEPT_VMMCALL BIT(1)
#define INTERCEPT_VMLOAD BIT(2)
#define INTERCEPT_VMSAVE BIT(3)
#define INTERCEPT_STGI BIT(4)
#define INTERCEPT_CLGI BIT(5)
#define INTERCEPT_SKINIT BIT(6)
#define INTERCEPT_WBINVD BIT(9) /* WBINVD and WBNOINVD */
#define INTERCEPT_XSETBV BIT(13)

#define V_INTR_MASKING BIT(24) /* in vmcb_control.int_ctl */
#define V_TPR_MASK 0xffull     /* int_ctl 7:0: the guest's CR8 (APM 15.21) */
#define NP_ENABLE BIT(0)
#define TLB_CONTROL_DO_NOTHING 0
#define TLB_CONTROL_FLUSH_ALL 1  /* every ASID: the only flush without FlushByAsid */
#define TLB_CONTROL_FLUSH_ASID 3 /* this ASID: needs CPUID FlushByAsid (APM 15.16.1) */

/* Exit codes (APM appendix C) */
#define VMEXIT_CR0_WRITE 0x10 /* 0x10 + n: write of CRn */
#define VMEXIT_CR4_WRITE 0x14
#define VMEXIT_EXCEPTION_BASE 0x40
#define VMEXIT_INTR 0x60
#define VMEXIT_RDPMC 0x6f
#define VMEXIT_CPUID 0x72
#define VMEXIT_INVD 0x76
#define VMEXIT_HLT 0x78
#define VMEXIT_IOIO 0x7b
#define VMEXIT_MSR 0x7c
#define VMEXIT_SHUTDOWN 0x7f
#define VMEXIT_VMRUN 0x80
#define VMEXIT_VMMCALL 0x81
#define VMEXIT_WBINVD 0x89
#define VMEXIT_XSETBV 0x8d
#define VMEXIT_NPF 0x400
#define VMEXIT_INVALID 0xffffffffu /* compare the low 32 bits: QEMU reports it as 0xffffffff */

/* EXITINFO1 for IOIO (APM Figure 15-2) */
#define IOIO_TYPE_IN BIT(0)
#define IOIO_STR BIT(2)
#define IOIO_REP BIT(3)
#define IOIO_SZ8 BIT(4)
#define IOIO_SZ16 BIT(5)
#define IOIO_SZ32 BIT(6)
#define IOIO_PORT_SHIFT 16

/* EXITINFO1 for NPF: the #PF error code bits (APM 15.25.6) */
#define NPF_PRESENT BIT(0)
#define NPF_WRITE BIT(1)
#define NPF_FETCH BIT(4)
/* EXITINFO1 of a CR-write intercept with decode assists (APM 15.33.1):
 * bit 63 set for MOV to CRx, with the source GPR's number in bits 3:0;
 * clear for LMSW and CLTS, which the field does not describe. */
#define CR_EXITINFO1_MOV BIT(63)
#define CR_EXITINFO1_GPR_MASK 0xfu

/* EVENTINJ and EXITINTINFO (APM 15.20, Figure 15-10): vector 7:0, type
 * 10:8, EV (error code valid) 11, V (valid) 31, error code 63:32. */
#define EVENT_VECTOR_MASK 0xffull
#define EVENT_TYPE_EXCEPTION (3ull << 8)
#define EVENT_ERROR_CODE_VALID BIT(11)
#define EVENT_VALID BIT(31)
#define EVENT_ERROR_CODE_SHIFT 32


/* Segment attributes, VMCB format (APM 15.5.1): type 3:0, S 4, DPL 6:5,
 * P 7, AVL 8, L 9, D/B 10, G 11. */
#define SEG_ATTR_TYPE_CODE_XR_ACCESSED 0xbu
#define SEG_ATTR_TYPE_DATA_RW_ACCESSED 0x3u
#define SEG_ATTR_TYPE_TSS_BUSY 0xbu
#define SEG_ATTR_S BIT(4)
#define SEG_ATTR_P BIT(7)
#define SEG_ATTR_L BIT(9)
#define SEG_ATTR_DB BIT(10)
#define SEG_ATTR_G BIT(11)

struct __attribute__((packed)) vmcb_segment {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

struct __attribute__((packed)) vmcb_control {
	uint32_t intercept_cr;         /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;         /* 0x004 */
	uint32_t intercept_exceptions; /* 0x008 */
	uint32_t intercept_misc1;      /* 0x00c: vector 3 */
	uint32_t intercept_misc2;      /* 0x010: vector 4 */
	uint32_t intercept_misc3;      /* 0x014: vector 5 */
	uint8_t reserved_0x018[0x03c - 0x018];
	uint16_t pause_filter_threshold; /* 0x03c */
	uint16_t pause_filter_count;     /* 0x03e */
	uint64_t iopm_base_pa;           /* 0x040 */
	uint64_t msrpm_base_pa;          /* 0x048 */
	uint64_t tsc_offset;             /* 0x050 */
	uint32_t asid;                   /* 0x058 */
	uint8_t tlb_control;             /* 0x05c */
	uint8_t reserved_0x05d[3];
	uint64_t int_ctl;        /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING ... */
	uint64_t int_state;      /* 0x068: interrupt shadow */
	uint64_t exit_code;      /* 0x070 */
	uint64_t exit_info1;     /* 0x078 */
	uint64_t exit_info2;     /* 0x080 */
	uint64_t exit_int_info;  /* 0x088 */
	uint64_t np_control;     /* 0x090: NP_ENABLE ... */
	uint64_t avic_apic_bar;  /* 0x098 */
	uint64_t ghcb_gpa;       /* 0x0a0 */
	uint64_t event_inject;   /* 0x0a8 */
	uint64_t n_cr3;          /* 0x0b0: nested page table root */
	uint64_t lbr_control;    /* 0x0b8 */
	uint32_t clean_bits;     /* 0x0c0 */
	uint32_t reserved_0x0c4;
	uint64_t next_rip;       /* 0x0c8: 0 unless CPUID says NRIPS */
	uint8_t insn_bytes_fetched; /* 0x0d0 */
	uint8_t insn_bytes[15];
	uint8_t reserved_0x0e0[0x400 - 0x0e0];
};

struct __attribute__((packed)) vmcb_save {
	struct vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
	uint8_t reserved_0x4a0[0x4cb - 0x4a0];
	uint8_t cpl;             /* 0x4cb */
	uint32_t reserved_0x4cc;
	uint64_t efer;           /* 0x4d0 */
	uint8_t reserved_0x4d8[0x548 - 0x4d8];
	uint64_t cr4;            /* 0x548 */
	uint64_t cr3;            /* 0x550 */
	uint64_t cr0;            /* 0x558 */
	uint64_t dr7;            /* 0x560 */
	uint64_t dr6;            /* 0x568 */
	uint64_t rflags;         /* 0x570 */
	uint64_t rip;            /* 0x578 */
	uint8_t reserved_0x580[0x5d8 - 0x580];
	uint64_t rsp;            /* 0x5d8 */
	uint64_t s_cet, ssp, isst_addr;
	uint64_t rax;            /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2;            /* 0x640 */
	uint8_t reserved_0x648[0x668 - 0x648];
	uint64_t g_pat;          /* 0x668 */
	uint64_t dbgctl, br_from, br_to, last_excp_from, last_excp_to;
	uint8_t reserved_0x698[0x1000 - 0x698];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

#define VMCB_OFFSET(f) (offsetof(struct vmcb, f))
_Static_assert(VMCB_OFFSET(control.iopm_base_pa) == 0x040, "APM Table B-1");
_Static_assert(VMCB_OFFSET(control.asid) == 0x058, "APM Table B-1");
_Static_assert(VMCB_OFFSET(control.int_ctl) == 0x060, "APM Table B-1");
_Static_assert(VMCB_OFFSET(control.exit_code) == 0x070, "APM Table B-1");
_Static_assert(VMCB_OFFSET(control.np_control) == 0x090, "APM Table B-1");
_Static_assert(VMCB_OFFSET(control.event_inject) == 0x0a8, "APM Table B-1");
_Static_assert(VMCB_OFFSET(control.n_cr3) == 0x0b0, "APM Table B-1");
_Static_assert(VMCB_OFFSET(control.next_rip) == 0x0c8, "APM Table B-1");
_Static_assert(VMCB_OFFSET(save.es) == 0x400, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.tr) == 0x490, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.cpl) == 0x4cb, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.efer) == 0x4d0, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.cr4) == 0x548, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.rip) == 0x578, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.rsp) == 0x5d8, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.rax) == 0x5f8, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.cr2) == 0x640, "APM Table B-2");
_Static_assert(VMCB_OFFSET(save.g_pat) == 0x668, "APM Table B-2");
_Static_assert(sizeof(struct vmcb) == 0x1000, "a VMCB is one page");

#endif
