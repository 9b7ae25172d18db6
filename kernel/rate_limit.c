/* kernel/rate_limit.c — token buckets (see rate_limit.h). */
#include "kernel/rate_limit.h"

void rate_limit_init(struct rate_limit *r, uint64_t per_sec, uint64_t burst_ms, uint64_t now_ms)
{
	r->per_sec = per_sec;
	/* per_sec units a second are per_sec thousandths a millisecond. */
	r->cap = MAX(per_sec * burst_ms, (uint64_t)RATE_MILLI);
	r->milli = 0;
	r->last_ms = now_ms;
}

void rate_limit_fill(struct rate_limit *r)
{
	r->milli = r->cap;
}

void rate_limit_refill(struct rate_limit *r, uint64_t now_ms)
{
	if (now_ms <= r->last_ms)
		return;
	uint64_t earned = (now_ms - r->last_ms) * r->per_sec;
	r->milli = MIN(r->cap, r->milli + earned);
	r->last_ms = now_ms;
}

uint64_t rate_limit_available(const struct rate_limit *r)
{
	return r->milli / RATE_MILLI;
}

void rate_limit_take(struct rate_limit *r, uint64_t n)
{
	uint64_t milli = n * RATE_MILLI;
	r->milli = milli < r->milli ? r->milli - milli : 0;
}
