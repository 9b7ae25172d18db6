/* vmm/policy/policy.h — the memory-state policy (docs/design.md, "Memory states
 * and the policy"): which state the
 * machine is in, from the guests' free memory, and what reclamation that
 * state calls for (vmm/policy/policy.c). */
#ifndef MEMVISOR_VMM_POLICY_H
#define MEMVISOR_VMM_POLICY_H

#include "vmm/policy/mem_state.h"
#include "vmm/zswap/zswap.h"

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
/* Sets balloon targets and compresses cold pages as the state asks;
 * compression stops once rdtsc() reaches deadline_tsc (the background
 * work's time budget, vmm/sched.h). */
void policy_act(uint64_t deadline_tsc);
/* limit= (vmm/policy/limit.c): each VM at its limit is asked for its
 * balloon and has cold pages compressed (or swapped), never below its
 * reservation; returns the pages taken. */
uint64_t policy_enforce_limits(uint64_t deadline_tsc);
/* A VM that has waited at its limit for LIMIT_STUCK_STEPS policy steps
 * while nothing could be taken from it, or NULL: its working set does not
 * fit its limit, and it alone is stopped (vmm/vmm.c). */
struct vm *policy_stuck_at_limit(void);
/* True while some reclamation technique can still free a guest frame. */
bool policy_reclaim_possible(void);
/* Where the clock's victims may go besides the area (zswap.h): offered
 * to sharing first, and to the swap disk while it has room. */
struct zswap_outlets policy_outlets(void);
/* A VM was stopped for thrashing: the count starts again for the others. */
void policy_thrash_reset(void);

struct vm;
/* Frames charged to the VM: its private pages and its part of the
 * compressed swap area (shared frames belong to no one VM). */
uint64_t policy_vm_held(const struct vm *vm);
/* The VM's entitlement to guest_mem now, in frames (policy_entitlements(),
 * vmm/policy/entitle.h): its fair share, by shares and idle tax. */
uint64_t policy_vm_entitled(const struct vm *vm);
/* True when the VM holds more resident pages than its reservation=: one
 * at or under it is owed what it holds (and what it waits for), whatever
 * its compressed pages add to its charge; it is never the one blamed. */
bool policy_above_reservation(const struct vm *vm);
/* The running VM holding the most above its entitlement (in frames), or NULL. */
struct vm *policy_most_over_share(void);
/* A VM over its entitlement that has waited for memory through
 * OVER_SHARE_STEPS policy steps in state low while nothing could be taken
 * from it (vmm/policy/policy.c), or NULL: the one to stop. */
struct vm *policy_starving_over_share(void);

#endif
