/* vmm/share/scan.h — transparent page sharing in the running hypervisor:
 * the scanner that runs between guest time slices, rate-limited like ESX's
 * (Mem.ShareScanTime, Mem.ShareScanGHz, Mem.ShareRateMax: seeds/vmware-
 * memory-guide.txt), the per-VM salt and opt-out, copy-on-write from the
 * fault path, and the figures for stats and the monitor. The transitions
 * themselves are vmm/share/share.c's (pure code); this file plugs the real
 * allocator, PMAPs and nested tables into them. */
#ifndef MEMVISOR_VMM_SHARE_SCAN_H
#define MEMVISOR_VMM_SHARE_SCAN_H

#include "vmm/share/share.h"
#include "vmm/vm.h"

extern struct share_engine share_engine;

/* Once the VMs are parsed: the table, the rates, one log line. Returns 0,
 * or -E_NO_MEMORY when the table does not fit. */
int share_setup(uint64_t now_ms);
/* Between time slices: scans what the rates allow, in bounded time. */
void share_scan_step(uint64_t now_ms);
/* The monitor's `share scan`: one full pass over every sharing VM now. */
void share_scan_all(void);

/* Copy-on-write: a write to a SHARED gfn. 0 with its private frame in
 * *out (its nested mapping dropped), or -E_NO_MEMORY. */
int share_cow(struct vm *vm, gfn_t gfn, mfn_t *out);
/* True if a fault at gfn can only be a write: the nested tables already
 * map it read-only to its shared frame (e.g. the CPU setting a dirty bit
 * in a guest page table that is shared). */
bool share_fault_is_write(struct vm *vm, gfn_t gfn);
/* vm_memory_release() for a SHARED gfn: drops it from the frame. */
void share_release_gfn(struct vm *vm, gfn_t gfn, mfn_t f);
/* vm_frame_free(): a guest frame goes back; if it was a shared frame that
 * some other path (a balloon) emptied, it leaves the table first. */
void share_frame_freed(mfn_t f);

/* Figures, in 4 KiB pages (vmm/stats.h names them). */
struct share_machine_figures {
	uint64_t shared, saved, zero, cow_breaks, pages_scanned, full_scans;
};
void share_vm_counts(const struct vm *vm, struct share_figures *out);
void share_machine_counts(struct share_machine_figures *out);
/* Invariant checks run after transitions (share_check), and completed
 * rounds: passes in which every sharing VM was scanned in full. */
uint64_t share_checks_done(void);
uint64_t share_rounds(void);
/* The monitor's `share`: per VM and machine, plus the transition counts. */
void share_print_table(void);

#endif
