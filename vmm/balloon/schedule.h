/* vmm/balloon/schedule.h — the balloon= option at run time: each VM's
 * targets one after the other (syntax in vmm/balloon/plan.h), so that a
 * test or a demo runs inflate/deflate cycles without a person.
 *
 * A step is over when the balloon has reached its target and held it for
 * balloon_step_ms; then the next target is set. The pace is the guest's:
 * a slow emulator makes the run longer, never skips a step. A step whose
 * target is not reached within BALLOON_STEP_GIVE_UP_MS (the guest has no
 * driver, or cannot spare the pages) is logged as such and left.
 * Each step's log line says how far the balloon and the machine's free
 * frames moved, for tests and for students to compare.
 */
#ifndef MEMVISOR_VMM_BALLOON_SCHEDULE_H
#define MEMVISOR_VMM_BALLOON_SCHEDULE_H

#include "kernel/types.h"

#define BALLOON_STEP_GIVE_UP_MS 30000

/* Parses balloon= against the VMs created (an option error when it names
 * no VM or a target above the VM's cap). */
void balloon_schedule_init(void);
/* Between time slices (vmm/vmm.c background_work): moves the steps on. */
void balloon_schedule_tick(uint64_t now_ms);

#endif
