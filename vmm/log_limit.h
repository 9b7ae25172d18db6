/* vmm/log_limit.h — how many log lines a guest can make memvisor print.
 *
 * Some of memvisor's lines come whenever a guest asks: a mark (HC_MARK), a
 * refused balloon batch, a touched ballooned page, a wait for a frame. A
 * guest in a loop would flood COM1 and the student's terminal, so each VM
 * has one budget for them, a token bucket (kernel/rate_limit.h): LOG_LIMIT_BURST
 * lines at once, then LOG_LIMIT_PER_SEC a second. Lines over budget are
 * counted, not printed, and the count is said before the next line that
 * prints and when the VM ends:
 *
 *   memvisor: [vm3:badcall] 936 log lines this VM caused were suppressed
 *       (at most 64 at once, then 8 a second)
 *
 * The counters behind them (stats:, monitor) go on counting every event.
 * Pure code (tests/unit).
 */
#ifndef MEMVISOR_VMM_LOG_LIMIT_H
#define MEMVISOR_VMM_LOG_LIMIT_H

#include "kernel/rate_limit.h"

#define LOG_LIMIT_BURST 64
#define LOG_LIMIT_PER_SEC 8

struct log_limit {
	struct rate_limit bucket;
	bool started;        /* the bucket is set up (at the first line)      */
	uint64_t suppressed; /* lines suppressed since the count was last said */
};

/* True when one more line may print at now_ms (it is taken from the
 * budget); false when it is over budget (it is counted as suppressed). */
bool log_limit_allow(struct log_limit *l, uint64_t now_ms);

/* The lines suppressed since the last call; the count starts again at 0. */
uint64_t log_limit_take_suppressed(struct log_limit *l);

#endif
