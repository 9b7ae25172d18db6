/* vmm/policy/active_estimate.c — the arithmetic of active-memory sampling
 * (see active.h): a period's estimate, the fast and slow moving averages
 * (exponentially weighted: avg += (x - avg) / 2^k, in fixed point), and
 * the larger of the two. Pure code: tests/unit/test_active.c. */
#include "vmm/policy/active.h"
#include "kernel/lab.h"

uint64_t active_period_estimate(uint64_t touched, uint64_t sampled, uint64_t resident)
{
	if (!sampled)
		return 0;
	return (MIN(touched, sampled) * resident + sampled / 2) / sampled;
}

/* avg moved 1/2^shift of the way to x (both fixed point). */
static uint64_t ewma(uint64_t avg, uint64_t x, unsigned shift)
{
	return x >= avg ? avg + ((x - avg) >> shift) : avg - ((avg - x) >> shift);
}

void active_average(struct vm_active *a, uint64_t estimate)
{
	/* LAB 8.1 fair-share: fold one period's estimate (pages) into the
	 * averages. Both are fixed point (ACTIVE_FIX_SHIFT bits of fraction):
	 * a period of 1 page must still move them. The first period measured
	 * sets both; each later one moves the fast average 1/2^ACTIVE_FAST_SHIFT
	 * and the slow one 1/2^ACTIVE_SLOW_SHIFT of the way to it (ewma()).
	 * Keep the estimate as `last`, and count the period. */
	uint64_t x = estimate << ACTIVE_FIX_SHIFT;
	a->last = estimate;
	if (!a->periods) {
		a->fast = a->slow = x;
	} else {
		a->fast = ewma(a->fast, x, ACTIVE_FAST_SHIFT);
		a->slow = ewma(a->slow, x, ACTIVE_SLOW_SHIFT);
	}
	a->periods++;
	/* LAB 8.1 end. The skeleton has instead:
	 *	(void)a, (void)estimate, (void)ewma;
	 *	LAB_TODO("fair-share", "active_average");
	 */
}

uint64_t active_pages(const struct vm_active *a)
{
	uint64_t most = MAX(a->fast, a->slow);
	return (most + (1u << (ACTIVE_FIX_SHIFT - 1))) >> ACTIVE_FIX_SHIFT;
}
