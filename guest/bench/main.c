/* guest/bench/main.c — what an exit costs: times N CPUIDs, N hypercalls and
 * N first touches of fresh pages (each one a nested page fault), next to N
 * rounds of plain work that never leaves the guest, all by the TSC, whose
 * rate memvisor measured at boot (HC_GET_INFO tsc_khz).
 *
 * Arguments: loops=N (default 20000), touch=SIZE (default 4M). */
#include "guest.h"
#include "kernel/io.h"

const char guest_image_name[] = "bench";

#define DEFAULT_LOOPS 20000
#define DEFAULT_TOUCH (4 * MiB)

static uint64_t khz;

static void report(const char *what, uint64_t n, const char *unit, uint64_t cycles)
{
	uint64_t us = cycles * 1000 / khz;
	uint64_t rate = us ? n * 1000000 / us : 0;
	guest_printf("bench: %-9s %llu %s in %llu us: %llu per second\n", what, (unsigned long long)n, unit,
		     (unsigned long long)us, (unsigned long long)rate);
}

/* Work that never exits: a dependency chain the compiler cannot drop. */
static uint64_t baseline(uint64_t n)
{
	uint64_t x = 1, t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++)
		__asm__ volatile("imul $3, %0, %0; inc %0" : "+r"(x));
	return rdtsc() - t0;
}

static uint64_t cpuid_loop(uint64_t n)
{
	uint32_t a, b, c, d;
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++)
		cpuid(0, 0, &a, &b, &c, &d);
	return rdtsc() - t0;
}

static uint64_t hypercall_loop(uint64_t n)
{
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++)
		hc_call(HC_NOP, 0, 0, 0, 0);
	return rdtsc() - t0;
}

/* Frames the guest never touched: under memvisor each first write is a
 * nested page fault that allocates a machine frame. */
static uint64_t touch_loop(uint64_t pages, uint64_t *done)
{
	uint64_t t0 = rdtsc();
	*done = 0;
	for (; *done < pages; (*done)++) {
		gpa_t f;
		if (frame_alloc(&f))
			break;
		*(volatile uint8_t *)(uintptr_t)f.raw = 1; /* identity-mapped */
	}
	return rdtsc() - t0;
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "loops", "touch", NULL };
	guest_args_check(env, known);
	uint64_t loops = guest_arg_u64(env, "loops", DEFAULT_LOOPS);
	uint64_t pages = guest_arg_u64(env, "touch", DEFAULT_TOUCH) / PAGE_SIZE;
	khz = env->tsc_khz;
	if (!env->hypervisor || !khz) {
		guest_printf("bench: needs memvisor (for the TSC rate and the hypercalls)\n");
		return GUEST_EXIT_USAGE;
	}
	guest_printf("bench: %llu loops, %llu pages, TSC %llu kHz\n", (unsigned long long)loops,
		     (unsigned long long)pages, (unsigned long long)khz);
	report("baseline", loops, "rounds", baseline(loops));
	report("cpuid", loops, "exits", cpuid_loop(loops));
	report("hypercall", loops, "exits", hypercall_loop(loops));
	uint64_t touched, cycles = touch_loop(pages, &touched);
	report("touch", touched, "faults", cycles);
	return touched == pages ? GUEST_EXIT_OK : GUEST_EXIT_FAILED;
}
