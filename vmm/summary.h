/* vmm/summary.h — the run's summary (vmm/summary.c). */
#ifndef MEMVISOR_VMM_SUMMARY_H
#define MEMVISOR_VMM_SUMMARY_H

/* Prints each VM's outcome ("ok", "failed" or "stopped") and exits, the
 * scheduler's and reclamation's totals, and shuts down with the status
 * the outcomes give (kernel/shutdown.h). */
__attribute__((noreturn)) void summary_print_and_shut_down(void);

#endif
