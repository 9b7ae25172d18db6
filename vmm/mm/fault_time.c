/* vmm/mm/fault_time.c — fault path times by kind (see fault_time.h).
 *
 * Why a sample buffer and not a histogram: p50 and p99 are read from the
 * sorted samples exactly, where log2 buckets would give them only to a
 * factor of two. The buffer holds the latest FAULT_SAMPLES faults of each
 * kind (a ring), a fixed 96 KiB of .bss: nothing is allocated at run time
 * and nothing is printed until the run ends. */
#include "vmm/mm/fault_time.h"
#include "kernel/printf.h"
#include "kernel/timer.h"

#define FAULT_SAMPLES 8192

static const char *const kind_names[FAULT_KIND_COUNT] = { "first touch", "compressed swap-in",
							   "swap-in from disk" };

struct samples {
	uint64_t count;                 /* faults seen, may exceed the ring */
	uint32_t ticks[FAULT_SAMPLES];  /* TSC ticks, capped at 2^32 - 1    */
};

bool fault_time_on;
static struct samples samples[FAULT_KIND_COUNT];

void fault_time_record(enum fault_kind kind, uint64_t cycles)
{
	struct samples *s = &samples[kind];
	s->ticks[s->count % FAULT_SAMPLES] = cycles > 0xffffffffu ? 0xffffffffu : (uint32_t)cycles;
	s->count++;
}

/* Shell sort (Ciura's gaps): in place, no allocation, n log n enough for
 * 8192 samples once at the end of a run. */
static void sort_ticks(uint32_t *a, uint64_t n)
{
	static const uint64_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	for (size_t g = 0; g < ARRAY_SIZE(gaps); g++)
		for (uint64_t i = gaps[g]; i < n; i++) {
			uint32_t v = a[i];
			uint64_t j = i;
			for (; j >= gaps[g] && a[j - gaps[g]] > v; j -= gaps[g])
				a[j] = a[j - gaps[g]];
			a[j] = v;
		}
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
	return ticks * 1000000 / tsc_khz();
}

void fault_time_print(void)
{
	if (!fault_time_on)
		return;
	for (unsigned k = 0; k < FAULT_KIND_COUNT; k++) {
		struct samples *s = &samples[k];
		uint64_t n = s->count < FAULT_SAMPLES ? s->count : FAULT_SAMPLES;
		if (!n) {
			kprintf("memvisor: fault time: %s: none\n", kind_names[k]);
			continue;
		}
		sort_ticks(s->ticks, n);
		uint64_t p50 = ticks_to_ns(s->ticks[(n - 1) / 2]), p99 = ticks_to_ns(s->ticks[(n - 1) * 99 / 100]);
		kprintf("memvisor: fault time: %s: %llu faults (latest %llu sampled), p50 %llu.%03llu us, "
			"p99 %llu.%03llu us\n", kind_names[k], (unsigned long long)s->count, (unsigned long long)n,
			(unsigned long long)(p50 / 1000), (unsigned long long)(p50 % 1000),
			(unsigned long long)(p99 / 1000), (unsigned long long)(p99 % 1000));
	}
}
