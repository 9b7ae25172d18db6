/* vmm/share/scan.h — transparent page sharing in the running hypervisor:
 * the scanner that runs between guest time slices, rate-limited like ESX's
 * (Mem.ShareScanTime, Mem.ShareScanGHz, Mem.ShareRateMax:
 * docs/background.md), honouring each VM's salt and opt-out (per_vm.h), and
 * the figures for stats and the monitor (vmm/share/report.c). The
 * transitions themselves are vmm/share/share.c's (pure code), over the
 * real machine of vmm/share/ops.c; copy-on-write is vmm/share/cow.h. */
#ifndef MEMVISOR_VMM_SHARE_SCAN_H
#define MEMVISOR_VMM_SHARE_SCAN_H

#include "vmm/share/share.h"
#include "vmm/vm.h"

extern struct share_engine share_engine;

/* Once the VMs are parsed: the table, the rates, one log line; the
 * checker of every invariant is the one share_check runs (check.h).
 * Returns 0, or -E_NO_MEMORY when the table does not fit. */
int share_setup(uint64_t now_ms, unsigned (*check_every_invariant)(void));
/* Between time slices: scans what the rates allow, in bounded time. */
void share_scan_step(uint64_t now_ms);
/* A page about to be reclaimed (vmm/zswap/clock.c's victim), looked at
 * now, outside the scanner's order and rates: if it is like a page
 * already shared or hinted (a zero page, say), it merges, costing no frame
 * and, unlike a compressed page, no fault when the guest next reads it.
 * 0 when it merged; -E_AGAIN when it did not (it stays PRIVATE, maybe
 * hinted); -E_NOT_SUPPORTED when the VM does not share. */
int share_offer(struct vm *vm, gfn_t gfn);
/* The monitor's `share scan`: one full pass over every sharing VM now. */
void share_scan_all(void);

/* Figures, in 4 KiB pages (vmm/stats.h names them). */
struct share_machine_figures {
	uint64_t shared, saved, zero, cow_breaks, pages_scanned, full_scans;
};
void share_vm_counts(const struct vm *vm, struct share_figures *out);
void share_machine_counts(struct share_machine_figures *out);
/* Completed rounds: passes in which every sharing VM was scanned in full. */
uint64_t share_rounds(void);
/* The monitor's `share`: per VM and machine, plus the transition counts. */
void share_print_table(void);

#endif
