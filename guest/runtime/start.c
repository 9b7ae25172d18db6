/* guest/runtime/start.c — guest_main_entry(), called by entry.S in long
 * mode on the early tables: set up the runtime in dependency order, run
 * the workload's main(), exit with what it returns. */
#include "guest.h"
#include "boot.h"
#include "trap.h"

/* guest/guest.ld: the image in gpa, and the first byte after it. */
extern char _guest_image_start[], _guest_image_end[];

static struct guest_env start_env;

static void start_fail(const char *what, int err)
{
	guest_printf("guest: error: %s failed (%d)\n", what, err);
	guest_exit(GUEST_EXIT_FATAL);
}

__attribute__((noreturn)) void guest_main_entry(uint32_t magic, uint32_t info);

void guest_main_entry(uint32_t magic, uint32_t info)
{
	static struct boot_params bp;
	boot_decode(magic, info, &bp); /* first: frame_init() reuses that memory */
	gdt_init();
	idt_init(); /* from here on, a fault prints a line instead of a triple fault */

	uint64_t image_end = (uintptr_t)_guest_image_end;
	if (bp.memory_bytes <= image_end) {
		guest_printf("guest: error: %llu KiB of RAM (%s) do not even hold the image (%llu KiB)\n",
			     (unsigned long long)(bp.memory_bytes / KiB), bp.protocol,
			     (unsigned long long)(image_end / KiB));
		guest_exit(GUEST_EXIT_FATAL);
	}
	int err = frame_init(gpa_of(image_end), gpa_of(bp.memory_bytes));
	if (err)
		start_fail("frame_init", err);
	err = paging_init(bp.memory_bytes);
	if (err)
		start_fail("paging_init", err);

	hc_init();
	env_init(&start_env, bp.memory_bytes, bp.args);
	guest_exit((uint32_t)main(&start_env));
}
