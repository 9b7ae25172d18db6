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
/* True when free memory has fallen below a threshold since the last
 * update: the run loop then ends the slice early and updates the state,
 * so that a guest faulting in memory fast cannot take the machine from
 * high to low in one slice, past soft and hard. Rising waits for the next
 * round of slices: the state does not climb on a moment's relief. */
bool policy_update_due(void);
/* Sets balloon targets and compresses cold pages as the state asks. */
void policy_act(uint64_t now_ms);
/* True while some reclamation technique can still free a guest frame. */
bool policy_reclaim_possible(void);

#endif
