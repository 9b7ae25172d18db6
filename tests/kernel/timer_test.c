/* tests/kernel/timer_test.c — the periodic tick. */
#include "kernel/io.h"
#include "kernel/ktest.h"
#include "kernel/timer.h"

#define WAIT_TICKS 5
#define MAX_HALTS 10000 /* each HLT ends at the next interrupt */

KTEST(timer, ticks_advance_with_interrupts_on)
{
	uint64_t start = timer_ticks(), halts = 0;
	while (timer_ticks() - start < WAIT_TICKS && halts < MAX_HALTS) {
		cpu_halt();
		halts++;
	}
	KT_EXPECT(t, timer_ticks() - start >= WAIT_TICKS);
	/* Only the timer line is unmasked, so nearly every wake-up is a tick. */
	KT_EXPECT(t, halts <= 2 * WAIT_TICKS + 2);
}

KTEST(timer, rate_matches_tick_hz_against_the_tsc)
{
	/* Two measurements of TSC cycles per tick should agree within 50%:
	 * this catches a wrong PIT divisor (e.g. ticks at 18.2 Hz) without
	 * knowing the TSC's frequency. */
	uint64_t per[2];
	for (int i = 0; i < 2; i++) {
		uint64_t t0 = timer_ticks();
		while (timer_ticks() == t0)
			cpu_halt();
		uint64_t c0 = rdtsc(), t1 = timer_ticks();
		while (timer_ticks() - t1 < (uint64_t)(i + 1) * 4)
			cpu_halt();
		per[i] = (rdtsc() - c0) / ((uint64_t)(i + 1) * 4);
	}
	KT_EXPECT(t, per[0] > 0 && per[1] > 0);
	KT_EXPECT(t, per[1] < per[0] * 3 / 2 && per[0] < per[1] * 3 / 2);
}
