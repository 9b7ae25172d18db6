/* vmm/log_limit.c — a VM's budget of guest-caused log lines (see log_limit.h). */
#include "vmm/log_limit.h"

#define MS_PER_SEC 1000

bool log_limit_allow(struct log_limit *l, uint64_t now_ms)
{
	if (!l->started) {
		/* The burst is LOG_LIMIT_BURST lines' worth of refill time, and it
		 * is there from the start: a guest's first lines always print. */
		rate_limit_init(&l->bucket, LOG_LIMIT_PER_SEC, LOG_LIMIT_BURST * MS_PER_SEC / LOG_LIMIT_PER_SEC, now_ms);
		rate_limit_fill(&l->bucket);
		l->started = true;
	}
	rate_limit_refill(&l->bucket, now_ms);
	if (!rate_limit_available(&l->bucket)) {
		l->suppressed++;
		return false;
	}
	rate_limit_take(&l->bucket, 1);
	return true;
}

uint64_t log_limit_take_suppressed(struct log_limit *l)
{
	uint64_t n = l->suppressed;
	l->suppressed = 0;
	return n;
}
