/* kernel/rate_limit.h — a token bucket: at most `per_sec` units of work a
 * second, with up to `burst_ms` worth saved up while nobody asked. Page
 * sharing's scanner takes one token per guest page it looks at, from its
 * VM's bucket and from the machine's (ESX's Mem.ShareRateMax per VM and
 * Mem.ShareScanGHz for the host; docs/background.md).
 *
 * Tokens are kept in thousandths, so that rates below one unit per
 * millisecond still add up exactly. Pure code (tests/unit).
 */
#ifndef MEMVISOR_VMM_RATE_LIMIT_H
#define MEMVISOR_VMM_RATE_LIMIT_H

#include "kernel/types.h"

#define RATE_MILLI 1000 /* one whole unit, in thousandths */

struct rate_limit {
	uint64_t per_sec; /* units per second                           */
	uint64_t cap;     /* most thousandths it may hold                */
	uint64_t milli;   /* thousandths available now                   */
	uint64_t last_ms; /* when it was last refilled                   */
};

/* Starts empty at now_ms. The cap is at least one whole unit. */
void rate_limit_init(struct rate_limit *r, uint64_t per_sec, uint64_t burst_ms, uint64_t now_ms);
/* Fills it to its cap: a bucket that starts with its whole burst. */
void rate_limit_fill(struct rate_limit *r);
/* Adds what the time since the last refill has earned. */
void rate_limit_refill(struct rate_limit *r, uint64_t now_ms);
/* Whole units that may be spent now. */
uint64_t rate_limit_available(const struct rate_limit *r);
/* Spends n whole units (n <= available). */
void rate_limit_take(struct rate_limit *r, uint64_t n);

#endif
