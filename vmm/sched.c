/* vmm/sched.c — slices measured on the TSC, deficit round robin, and the
 * background work's budget (the picture is in sched.h). */
#include "vmm/sched.h"
#include "vmm/vm.h"
#include "kernel/io.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/timer.h"

static int64_t quantum;          /* TSC ticks of one slice (slice_ms) */
static uint64_t slices, switches, sat_out;
static const struct vm *last_run;

/* Background work: when the running step began and must end, when the
 * last one ended, and what they took in all. */
static uint64_t background_start, background_end, background_tsc;

static uint64_t tsc_per_ms(void)
{
	return MAX(tsc_khz(), 1);
}

void sched_init(void)
{
	quantum = (int64_t)(options.slice_ms * tsc_per_ms());
}

bool sched_slice_begin(struct vm *vm)
{
	struct vm_sched *s = &vm->sched;
	s->credit = MIN(s->credit + quantum, quantum); /* no banking while away */
	if (s->credit <= 0) {
		s->sat_out++;
		sat_out++;
		return false;
	}
	s->slice_start = rdtsc();
	vm->vcpu.deadline_tsc = s->slice_start + (uint64_t)s->credit;
	slices++;
	switches += last_run && last_run != vm;
	last_run = vm;
	return true;
}

bool sched_slice_over(const struct vm *vm)
{
	return (int64_t)(rdtsc() - vm->sched.slice_start) >= vm->sched.credit;
}

void sched_slice_end(struct vm *vm)
{
	struct vm_sched *s = &vm->sched;
	uint64_t used = rdtsc() - s->slice_start;
	s->credit -= (int64_t)used;
	s->cpu_tsc += used;
	s->slices++;
}

uint64_t sched_background_begin(bool unbounded)
{
	uint64_t now = rdtsc(), since = background_end ? now - background_end : 0;
	background_start = now;
	return unbounded ? UINT64_MAX : now + since * options.background_pct / MAX(100 - options.background_pct, 1);
}

void sched_background_end(void)
{
	background_end = rdtsc();
	background_tsc += background_end - background_start;
}

uint64_t sched_vm_cpu_ms(const struct vm *vm)
{
	return vm->sched.cpu_tsc / tsc_per_ms();
}

uint64_t sched_background_ms(void)
{
	return background_tsc / tsc_per_ms();
}

void sched_print_summary(uint64_t run_ms)
{
	kprintf("memvisor: scheduler: %llu slices, %llu switches between VMs in %llu ms; "
		"%llu turns sat out for overruns; slice %llu ms\n",
		(unsigned long long)slices, (unsigned long long)switches, (unsigned long long)run_ms,
		(unsigned long long)sat_out, (unsigned long long)options.slice_ms);
	uint64_t guests = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		guests += vms[i].sched.cpu_tsc;
	kprintf("memvisor: cpu: guests %llu ms, background work %llu ms (%llu%% of both)\n",
		(unsigned long long)(guests / tsc_per_ms()), (unsigned long long)sched_background_ms(),
		(unsigned long long)(background_tsc * 100 / MAX(guests + background_tsc, 1)));
}
