/* vmm/scenario.h — named runs (scenario=NAME) that set the guests and the
 * memory options for a demonstration (vmm/scenario.c). */
#ifndef MEMVISOR_VMM_SCENARIO_H
#define MEMVISOR_VMM_SCENARIO_H

/* Applies scenario= to the options; an option error when the name is
 * unknown or guests= was given too. */
void scenario_apply(void);

#endif
