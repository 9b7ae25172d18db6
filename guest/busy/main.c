/* guest/busy/main.c — keeps the CPU busy in one of four ways for ms=N
 * milliseconds of TSC time, and measures the share of the CPU it got.
 *
 *   kind=spin   computes; never exits by itself (only the host timer's
 *               interrupt takes the CPU back)
 *   kind=cpuid  CPUID back to back: every instruction is a VM exit
 *   kind=io     IN from a port nothing answers: every instruction is an exit
 *   kind=fault  gives pages to memvisor (balloon inflate) and touches them
 *               anyway: every touch is a nested page fault that allocates
 *               a fresh frame (a misbehaving driver; memvisor allows it)
 *
 * The guest runs with interrupts off (RFLAGS.IF = 0), like every guest of
 * memvisor: a guest that could hold the CPU that way would starve the
 * others. How much CPU it got it measures itself, from the TSC, which runs
 * on while other VMs have the CPU: a jump of more than gap_us=N (default
 * 5 ms; under Bochs one exit can take a millisecond of its virtual time)
 * between two readings is time it was descheduled. A VM exit handled by memvisor is
 * short and counts as the guest's own time — memvisor spends it for this
 * VM — which is how the scheduler accounts slices too (vmm/sched.h).
 *
 * The last line says what it got, for the fairness test:
 *   busy: kind=cpuid ran 241 of 1003 ms (24.0%), 18243 exits, 9 slices
 */
#include "guest.h"
#include "kernel/io.h"

const char guest_image_name[] = "busy";

#define DEFAULT_MS 1000
#define DEFAULT_GAP_US 5000 /* longer than any one exit, shorter than a slice */
#define QUIET_PORT 0x80    /* the POST port: nothing answers an IN there    */
#define FAULT_PAGES 64     /* pages per balloon round trip (kind=fault)     */

enum kind { KIND_SPIN, KIND_CPUID, KIND_IO, KIND_FAULT };
static const char *const kinds[] = { "spin", "cpuid", "io", "fault", NULL };

struct clock {
	uint64_t gap, last, ran, slices;
};

/* Adds the time since the last reading to `ran` unless it was a gap. */
static void clock_tick(struct clock *c)
{
	uint64_t now = rdtsc(), d = now - c->last;
	if (d < c->gap)
		c->ran += d;
	else
		c->slices++;
	c->last = now;
}

static void work_cpuid(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
}

static void work_io(void)
{
	(void)inb(QUIET_PORT);
}

/* kind=fault: the pages and the batch page of their gfns. */
static uint64_t *batch;
static uint8_t *pages[FAULT_PAGES];

static int fault_setup(void)
{
	gpa_t p;
	if (frame_alloc(&p))
		return -E_NO_MEMORY;
	batch = (uint64_t *)(uintptr_t)p.raw;
	for (int i = 0; i < FAULT_PAGES; i++) {
		if (frame_alloc(&p))
			return -E_NO_MEMORY;
		pages[i] = (uint8_t *)(uintptr_t)p.raw;
		batch[i] = p.raw >> PAGE_SHIFT;
	}
	return 0;
}

/* One touch per call. Once every page is touched they go to the balloon,
 * so that the next touches fault again. */
static int work_fault(void)
{
	static int next;
	pages[next][0]++;
	if (++next < FAULT_PAGES)
		return 0;
	next = 0;
	int64_t in = hc_call(HC_BALLOON_INFLATE, (uint64_t)(uintptr_t)batch, FAULT_PAGES, 0, 0);
	if (in != FAULT_PAGES) {
		guest_printf("busy: balloon inflate of %d pages returned %lld\n", FAULT_PAGES, (long long)in);
		return -E_INVAL;
	}
	return 0;
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "kind", "ms", "gap_us", NULL };
	guest_args_check(env, known);
	enum kind kind = (enum kind)guest_arg_choice(env, "kind", kinds);
	uint64_t ms = guest_arg_u64(env, "ms", DEFAULT_MS);
	if (!env->tsc_khz) {
		guest_printf("busy: needs memvisor's TSC rate\n");
		return GUEST_EXIT_USAGE;
	}
	if (kind == KIND_FAULT && fault_setup()) {
		guest_printf("busy: no memory for %d pages\n", FAULT_PAGES);
		return GUEST_EXIT_FATAL;
	}
	guest_printf("busy: kind=%s for %llu ms\n", kinds[kind], (unsigned long long)ms);
	uint64_t gap_us = guest_arg_u64(env, "gap_us", DEFAULT_GAP_US);
	struct clock c = { .gap = gap_us * env->tsc_khz / 1000, .last = rdtsc() };
	uint64_t start = c.last, end = start + ms * env->tsc_khz, ops = 0;
	while (c.last < end) {
		switch (kind) {
		case KIND_SPIN: break;
		case KIND_CPUID: work_cpuid(); break;
		case KIND_IO: work_io(); break;
		case KIND_FAULT:
			if (work_fault())
				return GUEST_EXIT_FAILED;
			break;
		}
		ops++;
		clock_tick(&c);
	}
	uint64_t total = c.last - start;
	guest_printf("busy: kind=%s ran %llu of %llu ms (%llu.%llu%%), %llu operations, %llu slices\n", kinds[kind],
		     (unsigned long long)(c.ran / env->tsc_khz), (unsigned long long)(total / env->tsc_khz),
		     (unsigned long long)(c.ran * 100 / total), (unsigned long long)(c.ran * 1000 / total % 10),
		     (unsigned long long)ops, (unsigned long long)c.slices);
	return GUEST_EXIT_OK;
}
