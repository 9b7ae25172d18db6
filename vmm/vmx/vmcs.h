/* vmm/vmx/vmcs.h — the VMCS field encodings and the VMX instructions.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3D appendix B "Field Encoding
 * in VMCS", Vol. 3C 25.11.2 (VMREAD/VMWRITE), 31.2 (how VMX instructions
 * report success and failure), 31.4 (VM-instruction error numbers).
 * Only vmm/vmx/ includes this file.
 *
 * A VMCS is an opaque page: software never reads it with loads and stores,
 * only with VMREAD/VMWRITE and a 32-bit field encoding:
 *
 *   31      15 14  13 12 11  10 9           1  0
 *  +----------+---+------+-----+-------------+----+
 *  | reserved | 0 | width| 0 | type | index    |high|
 *  +----------+---+------+-----+-------------+----+
 *   width: 0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural (64 bits here)
 *   type:  0 = control, 1 = VM-exit information (read-only), 2 = guest
 *          state, 3 = host state
 *   high:  1 = the upper 32 bits of a 64-bit field (32-bit hosts only)
 *
 * The accessors below check the width: a constant field of the wrong width
 * is a compile error, any other one an assertion failure.
 */
#ifndef MEMVISOR_VMX_VMCS_H
#define MEMVISOR_VMX_VMCS_H

#include "kernel/panic.h"
#include "kernel/types.h"

/* The fields, named as appendix B names them, grouped by width and type. */
enum vmcs_field {
	/* ---- 16-bit ---- */
	/* B.1.1 control */
	VIRTUAL_PROCESSOR_IDENTIFIER = 0x0000,
	POSTED_INTERRUPT_NOTIFICATION_VECTOR = 0x0002,
	EPTP_INDEX = 0x0004,
	/* B.1.2 guest state */
	GUEST_ES_SELECTOR = 0x0800,
	GUEST_CS_SELECTOR = 0x0802,
	GUEST_SS_SELECTOR = 0x0804,
	GUEST_DS_SELECTOR = 0x0806,
	GUEST_FS_SELECTOR = 0x0808,
	GUEST_GS_SELECTOR = 0x080a,
	GUEST_LDTR_SELECTOR = 0x080c,
	GUEST_TR_SELECTOR = 0x080e,
	GUEST_INTERRUPT_STATUS = 0x0810,
	PML_INDEX = 0x0812,
	/* B.1.3 host state */
	HOST_ES_SELECTOR = 0x0c00,
	HOST_CS_SELECTOR = 0x0c02,
	HOST_SS_SELECTOR = 0x0c04,
	HOST_DS_SELECTOR = 0x0c06,
	HOST_FS_SELECTOR = 0x0c08,
	HOST_GS_SELECTOR = 0x0c0a,
	HOST_TR_SELECTOR = 0x0c0c,

	/* ---- 64-bit ---- */
	/* B.2.1 control */
	ADDRESS_OF_IO_BITMAP_A = 0x2000,
	ADDRESS_OF_IO_BITMAP_B = 0x2002,
	ADDRESS_OF_MSR_BITMAPS = 0x2004,
	VM_EXIT_MSR_STORE_ADDRESS = 0x2006,
	VM_EXIT_MSR_LOAD_ADDRESS = 0x2008,
	VM_ENTRY_MSR_LOAD_ADDRESS = 0x200a,
	EXECUTIVE_VMCS_POINTER = 0x200c,
	PML_ADDRESS = 0x200e,
	TSC_OFFSET = 0x2010,
	VIRTUAL_APIC_ADDRESS = 0x2012,
	APIC_ACCESS_ADDRESS = 0x2014,
	POSTED_INTERRUPT_DESCRIPTOR_ADDRESS = 0x2016,
	VM_FUNCTION_CONTROLS = 0x2018,
	EPT_POINTER = 0x201a,
	EOI_EXIT_BITMAP_0 = 0x201c,
	EOI_EXIT_BITMAP_1 = 0x201e,
	EOI_EXIT_BITMAP_2 = 0x2020,
	EOI_EXIT_BITMAP_3 = 0x2022,
	EPTP_LIST_ADDRESS = 0x2024,
	VMREAD_BITMAP_ADDRESS = 0x2026,
	VMWRITE_BITMAP_ADDRESS = 0x2028,
	VIRTUALIZATION_EXCEPTION_INFORMATION_ADDRESS = 0x202a,
	XSS_EXITING_BITMAP = 0x202c,
	ENCLS_EXITING_BITMAP = 0x202e,
	SUB_PAGE_PERMISSION_TABLE_POINTER = 0x2030,
	TSC_MULTIPLIER = 0x2032,
	TERTIARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS = 0x2034,
	ENCLV_EXITING_BITMAP = 0x2036,
	/* B.2.2 read-only data */
	GUEST_PHYSICAL_ADDRESS = 0x2400,
	/* B.2.3 guest state */
	VMCS_LINK_POINTER = 0x2800,
	GUEST_IA32_DEBUGCTL = 0x2802,
	GUEST_IA32_PAT = 0x2804,
	GUEST_IA32_EFER = 0x2806,
	GUEST_IA32_PERF_GLOBAL_CTRL = 0x2808,
	GUEST_PDPTE0 = 0x280a,
	GUEST_PDPTE1 = 0x280c,
	GUEST_PDPTE2 = 0x280e,
	GUEST_PDPTE3 = 0x2810,
	GUEST_IA32_BNDCFGS = 0x2812,
	GUEST_IA32_RTIT_CTL = 0x2814,
	GUEST_IA32_LBR_CTL = 0x2816,
	GUEST_IA32_PKRS = 0x2818,
	/* B.2.4 host state */
	HOST_IA32_PAT = 0x2c00,
	HOST_IA32_EFER = 0x2c02,
	HOST_IA32_PERF_GLOBAL_CTRL = 0x2c04,
	HOST_IA32_PKRS = 0x2c06,

	/* ---- 32-bit ---- */
	/* B.3.1 control */
	PIN_BASED_VM_EXECUTION_CONTROLS = 0x4000,
	PRIMARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS = 0x4002,
	EXCEPTION_BITMAP = 0x4004,
	PAGE_FAULT_ERROR_CODE_MASK = 0x4006,
	PAGE_FAULT_ERROR_CODE_MATCH = 0x4008,
	CR3_TARGET_COUNT = 0x400a,
	PRIMARY_VM_EXIT_CONTROLS = 0x400c,
	VM_EXIT_MSR_STORE_COUNT = 0x400e,
	VM_EXIT_MSR_LOAD_COUNT = 0x4010,
	VM_ENTRY_CONTROLS = 0x4012,
	VM_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VM_ENTRY_INTERRUPTION_INFORMATION_FIELD = 0x4016,
	VM_ENTRY_EXCEPTION_ERROR_CODE = 0x4018,
	VM_ENTRY_INSTRUCTION_LENGTH = 0x401a,
	TPR_THRESHOLD = 0x401c,
	SECONDARY_PROCESSOR_BASED_VM_EXECUTION_CONTROLS = 0x401e,
	PLE_GAP = 0x4020,
	PLE_WINDOW = 0x4022,
	/* B.3.2 read-only data */
	VM_INSTRUCTION_ERROR = 0x4400,
	EXIT_REASON = 0x4402,
	VM_EXIT_INTERRUPTION_INFORMATION = 0x4404,
	VM_EXIT_INTERRUPTION_ERROR_CODE = 0x4406,
	IDT_VECTORING_INFORMATION_FIELD = 0x4408,
	IDT_VECTORING_ERROR_CODE = 0x440a,
	VM_EXIT_INSTRUCTION_LENGTH = 0x440c,
	VM_EXIT_INSTRUCTION_INFORMATION = 0x440e,
	/* B.3.3 guest state */
	GUEST_ES_LIMIT = 0x4800,
	GUEST_CS_LIMIT = 0x4802,
	GUEST_SS_LIMIT = 0x4804,
	GUEST_DS_LIMIT = 0x4806,
	GUEST_FS_LIMIT = 0x4808,
	GUEST_GS_LIMIT = 0x480a,
	GUEST_LDTR_LIMIT = 0x480c,
	GUEST_TR_LIMIT = 0x480e,
	GUEST_GDTR_LIMIT = 0x4810,
	GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_ACCESS_RIGHTS = 0x4814,
	GUEST_CS_ACCESS_RIGHTS = 0x4816,
	GUEST_SS_ACCESS_RIGHTS = 0x4818,
	GUEST_DS_ACCESS_RIGHTS = 0x481a,
	GUEST_FS_ACCESS_RIGHTS = 0x481c,
	GUEST_GS_ACCESS_RIGHTS = 0x481e,
	GUEST_LDTR_ACCESS_RIGHTS = 0x4820,
	GUEST_TR_ACCESS_RIGHTS = 0x4822,
	GUEST_INTERRUPTIBILITY_STATE = 0x4824,
	GUEST_ACTIVITY_STATE = 0x4826,
	GUEST_SMBASE = 0x4828,
	GUEST_IA32_SYSENTER_CS = 0x482a,
	VMX_PREEMPTION_TIMER_VALUE = 0x482e,
	/* B.3.4 host state */
	HOST_IA32_SYSENTER_CS = 0x4c00,

	/* ---- natural width ---- */
	/* B.4.1 control */
	CR0_GUEST_HOST_MASK = 0x6000,
	CR4_GUEST_HOST_MASK = 0x6002,
	CR0_READ_SHADOW = 0x6004,
	CR4_READ_SHADOW = 0x6006,
	CR3_TARGET_VALUE_0 = 0x6008,
	CR3_TARGET_VALUE_1 = 0x600a,
	CR3_TARGET_VALUE_2 = 0x600c,
	CR3_TARGET_VALUE_3 = 0x600e,
	/* B.4.2 read-only data */
	EXIT_QUALIFICATION = 0x6400,
	IO_RCX = 0x6402,
	IO_RSI = 0x6404,
	IO_RDI = 0x6406,
	IO_RIP = 0x6408,
	GUEST_LINEAR_ADDRESS = 0x640a,
	/* B.4.3 guest state */
	GUEST_CR0 = 0x6800,
	GUEST_CR3 = 0x6802,
	GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806,
	GUEST_CS_BASE = 0x6808,
	GUEST_SS_BASE = 0x680a,
	GUEST_DS_BASE = 0x680c,
	GUEST_FS_BASE = 0x680e,
	GUEST_GS_BASE = 0x6810,
	GUEST_LDTR_BASE = 0x6812,
	GUEST_TR_BASE = 0x6814,
	GUEST_GDTR_BASE = 0x6816,
	GUEST_IDTR_BASE = 0x6818,
	GUEST_DR7 = 0x681a,
	GUEST_RSP = 0x681c,
	GUEST_RIP = 0x681e,
	GUEST_RFLAGS = 0x6820,
	GUEST_PENDING_DEBUG_EXCEPTIONS = 0x6822,
	GUEST_IA32_SYSENTER_ESP = 0x6824,
	GUEST_IA32_SYSENTER_EIP = 0x6826,
	GUEST_IA32_S_CET = 0x6828,
	GUEST_SSP = 0x682a,
	GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR = 0x682c,
	/* B.4.4 host state */
	HOST_CR0 = 0x6c00,
	HOST_CR3 = 0x6c02,
	HOST_CR4 = 0x6c04,
	HOST_FS_BASE = 0x6c06,
	HOST_GS_BASE = 0x6c08,
	HOST_TR_BASE = 0x6c0a,
	HOST_GDTR_BASE = 0x6c0c,
	HOST_IDTR_BASE = 0x6c0e,
	HOST_IA32_SYSENTER_ESP = 0x6c10,
	HOST_IA32_SYSENTER_EIP = 0x6c12,
	HOST_RSP = 0x6c14,
	HOST_RIP = 0x6c16,
	HOST_IA32_S_CET = 0x6c18,
	HOST_SSP = 0x6c1a,
	HOST_IA32_INTERRUPT_SSP_TABLE_ADDR = 0x6c1c,
};

enum vmcs_width { VMCS_WIDTH_16 = 0, VMCS_WIDTH_64 = 1, VMCS_WIDTH_32 = 2, VMCS_WIDTH_NATURAL = 3 };
#define VMCS_WIDTH_SHIFT 13
#define VMCS_WIDTH_MASK 3u
#define VMCS_FIELD_WIDTH(f) ((enum vmcs_width)(((unsigned)(f) >> VMCS_WIDTH_SHIFT) & VMCS_WIDTH_MASK))

/* The groups above are where their encodings say they are. */
_Static_assert(VMCS_FIELD_WIDTH(HOST_TR_SELECTOR) == VMCS_WIDTH_16, "SDM B.1");
_Static_assert(VMCS_FIELD_WIDTH(EPT_POINTER) == VMCS_WIDTH_64, "SDM B.2");
_Static_assert(VMCS_FIELD_WIDTH(HOST_IA32_SYSENTER_CS) == VMCS_WIDTH_32, "SDM B.3");
_Static_assert(VMCS_FIELD_WIDTH(HOST_RIP) == VMCS_WIDTH_NATURAL, "SDM B.4");

/* ---- the instructions (SDM 31.3), with their failure reporting (31.2) ----
 * VMsucceed clears CF and ZF; VMfailInvalid (no current VMCS) sets CF;
 * VMfailValid sets ZF and puts a number in VM_INSTRUCTION_ERROR. */
enum vmx_status { VMX_OK = 0, VMX_FAIL_VALID = 1, VMX_FAIL_INVALID = 2 };

static inline enum vmx_status vmx_status(bool cf, bool zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

/* vmm/vmx/names.c: the SDM's words for numbers. */
const char *vmx_instruction_error_name(uint32_t error);
const char *vmx_exit_reason_name(uint32_t basic_reason);
/* Prints what failed (reading VM_INSTRUCTION_ERROR on VMfailValid) and
 * panics: a failed VMREAD/VMWRITE/VMPTRLD is a bug in memvisor. */
__attribute__((noreturn)) void vmx_instruction_failed(const char *insn, uint64_t operand, enum vmx_status s);

static inline enum vmx_status vmx_vmread(enum vmcs_field f, uint64_t *value)
{
	bool cf, zf;
	__asm__ volatile("vmread %[f], %[v]"
			 : [v] "=rm"(*value), "=@ccc"(cf), "=@ccz"(zf)
			 : [f] "r"((uint64_t)f)
			 : "cc");
	return vmx_status(cf, zf);
}

static inline enum vmx_status vmx_vmwrite(enum vmcs_field f, uint64_t value)
{
	bool cf, zf;
	__asm__ volatile("vmwrite %[v], %[f]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [f] "r"((uint64_t)f), [v] "rm"(value)
			 : "cc", "memory");
	return vmx_status(cf, zf);
}

/* VMXON, VMCLEAR and VMPTRLD take the physical address in memory. */
#define VMX_PA_INSTRUCTION(name, insn)                                                     \
	static inline enum vmx_status name(mpa_t pa)                                       \
	{                                                                                  \
		bool cf, zf;                                                               \
		__asm__ volatile(insn " %[pa]"                                             \
				 : "=@ccc"(cf), "=@ccz"(zf)                                \
				 : [pa] "m"(pa.raw)                                        \
				 : "cc", "memory");                                        \
		return vmx_status(cf, zf);                                                 \
	}
VMX_PA_INSTRUCTION(vmx_vmxon, "vmxon")
VMX_PA_INSTRUCTION(vmx_vmclear, "vmclear")
VMX_PA_INSTRUCTION(vmx_vmptrld, "vmptrld")

/* INVEPT and INVVPID (SDM 31.3): a type in a register and a 128-bit
 * descriptor in memory. INVEPT's descriptor is the EPTP, then 64 reserved
 * bits (0); INVVPID's is the VPID in bits 15:0 (bits 63:16 reserved, 0),
 * then a linear address used only by the individual-address type. */
#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXT 2
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXT 2
struct vmx_inv_descriptor {
	uint64_t low, high;
};

#define VMX_INV_INSTRUCTION(name, insn)                                                    \
	static inline enum vmx_status name(uint64_t type, uint64_t low)                    \
	{                                                                                  \
		struct vmx_inv_descriptor d = { low, 0 };                                  \
		bool cf, zf;                                                               \
		__asm__ volatile(insn " %[d], %[t]"                                        \
				 : "=@ccc"(cf), "=@ccz"(zf)                                \
				 : [d] "m"(d), [t] "r"(type)                               \
				 : "cc", "memory");                                        \
		return vmx_status(cf, zf);                                                 \
	}
VMX_INV_INSTRUCTION(vmx_invept, "invept")   /* low: the EPTP */
VMX_INV_INSTRUCTION(vmx_invvpid, "invvpid") /* low: the VPID */

/* ---- width-checked accessors ----
 * The call to vmcs_width_mismatch() survives only when a constant field
 * has the wrong width, and then gcc refuses to compile it. */
void vmcs_width_mismatch(void) __attribute__((error("VMCS field used with an accessor of another width "
						       "(SDM Vol. 3D B: encoding bits 14:13)")));

static inline __attribute__((always_inline)) void vmcs_check_width(enum vmcs_field f, enum vmcs_width w)
{
	if (__builtin_constant_p(f)) {
		if (VMCS_FIELD_WIDTH(f) != w)
			vmcs_width_mismatch();
	} else {
		ASSERT(VMCS_FIELD_WIDTH(f) == w);
	}
}

static inline __attribute__((always_inline)) uint64_t vmcs_read(enum vmcs_field f)
{
	uint64_t v;
	enum vmx_status s = vmx_vmread(f, &v);
	if (s != VMX_OK)
		vmx_instruction_failed("VMREAD", f, s);
	return v;
}

/* VMWRITEs so far, but for the four fields every entry writes (RSP, RIP,
 * RFLAGS, the preemption timer): while it stays the same, a VMCS holds
 * what the CPU saved at the last exit plus those four, and the entry check
 * reads only what they touch (vmm/vmx/entry_state.c). */
extern uint64_t vmx_vmcs_writes;

static inline __attribute__((always_inline)) bool vmcs_written_every_entry(enum vmcs_field f)
{
	return f == GUEST_RSP || f == GUEST_RIP || f == GUEST_RFLAGS || f == VMX_PREEMPTION_TIMER_VALUE;
}

static inline __attribute__((always_inline)) void vmcs_write(enum vmcs_field f, uint64_t v)
{
	if (!vmcs_written_every_entry(f))
		vmx_vmcs_writes++;
	enum vmx_status s = vmx_vmwrite(f, v);
	if (s != VMX_OK)
		vmx_instruction_failed("VMWRITE", f, s);
}

#define VMCS_ACCESSORS(suffix, type, width)                                                \
	static inline __attribute__((always_inline)) type vmcs_read##suffix(enum vmcs_field f) \
	{                                                                                  \
		vmcs_check_width(f, width);                                                \
		return (type)vmcs_read(f);                                                 \
	}                                                                                  \
	static inline __attribute__((always_inline)) void vmcs_write##suffix(enum vmcs_field f, type v) \
	{                                                                                  \
		vmcs_check_width(f, width);                                                \
		vmcs_write(f, v);                                                          \
	}
VMCS_ACCESSORS(16, uint16_t, VMCS_WIDTH_16)
VMCS_ACCESSORS(32, uint32_t, VMCS_WIDTH_32)
VMCS_ACCESSORS(64, uint64_t, VMCS_WIDTH_64)
VMCS_ACCESSORS(_natural, uint64_t, VMCS_WIDTH_NATURAL)

#endif
