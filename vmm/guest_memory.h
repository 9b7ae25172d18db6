/* vmm/guest_memory.h — the guests' memory at start (vmm/guest_memory.c). */
#ifndef MEMVISOR_VMM_GUEST_MEMORY_H
#define MEMVISOR_VMM_GUEST_MEMORY_H

/* The frame table, with a reverse-map entry for every page of every VM in
 * guests=; an option error when the machine has no room for it. */
void guest_memory_frame_table_setup(void);
/* The guests' frame budget (guest_mem=, or what the machine has free),
 * once their PMAPs are allocated; an option error when it is too small
 * for a guest to start, or, without guest_mem=, a guest does not fit. */
void guest_memory_budget_setup(void);

#endif
