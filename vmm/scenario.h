/* vmm/scenario.h — named runs (scenario=NAME) that set the guests and the
 * memory options for a demonstration (vmm/scenario.c). */
#ifndef MEMVISOR_VMM_SCENARIO_H
#define MEMVISOR_VMM_SCENARIO_H

/* Applies scenario= to the options; an option error when the name is
 * unknown or guests= was given too. */
void scenario_apply(void);
/* After swap_init(): a scenario that needs a swap disk (scenario=swap)
 * stops with an option error, saying how to attach one, when none is in
 * use — rather than running into thrashing. */
void scenario_check_devices(void);

#endif
