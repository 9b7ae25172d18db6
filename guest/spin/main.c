/* guest/spin/main.c — computes without ever leaving the guest: no I/O, no
 * hypercall, no page fault, for ms=N milliseconds of TSC time (default 500).
 * Only the host timer's interrupt can take the CPU back from it, so it
 * shows that memvisor preempts a guest that never exits by itself. */
#include "guest.h"
#include "kernel/io.h"

const char guest_image_name[] = "spin";

#define DEFAULT_MS 500

int main(const struct guest_env *env)
{
	static const char *const known[] = { "ms", NULL };
	guest_args_check(env, known);
	uint64_t ms = guest_arg_u64(env, "ms", DEFAULT_MS);
	if (!env->tsc_khz) {
		guest_printf("spin: needs memvisor's TSC rate\n");
		return GUEST_EXIT_USAGE;
	}
	guest_printf("spin: spinning for %llu ms without an exit\n", (unsigned long long)ms);
	uint64_t end = rdtsc() + ms * env->tsc_khz, rounds = 0;
	while (rdtsc() < end)
		rounds++;
	guest_printf("spin: done after %llu rounds\n", (unsigned long long)rounds);
	return GUEST_EXIT_OK;
}
