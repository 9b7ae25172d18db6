/* vmm/hypercall_abi.h — the contract between memvisor and its guests.
 * Shared by guest/ and vmm/: the only header both sides include.
 *
 * 1. Boot protocol (like multiboot's; docs/design.md, "Boot")
 *    A guest image is an ELF file whose PT_LOAD segments name guest-physical
 *    addresses (p_paddr, at or above GUEST_IMAGE_MIN_GPA); e_entry is a
 *    32-bit entry point. The vCPU starts there in 32-bit protected mode:
 *      CR0 = PE | ET | NE (paging off), CS = flat 32-bit code, DS/ES/SS/FS/GS
 *      = flat data, all with base 0 and limit 4 GiB; interrupts off;
 *      EAX = GUEST_BOOT_MAGIC, EBX = the guest's memory size in KiB.
 *    The guest's RAM is gpa [0, memory size). Nothing else is set up: the
 *    guest builds its own GDT, page tables and IDT.
 *
 * 2. Hypercalls (KVM's convention)
 *    RAX = number, RBX, RCX, RDX, RSI = arguments, then VMMCALL (AMD) or
 *    VMCALL (Intel) — the guest runtime finds out which from CPUID. The
 *    result comes back in RAX: >= 0 is success, < 0 is -HC_E*. Other
 *    registers are preserved. Pointers are guest-physical addresses.
 *
 * 3. Ports
 *    COM1 (0x3f8-0x3ff): a per-VM UART whose output memvisor prints on the
 *    real console as "[vmN:name] line". Only THR writes and LSR reads do
 *    anything; LSR always reads "transmitter empty".
 *    GUEST_EXIT_PORT: a 32-bit OUT ends the VM with that status, like QEMU's
 *    isa-debug-exit.
 *
 * 4. CPUID leaf 0x40000000: EAX = highest hypervisor leaf, EBX:ECX:EDX =
 *    "memvisor" padded with NULs to 12 bytes ("memv" "isor" "\0\0\0\0").
 *
 * 5. Balloon (docs/background.md, "Ballooning":
 *    ESX's vmmemctl; the batches are virtio-balloon's PFN arrays)
 *    memvisor sets a target: how many of the guest's pages it wants back.
 *    The guest's driver (guest/runtime/balloon.c) *polls* it with
 *    HC_BALLOON_TARGET: memvisor gives guests no interrupts, so there is no
 *    way to tell them; a driver asks from its workload's loops or its idle
 *    loop, at least as often as a timer tick would come (about every 10 ms
 *    of guest time). Then it inflates (pages it does not need go to
 *    memvisor, which frees their machine frames) or deflates (it takes
 *    pages back: memvisor gives each a fresh zeroed frame).
 *    A batch is one guest page holding up to HC_BALLOON_BATCH_MAX 64-bit
 *    gfns; RBX = its gpa (page-aligned, inside the VM), RCX = the count.
 *    memvisor checks all of it before it changes anything: a bad batch is
 *    refused whole (-HC_E_*) and nothing changes. An inflated gfn must be
 *    a page of the VM's that holds contents now (touched: private or
 *    shared), not ballooned already; a deflated gfn must be ballooned; no
 *    gfn twice in one batch; the balloon never exceeds balloon_max_pct of
 *    the VM. A guest that touches a ballooned page anyway gets a fresh
 *    zero frame (never old contents), and memvisor counts a warning.
 *    A page memvisor compressed after the guest touched it (the guest
 *    cannot know: compression needs no word from it) still holds contents
 *    and is taken like any other: the inflate succeeds, the gfn becomes
 *    ballooned and its compressed copy is dropped — the area's room and
 *    the VM's charge for it go back; no frame is freed, as none held it
 *    (counted as compressed-dropped in the monitor's `balloon`). An
 *    untouched gfn (or one ballooned already) is refused: -HC_E_PERM.
 *
 * 6. Marks (for labs and tests)
 *    HC_MARK tells memvisor that the guest has reached point N of its
 *    workload. memvisor logs it with the VM's memory statistics of that
 *    moment ("memvisor: [vmN:name] mark N" and a "stats:" line) and, with
 *    script_at=mark:VM:N (VM a name or an id), runs the monitor script
 *    there — e.g. forced compression while the guest holds its pages —
 *    before the guest goes on. The log lines are the guest's to cause, so
 *    they are rate-limited (vmm/log_limit.h: 64 at once, then 8 a second,
 *    the rest counted and the count logged); the script runs at every
 *    matching mark, logged or not.
 */
#ifndef MEMVISOR_HYPERCALL_ABI_H
#define MEMVISOR_HYPERCALL_ABI_H

#include <stdint.h>

#define GUEST_BOOT_MAGIC 0x4d564753u /* "MVGS" */
#define GUEST_IMAGE_MIN_GPA 0x100000u
#define GUEST_EXIT_PORT 0xf4
#define GUEST_COM1_PORT 0x3f8

#define CPUID_HYPERVISOR_BASE 0x40000000u
#define CPUID_HYPERVISOR_MAX 0x40000001u
#define CPUID_HYPERVISOR_SIGNATURE "memvisor"

enum hypercall_number {
	HC_CONSOLE_WRITE = 1, /* RBX = gpa of text, RCX = length (<= HC_CONSOLE_MAX): bytes written */
	HC_EXIT = 2,          /* RBX = status: the VM ends; does not return          */
	HC_GET_INFO = 3,      /* RBX = gpa of a struct hc_vm_info to fill: 0          */
	HC_NOP = 4,           /* does nothing, returns 0: the bare cost of an exit    */
	HC_BALLOON_TARGET = 5,  /* (§5) no arguments: the balloon's target, in pages  */
	HC_BALLOON_INFLATE = 6, /* (§5) RBX = gpa of a batch, RCX = count: pages taken */
	HC_BALLOON_DEFLATE = 7, /* (§5) RBX = gpa of a batch, RCX = count: pages given back */
	HC_BALLOON_STATS = 8,   /* (§5) RBX = the guest's free pages, RCX = the pages its
	                           allocator manages (virtio-balloon's MEMFREE, MEMTOT): 0 */
	HC_MARK = 9,            /* (§6) RBX = a number N: memvisor logs "mark N", 0 */
	HC_NUMBER_END
};

#define HC_CONSOLE_MAX 4096
/* One 4 KiB page of 64-bit gfns per balloon batch. */
#define HC_BALLOON_BATCH_MAX 512

/* Errors, returned negated in RAX (numbered as in KVM's kvm_para.h, and
 * where KVM has none, as Linux's errno). */
enum hypercall_error {
	HC_E_PERM = 1,    /* not allowed now: e.g. a gfn in the wrong balloon state */
	HC_E_2BIG = 7,    /* a count above the ABI's limit                  */
	HC_E_NOMEM = 12,  /* no machine memory to do it now                 */
	HC_E_FAULT = 14,  /* a gpa or gfn outside the VM's memory           */
	HC_E_INVAL = 22,  /* a bad argument (length, alignment, reserved)   */
	HC_E_NOSPC = 28,  /* the balloon would exceed balloon_max_pct       */
	HC_E_NOSYS = 1000 /* no such hypercall number                       */
};

#define HC_INFO_NAME_MAX 16
#define HC_INFO_ARGS_MAX 128

struct hc_vm_info {
	uint32_t abi_version;        /* HC_ABI_VERSION                          */
	uint32_t vm_id;              /* 1, 2, ... in the order of guests=       */
	uint64_t memory_bytes;       /* size of the guest's RAM                 */
	char name[HC_INFO_NAME_MAX]; /* the guest image's name, e.g. "memtest"  */
	char args[HC_INFO_ARGS_MAX]; /* extra key=value words from guests=      */
	uint64_t tsc_khz;            /* TSC ticks per millisecond, measured at boot
	                                against the PIT (0 if unknown)          */
};
#define HC_ABI_VERSION 1

#endif
