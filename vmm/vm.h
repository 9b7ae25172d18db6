/* vmm/vm.h — virtual machines and their vCPUs, as the neutral core sees
 * them. One vCPU per VM, and memvisor runs on one physical CPU. */
#ifndef MEMVISOR_VMM_VM_H
#define MEMVISOR_VMM_VM_H

#include "kernel/boot_info.h"
#include "vmm/backend.h"
#include "vmm/balloon/per_vm.h"
#include "vmm/cpu/state.h"
#include "vmm/mm/frame_table.h"
#include "vmm/hypercall_abi.h"
#include "vmm/log_limit.h"
#include "vmm/mm/nested_pt.h"
#include "vmm/mm/pmap.h"
#include "vmm/policy/per_vm.h"
#include "vmm/sched_per_vm.h"
#include "vmm/share/per_vm.h"
#include "vmm/swap/per_vm.h"
#include "vmm/zswap/per_vm.h"

#define VM_MAX 16
#define VM_NAME_MAX HC_INFO_NAME_MAX
#define VM_ARGS_MAX HC_INFO_ARGS_MAX
#define UART_LINE_MAX 160

enum vm_state {
	VM_RUNNABLE,
	VM_FINISHED, /* the guest ended itself (exit port or HC_EXIT)       */
	VM_STOPPED,  /* memvisor stopped it: triple fault, bad access, ...  */
};

struct vcpu {
	struct vm *vm;
	struct vcpu_regs regs;
	void *arch; /* the backend's per-vCPU state (VMCB or VMCS) */
	struct vcpu_cpu_state cpu; /* what neither VMCB nor VMCS switches */
	uint64_t exits[EXIT_REASON_COUNT];
	/* The guest's CR3 as of its last exit: its page-table root (a gpa),
	 * kept in plain memory for debuggers (tools/gdb) and the monitor. */
	uint64_t last_cr3;
	/* When the core wants the CPU back (TSC): a backend with a timer of
	 * its own (the VMX-preemption timer) makes the guest exit by then;
	 * 0: no deadline. */
	uint64_t deadline_tsc;
};

struct vm_uart {
	char line[UART_LINE_MAX];
	uint32_t len;
	uint8_t scratch; /* the UART's scratch register, which guests probe */
};

struct vm_stats {
	uint64_t npf;          /* nested page faults taken                   */
	uint64_t demand_zero;  /* frames allocated and zeroed on first touch */
	uint64_t demand_image; /* frames filled from the guest image         */
	uint64_t hypercalls;
	uint64_t hypercall_errors;
	uint64_t memory_waits; /* times it had to wait for a machine frame */
};

#define GUEST_SEGMENTS_MAX 8

/* One PT_LOAD segment of the guest image: gpa range and where its bytes
 * are in the module. Pages are filled from it on first touch. */
struct guest_segment {
	uint64_t gpa, filesz, memsz, offset;
};

struct vm {
	uint32_t id; /* 1-based, in guests= order */
	char name[VM_NAME_MAX];
	char args[VM_ARGS_MAX];
	uint64_t mem_bytes;
	const struct boot_module *image;
	struct guest_segment segs[GUEST_SEGMENTS_MAX];
	uint32_t nsegs;
	uint64_t entry; /* 32-bit entry point (gpa) */
	struct pmap pmap;
	struct nested_pt npt; /* the cache of the PMAP (backend-formatted) */
	struct vcpu vcpu;
	enum vm_state state;
	bool released; /* its memory went back once it ended */
	bool waiting;  /* its last access needs a frame the budget has not got */
	int exit_status;
	char stop_reason[192];
	struct vm_uart com1;
	struct log_limit log_limit; /* lines the guest caused: vm_log_guest() */
	struct vm_stats stats;
	struct vm_sched sched;     /* vmm/sched_per_vm.h */
	struct vm_balloon balloon; /* vmm/balloon/per_vm.h */
	struct vm_share share;     /* vmm/share/per_vm.h */
	struct vm_zswap zswap;     /* vmm/zswap/per_vm.h */
	struct vm_swap swap;       /* vmm/swap/per_vm.h */
	struct vm_alloc alloc;     /* vmm/policy/per_vm.h: shares, reservation, limit */
	struct vm_active active;   /* vmm/policy/per_vm.h: active memory by sampling */
};

/* The VM table (vmm/vm.c): vms[0..vm_count), vm->id == index + 1. */
extern struct vm vms[VM_MAX];
extern uint32_t vm_count;
extern struct frame_table frame_table;

/* The VM with that id, or NULL when there is none. A VM that ended keeps
 * its slot; whether it still holds memory is vm->pmap.entries != NULL. */
struct vm *vm_by_id(uint32_t id);
/* The same while the VM still holds its memory (its PMAP); else NULL. */
struct vm *vm_with_memory(uint32_t id);
/* A VM by id ("2") or by name ("memtest"). Returns 0 with *out set,
 * -E_NOT_FOUND, or -E_EXISTS when two VMs have that name (an id is then
 * the only way to name one). vm_find_error() writes what went wrong to
 * buf ("no VM 'x'", or that two have that name) and returns buf. */
int vm_find(const char *word, struct vm **out);
const char *vm_find_error(int rc, const char *word, char *buf, size_t size);
/* The VM's state as the monitor and the stats lines print it:
 * "running", "finished" or "stopped". */
const char *vm_state_name(const struct vm *vm);

/* Ends a VM that misbehaved, printing "vmN (name) stopped: REASON". */
void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends a VM that exited by itself with `status`. */
void vm_finish(struct vm *vm, int status);

/* vmm log line: "memvisor: [vmN:name] ..." */
void vm_log(const struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A log line the guest caused and could repeat at will: printed as
 * vm_log() within the VM's budget (vmm/log_limit.h), else only counted.
 * Returns whether it printed. */
bool vm_log_guest(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes one line from the VM's budget (saying first how many were
 * suppressed, if any): for a guest-caused line printed otherwise. */
bool vm_log_guest_allowed(struct vm *vm);
/* Says how many guest-caused lines were suppressed since the last such
 * line (nothing when none were): at the VM's end. */
void vm_log_suppressed(struct vm *vm);

#endif
