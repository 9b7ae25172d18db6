/* kernel/x86.h — the architectural facts of x86-64, each written once:
 * MSR numbers, control-register, EFER, RFLAGS, XCR0 and debug-register bits,
 * exception vectors, page-table entry bits, CPUID leaves and feature bits.
 * Usable from C and from .S files (the Makefiles define __ASSEMBLY__ for
 * .S): constants are plain shifts and hex, with no C-only suffix there.
 * Backend-only facts stay with their backend: VMX capability MSRs and
 * fields in vmm/vmx/arch.h, SVM's MSRs and VMCB fields in vmm/svm/vmcb.h.
 * See: Intel SDM (rev. 084, June 2024) Vol. 1, 2A, 3A, 4; AMD APM Vol. 2
 * (rev. 3.42, March 2024). */
#ifndef MEMVISOR_X86_H
#define MEMVISOR_X86_H

/* BIT(n) and 64-bit literals that both C and the assembler accept. */
#ifdef __ASSEMBLY__
#define X86_BIT(n) (1 << (n))
#define X86_U64(x) x
#else
#define X86_BIT(n) (1ull << (n))
#define X86_U64(x) x##ull
#endif

/* ---- MSRs (SDM Vol. 4 table 2-2; APM Vol. 2 appendix A) ---- */
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_PAT 0x277
#define MSR_IA32_EFER 0xc0000080
#define MSR_IA32_STAR 0xc0000081
#define MSR_IA32_LSTAR 0xc0000082
#define MSR_IA32_CSTAR 0xc0000083
#define MSR_IA32_FMASK 0xc0000084
#define MSR_IA32_FS_BASE 0xc0000100
#define MSR_IA32_GS_BASE 0xc0000101
#define MSR_IA32_KERNEL_GS_BASE 0xc0000102

/* IA32_PAT at power-on: WB WT UC- UC, twice (SDM Vol. 3A 13.12.4). */
#define PAT_POWER_ON X86_U64(0x0007040600070406)

/* ---- EFER (SDM Vol. 3A 2.2.1, APM Vol. 2 3.1.7) ---- */
#define EFER_SCE X86_BIT(0)   /* SYSCALL/SYSRET                     */
#define EFER_LME X86_BIT(8)   /* long mode enable                   */
#define EFER_LMA X86_BIT(10)  /* long mode active (the CPU sets it) */
#define EFER_NXE X86_BIT(11)  /* no-execute bit in page tables      */
#define EFER_SVME X86_BIT(12) /* AMD: SVM enable (APM 15.4)         */

/* ---- CR0 (SDM Vol. 3A 2.5, APM Vol. 2 3.1.1) ---- */
#define CR0_PE X86_BIT(0)  /* protected mode         */
#define CR0_MP X86_BIT(1)  /* monitor coprocessor    */
#define CR0_EM X86_BIT(2)  /* x87 emulation          */
#define CR0_TS X86_BIT(3)  /* task switched          */
#define CR0_ET X86_BIT(4)  /* extension type (fixed) */
#define CR0_NE X86_BIT(5)  /* native x87 errors      */
#define CR0_WP X86_BIT(16) /* write protect          */
#define CR0_AM X86_BIT(18) /* alignment mask         */
#define CR0_NW X86_BIT(29) /* not write-through      */
#define CR0_CD X86_BIT(30) /* cache disable          */
#define CR0_PG X86_BIT(31) /* paging                 */

/* ---- CR3 (SDM Vol. 3A 4.5.2) ---- */
#define CR3_PCID_MASK X86_U64(0xfff) /* bits 11:0 when CR4.PCIDE = 1 */

/* ---- CR4 (SDM Vol. 3A 2.5, APM Vol. 2 3.1.3) ---- */
#define CR4_VME X86_BIT(0)
#define CR4_PVI X86_BIT(1)
#define CR4_TSD X86_BIT(2)
#define CR4_DE X86_BIT(3)
#define CR4_PSE X86_BIT(4)
#define CR4_PAE X86_BIT(5)
#define CR4_MCE X86_BIT(6)
#define CR4_PGE X86_BIT(7)
#define CR4_PCE X86_BIT(8)
#define CR4_OSFXSR X86_BIT(9)
#define CR4_OSXMMEXCPT X86_BIT(10)
#define CR4_UMIP X86_BIT(11)
#define CR4_LA57 X86_BIT(12)
#define CR4_VMXE X86_BIT(13) /* Intel: VMX enable (SDM 24.7) */
#define CR4_FSGSBASE X86_BIT(16)
#define CR4_PCIDE X86_BIT(17)
#define CR4_OSXSAVE X86_BIT(18)
#define CR4_SMEP X86_BIT(20)
#define CR4_SMAP X86_BIT(21)
#define CR4_PKE X86_BIT(22)
#define CR4_CET X86_BIT(23)

/* ---- RFLAGS (SDM Vol. 1 3.4.3) ---- */
#define RFLAGS_FIXED X86_BIT(1) /* reserved, always 1 */
#define RFLAGS_TF X86_BIT(8)    /* trap (single step) */
#define RFLAGS_IF X86_BIT(9)    /* interrupts enabled */

/* ---- debug registers (SDM Vol. 3A 18.2) ---- */
#define DR6_INIT X86_U64(0xffff0ff0) /* at reset, no condition recorded (18.2.3) */
#define DR6_B0_B3 X86_U64(0xf)      /* breakpoint conditions 0-3 met          */
#define DR6_BS X86_BIT(14)            /* the #DB was a single step (APM 13.1.1.3) */
#define DR7_INIT X86_U64(0x400)      /* at reset: bit 10 is fixed 1 (18.2.4)    */
#define DR7_L0_L3 X86_U64(0x55)      /* local enables of breakpoints 0-3       */

/* ---- XCR0: the state components XSAVE manages (SDM Vol. 1 13.1, 13.3) ---- */
#define XCR0_X87 X86_BIT(0)
#define XCR0_SSE X86_BIT(1)
#define XCR0_AVX X86_BIT(2)      /* upper halves of YMM0-15  */
#define XCR0_BNDREGS X86_BIT(3)  /* MPX                      */
#define XCR0_BNDCSR X86_BIT(4)   /* MPX                      */
#define XCR0_OPMASK X86_BIT(5)   /* AVX-512 k0-k7            */
#define XCR0_ZMM_HI256 X86_BIT(6)
#define XCR0_HI16_ZMM X86_BIT(7)
#define XCR0_PKRU X86_BIT(9)
#define XCR0_TILECFG X86_BIT(17) /* AMX                      */
#define XCR0_TILEDATA X86_BIT(18)
#define XCR0_MPX (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_AMX (XCR0_TILECFG | XCR0_TILEDATA)
#define XCR0_RESET XCR0_X87 /* at reset and after INIT (13.3) */

/* x87 control word after FNINIT (SDM Vol. 1 8.1.5), MXCSR at reset (10.2.3.1). */
#define FCW_INIT 0x037f
#define MXCSR_INIT 0x1f80

/* ---- segment descriptors (SDM Vol. 3A 3.4.5, 5.2.1) ----
 * Flat, base 0, limit 4 GiB, DPL 0: 64-bit code (P, S, type exec/read, L)
 * and data (P, S, type read/write, D/B, G). */
#define DESC_CODE64 X86_U64(0x00af9a000000ffff)
#define DESC_DATA X86_U64(0x00cf92000000ffff)
#define DESC_TSS_AVAILABLE X86_U64(0x89) /* P, type 9: 64-bit TSS available (8.2.3) */

/* ---- exception vectors (SDM Vol. 3A 6.3.1 table 6-1) ---- */
#define VECTOR_DE 0  /* divide error       */
#define VECTOR_DB 1  /* debug              */
#define VECTOR_BP 3  /* breakpoint (INT3)  */
#define VECTOR_UD 6  /* invalid opcode     */
#define VECTOR_DF 8  /* double fault       */
#define VECTOR_GP 13 /* general protection */
#define VECTOR_PF 14 /* page fault         */
#define VECTOR_EXCEPTIONS 32 /* 0-31 are the CPU's */

/* #PF error code (SDM Vol. 3A 4.7, figure 4-12) */
#define PF_ERROR_PRESENT X86_BIT(0) /* 0: the page was not present */
#define PF_ERROR_WRITE X86_BIT(1)   /* the access was a write      */

/* ---- 4-level paging (SDM Vol. 3A 4.5): the split of a linear address ---- */
#define PAGE_SHIFT 12
#define PAGE_SIZE X86_BIT(PAGE_SHIFT)
#define PT_ENTRIES 512 /* 8-byte entries in a 4 KiB table */
#define PT_INDEX_BITS 9
#define PML4_SHIFT 39
#define PDPT_SHIFT 30
#define PD_SHIFT 21
#define PT_SHIFT 12
#define LARGE_PAGE_SIZE X86_BIT(PD_SHIFT) /* 2 MiB, mapped by a PDE with PS */

/* ---- paging entries (SDM Vol. 3A 4.5, tables 4-15 to 4-20) ---- */
#define PTE_PRESENT X86_BIT(0)
#define PTE_WRITE X86_BIT(1)
#define PTE_USER X86_BIT(2)
#define PTE_PWT X86_BIT(3)
#define PTE_PCD X86_BIT(4)
#define PTE_ACCESSED X86_BIT(5)
#define PTE_DIRTY X86_BIT(6)
#define PTE_PS X86_BIT(7) /* in a PDPTE or PDE: maps a 1 GiB or 2 MiB page */
#define PTE_GLOBAL X86_BIT(8)
#define PTE_NX X86_BIT(63)
#define PTE_ADDR_MASK X86_U64(0x000ffffffffff000) /* bits 51:12 */
#define PTE_SIZE 8 /* bytes per entry */

/* ---- CPUID leaves and feature bits (SDM Vol. 2A CPUID; APM Vol. 3 E) ---- */
#define CPUID_VENDOR 0 /* EAX: highest basic leaf; EBX:EDX:ECX: the vendor */
#define CPUID_FEATURES 1
#define CPUID1_ECX_VMX X86_BIT(5)
#define CPUID1_ECX_XSAVE X86_BIT(26)
#define CPUID1_ECX_OSXSAVE X86_BIT(27)
#define CPUID1_ECX_HYPERVISOR X86_BIT(31) /* set by hypervisors, 0 on hardware */
#define CPUID_STRUCTURED_FEATURES 7
#define CPUID7_EBX_FSGSBASE X86_BIT(0)
#define CPUID7_ECX_PKU X86_BIT(3)
#define CPUID7_ECX_OSPKE X86_BIT(4)
#define CPUID_PERFMON 0xa /* EAX 7:0 version, 15:8 counters */
#define CPUID_XSAVE 0xd
#define CPUID_EXT_MAX 0x80000000 /* EAX: highest extended leaf */
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT_ECX_SVM X86_BIT(2)
#define CPUID_EXT_EDX_LM X86_BIT(29) /* long mode */
#define CPUID_SVM_FEATURES 0x8000000a
#define CPUID_EXT_ADDRESS_SIZES 0x80000008 /* EAX[7:0]: MAXPHYADDR */
#define MAXPHYADDR_MASK 0xff

#endif
