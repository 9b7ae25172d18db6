/* kernel/timer.h — the periodic tick (kernel/timer.c). */
#ifndef MEMVISOR_TIMER_H
#define MEMVISOR_TIMER_H

#include "kernel/types.h"

/* Programs the PIT for `hz` interrupts per second on IRQ 0 and remaps the
 * 8259 PICs to vectors 32..47 with every other line masked. */
void timer_init(unsigned hz);
uint64_t timer_ticks(void);
unsigned timer_hz(void);
/* Milliseconds since timer_init(), at the tick's resolution. */
uint64_t timer_ms(void);

/* Measures the TSC against the tick (interrupts must be on); afterwards
 * tsc_khz() is TSC ticks per millisecond. */
void tsc_calibrate(void);
uint64_t tsc_khz(void);

#endif
