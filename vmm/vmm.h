/* vmm/vmm.h — the hypervisor's entry points from kernel_main(). */
#ifndef MEMVISOR_VMM_VMM_H
#define MEMVISOR_VMM_VMM_H

#include "kernel/types.h"

/* Picks the backend for this CPU and checks it can run. Returns 0, or -E_*
 * after printing what is missing and what the user can do. */
int vmm_detect(void);
/* Turns virtualisation on (after vmm_detect() succeeded); once. */
int vmm_enable(void);

/* Allocates the frame table with room for `guest_pages` reverse-map entries. */
int vmm_frame_table_setup(uint64_t guest_pages);

/* Parses guests=, creates the VMs, runs them to the end, prints the
 * summary and shuts down. Never returns. */
__attribute__((noreturn)) void vmm_run(const char *guests_option);

struct vm;
/* HC_MARK: the guest reached point n of its workload. Logs it with the
 * VM's statistics, and runs script= if script_at=mark:VM:N names it. */
void vmm_mark(struct vm *vm, uint64_t n);

/* Checks PMAP ⇔ nested tables ⇔ frame table agreement for every live VM;
 * prints each violation and returns how many there were. */
unsigned vmm_check_invariants(void);

#endif
