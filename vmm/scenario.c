/* vmm/scenario.c — the named runs of README's "Overcommit" section.
 *
 * overcommit  five guests asking 104 MiB of 40 MiB (2.6x): `workset` (a
 *             little live data in much touched memory, and a balloon
 *             driver), two `twins` (identical and zero pages: sharing),
 *             `zipmix` (compressible, incompressible, same-filled and hot
 *             pages: compression) and a small `memtest`. Every page round-trips through whatever the
 *             memory state calls for, and every guest checks its data.
 * thrash      a `zipmix` whose incompressible working set (23 MiB of
 *             random pages) does not fit in guest_mem (16 MiB): nothing
 *             can reclaim enough, it waits, and memvisor says it is
 *             thrashing; `hello` beside it finishes.
 * swap        4x overcommit (24 MiB of guests in 6 MiB) where most pages
 *             do not compress: a `hog` of random data, a `zipmix` with
 *             800 random pages beside compressible and same-filled ones,
 *             and a `memtest`. Only host swap (vmm/swap/) can hold it, so
 *             it needs a swap disk: without one it is an error, not a
 *             run that would end in thrashing. Small enough for a Bochs
 *             boot of about half a minute.
 */
#include "vmm/scenario.h"
#include "vmm/swap/swap.h"
#include "kernel/options.h"
#include "kernel/string.h"

struct scenario {
	const char *name;
	const char *guests;
	uint64_t guest_mem;
	bool needs_swap; /* a swap disk must be attached */
};

static const struct scenario scenarios[] = {
	{ "overcommit",
	  "workset:24M:live=2M:rounds=60,twins:24M,twins:24M,zipmix:24M,memtest:8M:touch=4M", 40 * MiB, false },
	{ "thrash", "hello:4M,zipmix:32M:incompressible=6000:compressible=200", 16 * MiB, false },
	{ "swap",
	  "memtest:4M:passes=2,hog:8M:ms=100,zipmix:12M:incompressible=800:compressible=600:same=128:hot_ms=100",
	  6 * MiB, true },
};

#define SCENARIO_SHARE_SCAN_MS 500  /* a scan per half second: sharing in time */
#define SCENARIO_SHARE_RATE 20000   /* pages per second per VM            */
#define SCENARIO_STATS_MS 100

void scenario_apply(void)
{
	if (!strcmp(options.scenario, "none"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct scenario *s = &scenarios[i];
		if (strcmp(options.scenario, s->name))
			continue;
		if (strcmp(options.guests, OPTIONS_DEFAULT_GUESTS))
			options_error("scenario", "sets guests= itself: give one or the other");
		str_copy(options.guests, s->guests, sizeof(options.guests));
		if (!options.guest_mem)
			options.guest_mem = s->guest_mem;
		options.share_scan_time = SCENARIO_SHARE_SCAN_MS;
		options.share_rate_max = SCENARIO_SHARE_RATE;
		if (!options.stats_interval)
			options.stats_interval = SCENARIO_STATS_MS;
		return;
	}
	options_error("scenario", "expected none, overcommit, thrash or swap");
}

static const struct scenario *chosen(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (!strcmp(options.scenario, scenarios[i].name))
			return &scenarios[i];
	return NULL;
}

void scenario_check_devices(void)
{
	const struct scenario *s = chosen();
	if (s && s->needs_swap && !swap_enabled())
		options_error("scenario", "swap needs a swap disk and none is in use (see the swap: line above); "
					  "attach one made with tools/mkswap FILE SIZE, or boot with tools/run --swap SIZE");
}
