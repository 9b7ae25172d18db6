/* vmm/vmx/arch.h — VT-x architectural constants: capability MSRs,
 * VM-execution/exit/entry control bits, exit reasons and qualifications,
 * EPT entries, segment access rights.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C chapters 24-29 and Vol. 3D
 * appendices A (capability MSRs) and C (exit reasons). Only vmm/vmx/
 * includes this file; the field encodings are in vmcs.h.
 */
#ifndef MEMVISOR_VMX_ARCH_H
#define MEMVISOR_VMX_ARCH_H

#include "kernel/types.h"
#include "kernel/x86.h"

/* CPUID.1:ECX.VMX (SDM 24.6 "Discovering support for VMX") */

/* ---- MSRs (SDM Vol. 4 table 2-2; appendix A) ---- */
#define MSR_IA32_FEATURE_CONTROL 0x3au
#define FEATURE_CONTROL_LOCK BIT(0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX BIT(1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)

#define MSR_IA32_VMX_BASIC 0x480u
#define MSR_IA32_VMX_PINBASED_CTLS 0x481u
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482u
#define MSR_IA32_VMX_EXIT_CTLS 0x483u
#define MSR_IA32_VMX_ENTRY_CTLS 0x484u
#define MSR_IA32_VMX_MISC 0x485u
#define MSR_IA32_VMX_CR0_FIXED0 0x486u
#define MSR_IA32_VMX_CR0_FIXED1 0x487u
#define MSR_IA32_VMX_CR4_FIXED0 0x488u
#define MSR_IA32_VMX_CR4_FIXED1 0x489u
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48bu
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48cu
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48du
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48eu
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48fu
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490u

/* IA32_VMX_BASIC (A.1) */
#define VMX_BASIC_REVISION_MASK 0x7fffffffull /* bits 30:0 */
#define VMX_BASIC_REGION_SIZE_SHIFT 32        /* bits 44:32 */
#define VMX_BASIC_REGION_SIZE_MASK 0x1fffull
#define VMX_BASIC_TRUE_CTLS BIT(55)
#define VMX_BASIC_ANY_ERROR_CODE BIT(56) /* entry may deliver an error code with any event */

/* A control capability MSR (A.3-A.5): bits 31:0 are the allowed
 * 0-settings (1 = the control must be 1), bits 63:32 the allowed
 * 1-settings (0 = the control must be 0). */
#define CTLS_ALLOWED1_SHIFT 32

/* IA32_VMX_MISC (A.6) */
#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK 0x1fu /* the timer counts TSC >> this */
#define VMX_MISC_EXIT_SAVES_LMA BIT(5) /* exits store EFER.LMA in "IA-32e mode guest" */
#define VMX_MISC_ACTIVITY_HLT BIT(6)      /* activity states supported besides active */
#define VMX_MISC_ACTIVITY_SHUTDOWN BIT(7)
#define VMX_MISC_ACTIVITY_WAIT_FOR_SIPI BIT(8)
#define VMX_MISC_ZERO_LENGTH_INJECTION BIT(30) /* software events with length 0 */

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define EPT_CAP_EXECUTE_ONLY BIT(0)
#define EPT_CAP_WALK_LENGTH_4 BIT(6)
#define EPT_CAP_WALK_LENGTH_5 BIT(7)
#define EPT_CAP_UC BIT(8)
#define EPT_CAP_WB BIT(14)
#define EPT_CAP_INVEPT BIT(20)
#define EPT_CAP_AD BIT(21)
#define EPT_CAP_INVEPT_SINGLE_CONTEXT BIT(25)
#define EPT_CAP_INVEPT_ALL_CONTEXT BIT(26)
#define VPID_CAP_INVVPID BIT(32)
#define VPID_CAP_INVVPID_INDIVIDUAL_ADDRESS BIT(40)
#define VPID_CAP_INVVPID_SINGLE_CONTEXT BIT(41)
#define VPID_CAP_INVVPID_ALL_CONTEXT BIT(42)
#define VPID_CAP_INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS BIT(43)

/* ---- control registers: what VMX operation needs (SDM 24.8, A.7, A.8) ---- */

/* ---- VM-execution controls (SDM 25.6) ---- */
#define PIN_EXTERNAL_INTERRUPT_EXITING BIT(0)
#define PIN_NMI_EXITING BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)
#define PIN_ACTIVATE_VMX_PREEMPTION_TIMER BIT(6)

#define PROC_HLT_EXITING BIT(7)
#define PROC_RDPMC_EXITING BIT(11)
#define PROC_CR3_LOAD_EXITING BIT(15)
#define PROC_CR3_STORE_EXITING BIT(16)
#define PROC_CR8_LOAD_EXITING BIT(19)
#define PROC_CR8_STORE_EXITING BIT(20)
#define PROC_USE_TPR_SHADOW BIT(21)
#define PROC_NMI_WINDOW_EXITING BIT(22)
#define PROC_USE_IO_BITMAPS BIT(25)
#define PROC_MONITOR_TRAP_FLAG BIT(27)
#define PROC_USE_MSR_BITMAPS BIT(28)
#define PROC_ACTIVATE_SECONDARY_CONTROLS BIT(31)

#define PROC2_ENABLE_EPT BIT(1)
#define PROC2_ENABLE_VPID BIT(5)
#define PROC2_VIRTUAL_INTERRUPT_DELIVERY BIT(9)
#define PROC2_UNRESTRICTED_GUEST BIT(7)
#define PROC2_WBINVD_EXITING BIT(6)

/* ---- VM-exit controls (SDM 25.7.1) ---- */
#define EXIT_SAVE_DEBUG_CONTROLS BIT(2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE BIT(9)
#define EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT BIT(15) /* memvisor leaves it 0 */
#define EXIT_LOAD_IA32_PAT BIT(19)
#define EXIT_SAVE_IA32_EFER BIT(20)
#define EXIT_LOAD_IA32_EFER BIT(21)
#define EXIT_SAVE_PREEMPTION_TIMER BIT(22)

/* ---- VM-entry controls (SDM 25.8.1) ---- */
#define ENTRY_LOAD_DEBUG_CONTROLS BIT(2)
#define ENTRY_IA32E_MODE_GUEST BIT(9)
#define ENTRY_LOAD_IA32_PAT BIT(14)
#define ENTRY_LOAD_IA32_EFER BIT(15)

/* ---- exit reasons (appendix C); the full list of names is in names.c ---- */
#define EXIT_REASON_BASIC_MASK 0xffffu       /* bits 15:0 */
#define EXIT_REASON_ENTRY_FAILURE BIT(31)
enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_OR_NMI = 0,
	VMX_EXIT_EXTERNAL_INTERRUPT = 1,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_INVD = 13,
	VMX_EXIT_RDPMC = 15,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_CONTROL_REGISTER_ACCESS = 28,
	VMX_EXIT_IO_INSTRUCTION = 30,
	VMX_EXIT_RDMSR = 31,
	VMX_EXIT_WRMSR = 32,
	VMX_EXIT_INVALID_GUEST_STATE = 33,
	VMX_EXIT_MSR_LOADING = 34,
	VMX_EXIT_MACHINE_CHECK_DURING_ENTRY = 41,
	VMX_EXIT_EPT_VIOLATION = 48,
	VMX_EXIT_EPT_MISCONFIGURATION = 49,
	VMX_EXIT_VMX_PREEMPTION_TIMER_EXPIRED = 52,
	VMX_EXIT_WBINVD = 54,
	VMX_EXIT_XSETBV = 55,
	VMX_EXIT_REASON_COUNT = 80, /* names.c has 0..79 */
};

/* Exit qualification for I/O instructions (SDM 28.2.1) */
#define IO_QUAL_SIZE_MASK 0x7u /* size - 1: 0, 1 or 3 */
#define IO_QUAL_IN BIT(3)
#define IO_QUAL_STRING BIT(4)
#define IO_QUAL_REP BIT(5)
#define IO_QUAL_PORT_SHIFT 16

/* Exit qualification for control-register accesses (SDM 28.2.1, Table
 * 28-3): CR number 3:0, access type 5:4, GPR 11:8, LMSW source 31:16. */
#define CR_QUAL_NUMBER_MASK 0xfu
#define CR_QUAL_ACCESS_SHIFT 4
#define CR_QUAL_ACCESS_MASK 0x3u
#define CR_QUAL_ACCESS_MOV_TO 0
#define CR_QUAL_ACCESS_MOV_FROM 1
#define CR_QUAL_ACCESS_CLTS 2
#define CR_QUAL_ACCESS_LMSW 3
#define CR_QUAL_GPR_SHIFT 8
#define CR_QUAL_GPR_MASK 0xfu
#define CR_QUAL_LMSW_SOURCE_SHIFT 16
#define CR_QUAL_LMSW_SOURCE_MASK 0xffffu

/* VM-entry interruption information and IDT-vectoring information (SDM
 * 25.8.3, 25.9.3): vector 7:0, type 10:8, deliver error code 11, valid 31. */
#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_INFO_TYPE_EXTERNAL_INTERRUPT (0u << 8)
#define INTR_INFO_TYPE_NMI (2u << 8)
#define INTR_INFO_TYPE_HARDWARE_EXCEPTION (3u << 8)
#define INTR_INFO_TYPE_OTHER_EVENT (7u << 8) /* MTF (SDM 25.8.3) */
#define INTR_INFO_RESERVED 0x7ffff000u       /* bits 30:12 */
#define INTR_INFO_TYPE_MASK (7u << 8)
#define INTR_INFO_DELIVER_ERROR_CODE BIT(11)
#define INTR_INFO_VALID BIT(31)
#define INTR_INFO_TYPE_SOFTWARE_INTERRUPT (4u << 8)
#define INTR_INFO_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION (5u << 8)
#define INTR_INFO_TYPE_SOFTWARE_EXCEPTION (6u << 8)

/* Pending debug exceptions (SDM 25.4.2): BS, a single-step trap. */
#define PENDING_DEBUG_BS BIT(14)
/* Defined: B3-B0 3:0, enabled breakpoint 12, BS 14, RTM 16; the rest is
 * reserved (SDM 27.3.1.5). */
#define PENDING_DEBUG_RESERVED (~(X86_U64(0xf) | BIT(12) | BIT(14) | BIT(16)))

/* Exit qualification for EPT violations (SDM 28.2.1) */
#define EPT_QUAL_READ BIT(0)
#define EPT_QUAL_WRITE BIT(1)
#define EPT_QUAL_FETCH BIT(2)
#define EPT_QUAL_WAS_READABLE BIT(3)
#define EPT_QUAL_WAS_WRITABLE BIT(4)
#define EPT_QUAL_WAS_EXECUTABLE BIT(5)

/* ---- EPT (SDM 29.3.2, 29.3.7) ----
 *
 *   EPT paging-structure entry (every level)
 *   63    52 51                 12 11 10  9  8  7  6  5   3  2  1  0
 *  +--------+---------------------+-----+--+--+--+--+------+--+--+--+
 *  |ignored | address of the next | ign.|D |A |PS|IP| type |X |W |R |
 *  |        | table or the frame  |     |  |  |  |AT|(leaf)|  |  |  |
 *  +--------+---------------------+-----+--+--+--+--+------+--+--+--+
 *  An entry with R = W = X = 0 is not present. W without R is a
 *  misconfiguration, as is a reserved memory type (2, 3, 7) in a leaf.
 */
#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXECUTE BIT(2)
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define EPT_MEMORY_TYPE_SHIFT 3
#define EPT_ACCESSED BIT(8)
#define EPT_DIRTY BIT(9)
#define EPT_ADDRESS_MASK 0x000ffffffffff000ull /* bits 51:12 */
#define MEMORY_TYPE_WB 6ull                    /* SDM Vol. 3A 13.3 */

/* EPT pointer (SDM 25.6.11) */
#define EPTP_MEMORY_TYPE_WB MEMORY_TYPE_WB       /* bits 2:0 */
#define EPTP_WALK_LENGTH_SHIFT 3                 /* bits 5:3: levels - 1 */
#define EPTP_ENABLE_AD BIT(6)
#define EPTP_MEMORY_TYPE_MASK 7ull
#define EPTP_WALK_LENGTH_MASK 7ull
#define EPTP_RESERVED_11_7 0xf80ull
#define MEMORY_TYPE_UC 0ull

/* ---- segment access rights in the VMCS (SDM 25.4.1) ----
 * type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16 */
#define AR_TYPE_DATA_RW_ACCESSED 0x3u
#define AR_TYPE_CODE_XR_ACCESSED 0xbu
#define AR_TYPE_TSS_BUSY 0xbu /* 32-bit busy TSS */
#define AR_S BIT(4)
#define AR_L BIT(13)
#define AR_P BIT(7)
#define AR_DB BIT(14)
#define AR_G BIT(15)
#define AR_UNUSABLE BIT(16)
#define AR_TYPE_MASK 0xfu
#define AR_TYPE_ACCESSED BIT(0)
#define AR_TYPE_READABLE BIT(1) /* code; for data: writable */
#define AR_TYPE_CONFORMING BIT(2) /* code; for data: expand-down */
#define AR_TYPE_CODE BIT(3)
#define AR_TYPE_LDT 0x2u
#define AR_TYPE_TSS16_BUSY 0x3u
#define AR_DPL_SHIFT 5
#define AR_DPL_MASK 0x3u
#define AR_RESERVED 0xfffe0f00u /* bits 11:8 and 31:17 */
#define AR_VIRTUAL_8086 0xf3u   /* P, DPL 3, S, type 3 (SDM 27.3.1.2) */

/* The virtual-APIC page's TPR shadow: MOV to/from CR8 uses its bits 7:4
 * (SDM 30.1.1, 30.3). */
#define VIRTUAL_APIC_VTPR 0x80

/* Guest activity state (SDM 25.4.2) */
#define ACTIVITY_STATE_ACTIVE 0
#define ACTIVITY_STATE_HLT 1
#define ACTIVITY_STATE_SHUTDOWN 2
#define ACTIVITY_STATE_WAIT_FOR_SIPI 3

/* Guest interruptibility state (SDM 25.4.2) */
#define BLOCKING_BY_STI BIT(0)
#define BLOCKING_BY_MOV_SS BIT(1)
#define BLOCKING_BY_SMI BIT(2)
#define BLOCKING_BY_NMI BIT(3)
#define INTERRUPTIBILITY_RESERVED 0xffffffe0u /* bits 31:5 */

#endif
