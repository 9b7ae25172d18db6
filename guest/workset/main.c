/* guest/workset/main.c — a guest with a working set of live data and the
 * balloon driver (guest/runtime/balloon.h) polled from its work loop: the
 * workload for watching the balloon inflate and deflate around live data
 * that stays bit-exact (docs/design.md: "Never corrupt").
 *
 * Arguments (key=value):
 *   live=SIZE    live data, rewritten bit by bit as rounds go (default 2M)
 *   rounds=N     work rounds at least (default 2); a round checks every
 *                live page and rewrites one in ROUND_REWRITE_EVERY
 *   cycles=N     balloon cycles to wait for before ending (default 0): a
 *                cycle is the balloon settling above 0 pages, then at 0
 *   grow=SIZE    at the end, add this much live data (default 0): more
 *                than is free makes the driver deflate (short of memory)
 *   prefault=0|1 touch every free page once at the start (default 1), as
 *                an OS that zeroes its memory at boot does: every page then
 *                holds a machine frame, and the balloon frees exactly the
 *                frames it takes
 *   seed=N       contents seed (default: the vm id)
 *
 * Each time the balloon settles at a new size the workset checks all its
 * live pages and prints one line; it ends with a summary, and exit status
 * GUEST_EXIT_FAILED if any page ever mismatched. */
#include "guest.h"
#include "live.h"
#include "kernel/io.h"

const char guest_image_name[] = "workset";

#define LIVE_DEFAULT (2 * MiB)
#define ROUNDS_DEFAULT 2
#define ROUND_REWRITE_EVERY 8   /* pages per rewritten page in a round     */
#define POLL_EVERY_PAGES 64     /* pages checked between balloon polls     */
#define GROW_WAIT_MS 10000      /* grow waits this long for a full balloon */

struct workset {
	struct live live;
	uint64_t rounds, cycles, mismatches;
	uint64_t settled_size; /* the balloon size last checked at          */
	bool inflated_seen;    /* settled above 0 since the last cycle      */
	uint64_t tsc_khz;
};

/* Touches every free page once, then gives them all back. The pages hold
 * a list of themselves while they are out: word 0 is the previous one. */
static void prefault(void)
{
	uint64_t n = 0, head = 0;
	gpa_t page;
	while (!frame_alloc(&page)) {
		*(volatile uint64_t *)gpa_to_ptr(page) = head;
		head = page.raw;
		n++;
	}
	while (head) {
		uint64_t next = *(volatile uint64_t *)gpa_to_ptr(gpa_of(head));
		frame_free(gpa_of(head));
		head = next;
	}
	guest_printf("workset: prefaulted %llu pages\n", (unsigned long long)n);
}

/* After a poll: when the balloon has settled at a new size, check all the
 * live data, and count a cycle when it came back to 0. */
static void after_poll(struct workset *w)
{
	struct balloon_counts c;
	balloon_get_counts(&c);
	if (!balloon_settled() || c.size == w->settled_size)
		return;
	w->settled_size = c.size;
	uint64_t bad = live_verify(&w->live);
	w->mismatches += bad;
	guest_printf("workset: balloon settled at %llu pages (target %llu): verified %llu live pages, mismatches %llu\n",
		     (unsigned long long)c.size, (unsigned long long)c.target, (unsigned long long)w->live.pages,
		     (unsigned long long)bad);
	if (c.size) {
		w->inflated_seen = true;
	} else if (w->inflated_seen) {
		w->inflated_seen = false;
		w->cycles++;
		guest_printf("workset: balloon cycle %llu done\n", (unsigned long long)w->cycles);
	}
}

static void round_of_work(struct workset *w)
{
	for (uint64_t i = 0; i < w->live.pages; i++) {
		bool rewrite = (i + w->rounds) % ROUND_REWRITE_EVERY == 0;
		w->mismatches += !live_touch(&w->live, i, rewrite);
		if (i % POLL_EVERY_PAGES == 0) {
			balloon_poll();
			after_poll(w);
		}
	}
	balloon_poll(); /* an empty working set still polls */
	after_poll(w);
	w->rounds++;
}

static uint64_t now_ms(const struct workset *w)
{
	return w->tsc_khz ? rdtsc() / w->tsc_khz : 0;
}

/* Grows the live data; allocations beyond what is free make the driver
 * deflate. Waits first (a while) for the balloon to hold some pages. */
static void grow(struct workset *w, uint64_t pages)
{
	uint64_t until = now_ms(w) + GROW_WAIT_MS;
	struct balloon_counts before, after;
	balloon_get_counts(&before);
	while ((!before.size || !balloon_settled()) && now_ms(w) < until) {
		round_of_work(w);
		balloon_get_counts(&before);
	}
	for (uint64_t i = 0; i < pages; i++) {
		int err = live_add(&w->live);
		if (err)
			guest_die("workset", "growing the live data", err);
	}
	balloon_get_counts(&after);
	uint64_t bad = live_verify(&w->live);
	w->mismatches += bad;
	guest_printf("workset: grew by %llu pages (balloon %llu -> %llu pages): verified %llu live pages, mismatches %llu\n",
		     (unsigned long long)pages, (unsigned long long)before.size, (unsigned long long)after.size,
		     (unsigned long long)w->live.pages, (unsigned long long)bad);
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "live", "rounds", "cycles", "grow", "prefault", "seed", NULL };
	guest_args_check(env, known);
	uint64_t live = guest_arg_u64(env, "live", LIVE_DEFAULT) / PAGE_SIZE;
	uint64_t rounds = guest_arg_u64(env, "rounds", ROUNDS_DEFAULT);
	uint64_t cycles = guest_arg_u64(env, "cycles", 0);
	uint64_t more = guest_arg_u64(env, "grow", 0) / PAGE_SIZE;
	uint64_t seed = guest_arg_u64(env, "seed", env->vm_id);
	struct workset w = { .tsc_khz = env->tsc_khz };
	guest_printf("workset: seed %llu, live %llu pages, grow %llu pages, rounds %llu, cycles %llu\n",
		     (unsigned long long)seed, (unsigned long long)live, (unsigned long long)more,
		     (unsigned long long)rounds, (unsigned long long)cycles);
	int err = balloon_init(env);
	if (err)
		guest_die("workset", "balloon_init", err);
	if (guest_arg_u64(env, "prefault", 1))
		prefault();
	if ((err = live_init(&w.live, live + more, seed)))
		guest_die("workset", "live_init", err);
	for (uint64_t i = 0; i < live; i++)
		if ((err = live_add(&w.live)))
			guest_die("workset", "allocating the live data", err);
	while (w.rounds < rounds || w.cycles < cycles || !balloon_settled()) {
		round_of_work(&w);
		if (w.rounds == MAX(rounds, 1) && w.cycles < cycles)
			guest_printf("workset: %llu rounds done; waiting for %llu more balloon cycles "
				     "(targets come from balloon= or the monitor's balloon command)\n",
				     (unsigned long long)rounds, (unsigned long long)(cycles - w.cycles));
	}
	if (more)
		grow(&w, more);
	uint64_t bad = live_verify(&w.live);
	w.mismatches += bad;
	struct balloon_counts c;
	balloon_get_counts(&c);
	guest_printf("workset: done: %llu rounds, %llu balloon cycles, %llu live pages, mismatches %llu; "
		     "balloon %llu pages, inflated %llu, deflated %llu (%llu when short), %llu refused\n",
		     (unsigned long long)w.rounds, (unsigned long long)w.cycles, (unsigned long long)w.live.pages,
		     (unsigned long long)w.mismatches, (unsigned long long)c.size, (unsigned long long)c.inflated,
		     (unsigned long long)c.deflated, (unsigned long long)c.oom_deflated, (unsigned long long)c.refused);
	return w.mismatches ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
