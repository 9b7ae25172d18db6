/* vmm/time_use.c — where the machine's time went (see time_use.h). */
#include "vmm/time_use.h"
#include "vmm/mm/pmap.h"
#include "kernel/io.h"
#include "kernel/printf.h"
#include "kernel/timer.h"

static uint64_t ticks[TIME_BUCKET_COUNT];
static uint64_t start_tsc;

void time_use_start(void)
{
	start_tsc = rdtsc();
}

void time_use_add(enum time_bucket b, uint64_t t)
{
	ticks[b] += t;
}

enum time_bucket time_use_npf_bucket(unsigned pmap_state)
{
	switch (pmap_state) {
	case PMAP_UNTOUCHED:
		return TIME_NPF_FIRST;
	case PMAP_COMPRESSED:
		return TIME_NPF_COMPRESSED;
	case PMAP_SWAPPED:
		return TIME_NPF_SWAPPED;
	default:
		return TIME_NPF_OTHER;
	}
}

uint64_t time_use_ms(enum time_bucket b)
{
	return ticks[b] / MAX(tsc_khz(), 1);
}

static uint64_t sum_ms(enum time_bucket first, enum time_bucket last)
{
	uint64_t t = 0;
	for (unsigned b = first; b <= last; b++)
		t += ticks[b];
	return t / MAX(tsc_khz(), 1);
}

void time_use_print(void)
{
	uint64_t run_ms = (rdtsc() - start_tsc) / MAX(tsc_khz(), 1);
	uint64_t accounted = sum_ms(TIME_GUEST, TIME_BUCKET_COUNT - 1);
	kprintf("memvisor: time: %llu ms: guest mode %llu, exits %llu (faults: first touch %llu, compressed %llu, "
		"disk %llu, other %llu; other exits %llu), background %llu (policy %llu, sharing %llu, aging %llu, "
		"other %llu), the rest (setup, idle, the loop) %llu\n",
		(unsigned long long)run_ms, (unsigned long long)time_use_ms(TIME_GUEST),
		(unsigned long long)sum_ms(TIME_NPF_FIRST, TIME_EXIT_OTHER),
		(unsigned long long)time_use_ms(TIME_NPF_FIRST), (unsigned long long)time_use_ms(TIME_NPF_COMPRESSED),
		(unsigned long long)time_use_ms(TIME_NPF_SWAPPED), (unsigned long long)time_use_ms(TIME_NPF_OTHER),
		(unsigned long long)time_use_ms(TIME_EXIT_OTHER), (unsigned long long)sum_ms(TIME_BG_POLICY, TIME_BG_OTHER),
		(unsigned long long)time_use_ms(TIME_BG_POLICY), (unsigned long long)time_use_ms(TIME_BG_SHARE),
		(unsigned long long)time_use_ms(TIME_BG_AGING), (unsigned long long)time_use_ms(TIME_BG_OTHER),
		(unsigned long long)(run_ms > accounted ? run_ms - accounted : 0));
}
