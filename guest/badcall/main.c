/* guest/badcall/main.c — hypercalls with bad arguments, each of which
 * memvisor must refuse with the error vmm/hypercall_abi.h names, without
 * harming this VM or any other. A hypervisor that trusts a guest's gpa
 * or length reads or writes memory that is not the guest's: the classic
 * hypercall bug. Ends with one valid call, to show the VM still works.
 *
 * One line per check:  badcall: CHECK expected E seen S ok|FAIL
 * then:                badcall: N checks, F failed
 * Exit status GUEST_EXIT_OK only if every check passed.
 * mode=forge (with ms=N) and mode=marks (with count=N): see forge.h. */
#include "forge.h"
#include "guest.h"

const char guest_image_name[] = "badcall";

#define HC_NUMBER_UNKNOWN 9999

struct badcall {
	unsigned checks, failed;
};

static void expect(struct badcall *b, const char *check, int64_t expected, int64_t seen)
{
	bool ok = seen == expected;
	b->checks++;
	b->failed += !ok;
	guest_printf("badcall: %s expected %lld seen %lld %s\n", check, (long long)expected,
		     (long long)seen, ok ? "ok" : "FAIL");
}

static void check_console_write(struct badcall *b, uint64_t memory_bytes)
{
	/* One byte past the end: a valid length, an invalid address. */
	expect(b, "console-write-beyond-memory", -HC_E_FAULT,
	       hc_call(HC_CONSOLE_WRITE, memory_bytes, 1, 0, 0));
	/* Starts inside, ends outside: checking the first byte is not enough. */
	enum { STRADDLE_BYTES = 16 };
	expect(b, "console-write-straddling-end", -HC_E_FAULT,
	       hc_call(HC_CONSOLE_WRITE, memory_bytes - STRADDLE_BYTES / 2, STRADDLE_BYTES, 0, 0));
	/* gpa + length wraps past 2^64 to a small, "valid" address. */
	expect(b, "console-write-wrapping", -HC_E_FAULT,
	       hc_call(HC_CONSOLE_WRITE, UINT64_MAX - STRADDLE_BYTES / 2, STRADDLE_BYTES, 0, 0));
	/* A valid buffer, one byte longer than the ABI allows. */
	static char too_long[HC_CONSOLE_MAX + 1];
	memset(too_long, 'x', sizeof(too_long));
	expect(b, "console-write-too-long", -HC_E_INVAL,
	       hc_call(HC_CONSOLE_WRITE, guest_gpa_of_ptr(too_long), sizeof(too_long), 0, 0));
}

static void check_get_info(struct badcall *b, uint64_t memory_bytes)
{
	expect(b, "get-info-beyond-memory", -HC_E_FAULT, hc_call(HC_GET_INFO, memory_bytes, 0, 0, 0));
	/* 8-byte aligned, so the only thing wrong is the straddle. */
	uint64_t straddle = memory_bytes - ALIGN_DOWN(sizeof(struct hc_vm_info) / 2, sizeof(uint64_t));
	expect(b, "get-info-straddling-end", -HC_E_FAULT, hc_call(HC_GET_INFO, straddle, 0, 0, 0));
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "mode", "ms", "count", NULL };
	static const char *const modes[] = { "check", "forge", "marks", NULL };
	enum { MODE_CHECK, MODE_FORGE, MODE_MARKS };
	enum { FORGE_DEFAULT_MS = 3000, MARKS_DEFAULT = 1000 };
	guest_args_check(env, known);
	unsigned mode = guest_arg_choice(env, "mode", modes);
	if (!env->hypervisor) {
		guest_printf("badcall: no hypervisor, nothing to check\n");
		return GUEST_EXIT_OK;
	}
	if (mode == MODE_FORGE)
		return badcall_forge(env, guest_arg_u64(env, "ms", FORGE_DEFAULT_MS));
	if (mode == MODE_MARKS)
		return badcall_marks(guest_arg_u64(env, "count", MARKS_DEFAULT));
	struct badcall b = { 0, 0 };
	expect(&b, "unknown-number", -HC_E_NOSYS, hc_call(HC_NUMBER_UNKNOWN, 0, 0, 0, 0));
	check_console_write(&b, env->memory_bytes);
	check_get_info(&b, env->memory_bytes);

	static const char line[] = "badcall: this line came through HC_CONSOLE_WRITE\n";
	expect(&b, "console-write-valid", sizeof(line) - 1,
	       hc_call(HC_CONSOLE_WRITE, guest_gpa_of_ptr(line), sizeof(line) - 1, 0, 0));

	guest_printf("badcall: %u checks, %u failed\n", b.checks, b.failed);
	return b.failed ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
