/* vmm/policy.h — the memory-state policy (DESIGN.md §5): which state the
 * machine is in, from the guests' free memory, and what reclamation that
 * state calls for (vmm/policy.c). */
#ifndef MEMVISOR_VMM_POLICY_H
#define MEMVISOR_VMM_POLICY_H

#include "mem_state.h"

/* Parses mem_states= (an option error when malformed). */
void policy_init(void);
/* Recomputes the state from guest_frames; logs and counts a change. */
void policy_update(uint64_t now_ms);
enum mem_state policy_state(void);
uint64_t policy_state_changes(void);
/* Sets balloon targets and compresses cold pages as the state asks. */
void policy_act(uint64_t now_ms);
/* True while some reclamation technique can still free a guest frame. */
bool policy_reclaim_possible(void);

#endif
