/* vmm/balloon/schedule.c — running the balloon= schedule (see
 * schedule.h, plan.h). */
#include "vmm/balloon/schedule.h"
#include "vmm/balloon/balloon.h"
#include "vmm/balloon/plan.h"
#include "vmm/vm.h"
#include "kernel/errno.h"
#include "kernel/cmdline.h"
#include "kernel/mem.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/string.h"

_Static_assert(BALLOON_PLAN_VMS == VM_MAX, "a schedule for every VM");

struct schedule {
	struct vm *vm;
	const struct balloon_plan_vm *plan;
	uint32_t step;         /* the target in force                     */
	bool started, reached, done;
	uint64_t step_at;      /* when it was set (ms)                    */
	uint64_t reached_at;   /* when the balloon got there (ms)         */
	uint64_t free_at_step; /* machine frames free when it was set     */
	uint64_t size_at_step; /* balloon pages when it was set           */
	uint64_t released_at_step; /* frames inflates had freed by then   */
};

static struct balloon_plan plan;
static struct schedule schedules[BALLOON_PLAN_VMS];
static uint32_t nschedules;

__attribute__((noreturn, format(printf, 1, 2))) static void schedule_error(const char *fmt, ...)
{
	char msg[CMDLINE_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	options_error("balloon", msg);
}

void balloon_schedule_init(void)
{
	char msg[CMDLINE_ERROR_MAX];
	if (balloon_plan_parse(options.balloon, &plan, msg, sizeof(msg)))
		options_error("balloon", msg);
	for (uint32_t i = 0; i < plan.nvms; i++) {
		struct vm *vm;
		int rc = vm_find(plan.vms[i].vm, &vm);
		if (rc) /* no such VM, or a name two VMs share: an id is needed */
			schedule_error("%s%s", vm_find_error(rc, plan.vms[i].vm, msg, sizeof(msg)),
				       rc == -E_NOT_FOUND ? " in guests=" : "");
		for (uint32_t s = 0; s < plan.vms[i].nsteps; s++)
			if (plan.vms[i].steps[s] > balloon_cap(vm))
				schedule_error("%llu pages for %s is above its cap of %llu pages (balloon_max_pct=%llu)",
					       (unsigned long long)plan.vms[i].steps[s], vm->name,
					       (unsigned long long)balloon_cap(vm), (unsigned long long)options.balloon_max_pct);
		schedules[nschedules++] = (struct schedule){ .vm = vm, .plan = &plan.vms[i] };
	}
}

static void start_step(struct schedule *s, uint32_t step, uint64_t now)
{
	char why[48];
	ksnprintf(why, sizeof(why), "balloon= step %u/%u", step + 1, s->plan->nsteps);
	s->step = step;
	s->started = true;
	s->reached = false;
	s->step_at = now;
	s->free_at_step = machine_frames.free;
	s->size_at_step = balloon_size(s->vm);
	s->released_at_step = s->vm->balloon.released;
	balloon_set_target(s->vm, s->plan->steps[step], why); /* checked against the cap at init */
}

static void note_reached(struct schedule *s, uint64_t now)
{
	int64_t moved = (int64_t)balloon_size(s->vm) - (int64_t)s->size_at_step;
	int64_t freed = (int64_t)machine_frames.free - (int64_t)s->free_at_step;
	s->reached = true;
	s->reached_at = now;
	vm_log(s->vm, "balloon at target %llu pages after %llu ms (step %u/%u): balloon %+lld pages, "
		      "%llu frames released; machine free frames %llu -> %llu (%+lld)",
	       (unsigned long long)s->vm->balloon.target, (unsigned long long)(now - s->step_at), s->step + 1,
	       s->plan->nsteps, (long long)moved,
	       (unsigned long long)(s->vm->balloon.released - s->released_at_step),
	       (unsigned long long)s->free_at_step, (unsigned long long)machine_frames.free, (long long)freed);
}

/* The step is over: the next one, or the end of the schedule. */
static void next_step(struct schedule *s, uint64_t now)
{
	if (s->step + 1 < s->plan->nsteps)
		start_step(s, s->step + 1, now);
	else
		s->done = true;
}

static void tick_one(struct schedule *s, uint64_t now)
{
	if (s->done || s->vm->state != VM_RUNNABLE)
		return;
	if (!s->started) {
		start_step(s, 0, now);
	} else if (!s->reached && balloon_size(s->vm) == s->vm->balloon.target) {
		note_reached(s, now);
	} else if (s->reached && now - s->reached_at >= options.balloon_step_ms) {
		next_step(s, now);
	} else if (!s->reached && now - s->step_at >= BALLOON_STEP_GIVE_UP_MS) {
		vm_log(s->vm, "balloon target %llu pages not reached in %u ms (step %u/%u, balloon %llu pages, "
			      "driver polls %llu): going on",
		       (unsigned long long)s->vm->balloon.target, BALLOON_STEP_GIVE_UP_MS, s->step + 1,
		       s->plan->nsteps, (unsigned long long)balloon_size(s->vm),
		       (unsigned long long)s->vm->balloon.polls);
		next_step(s, now);
	}
}

void balloon_schedule_tick(uint64_t now_ms)
{
	for (uint32_t i = 0; i < nschedules; i++)
		tick_one(&schedules[i], now_ms);
}
