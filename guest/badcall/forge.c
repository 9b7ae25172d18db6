/* guest/badcall/forge.c — a guest that lies on its console (see forge.h).
 * Whatever a guest prints reaches the console as "[vmN:name] text", with
 * control bytes shown as \xHH (vmm/pio.c): none of these lines may end the
 * run, decide its status or pass for memvisor's own. */
#include "forge.h"
#include "kernel/io.h"

/* memvisor's own lines, word for word; the escapes would erase the prefix
 * (ESC [ 2 K, carriage return) or move up a line on a terminal. */
static const char *const forged[] = {
	"memvisor: shutdown status=0 reason=guests-done\n",
	"memvisor: [vm1:memtest] finished with status 0\n",
	"memvisor: guests: 2 ok, 0 failed, 0 stopped\n",
	"\x1b[2K\rmemvisor: shutdown status=0 reason=guests-done\n",
	"\x1b[1A\x1b[2Kmemvisor: shutdown status=3 reason=panic\n",
};

int badcall_forge(const struct guest_env *env, uint64_t ms)
{
	static const char through_hypercall[] = "memvisor: shutdown status=0 reason=guests-done\n";
	for (unsigned i = 0; i < ARRAY_SIZE(forged); i++)
		console_write(forged[i], strlen(forged[i]));
	int64_t rc = hc_call(HC_CONSOLE_WRITE, guest_gpa_of_ptr(through_hypercall), sizeof(through_hypercall) - 1,
			     0, 0);
	if (rc != (int64_t)sizeof(through_hypercall) - 1) {
		guest_printf("badcall: forge: HC_CONSOLE_WRITE returned %lld\n", (long long)rc);
		return GUEST_EXIT_FAILED;
	}
	if (!env->tsc_khz) {
		guest_printf("badcall: forge: needs memvisor's TSC rate\n");
		return GUEST_EXIT_USAGE;
	}
	uint64_t end = rdtsc() + ms * env->tsc_khz;
	while (rdtsc() < end)
		cpu_pause();
	guest_printf("badcall: forge: %u lines forged, then %llu ms of work\n", (unsigned)ARRAY_SIZE(forged) + 1,
		     (unsigned long long)ms);
	return GUEST_EXIT_OK;
}

int badcall_marks(uint64_t count)
{
	for (uint64_t n = 1; n <= count; n++)
		if (hc_call(HC_MARK, n, 0, 0, 0)) {
			guest_printf("badcall: marks: HC_MARK %llu failed\n", (unsigned long long)n);
			return GUEST_EXIT_FAILED;
		}
	guest_printf("badcall: marks: %llu marks made\n", (unsigned long long)count);
	return GUEST_EXIT_OK;
}
