/* kernel/main.c — kernel_main(): where every boot path arrives.
 *
 * Order matters: the command line is checked before anything else can go
 * wrong, the boot information is copied before its memory becomes free
 * RAM, and the kernel's own page tables replace the early ones before any
 * frame above 4 GiB is touched. */
#include "kernel/boot_info.h"
#include "kernel/io.h"
#include "kernel/ktest.h"
#include "kernel/mem.h"
#include "kernel/options.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/serial.h"
#include "kernel/shutdown.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "vmm/scenario.h"
#include "vmm/vmm.h"

static struct boot_info boot_info_copy;
const struct boot_info *boot_info = &boot_info_copy;

/* A command line the loader could not hold whole is refused, never run cut:
 * its end may hold an option the student relies on. */
static void check_cmdline_length(void)
{
	if (boot_info->cmdline_length < BOOT_CMDLINE_MAX)
		return;
	kprintf("memvisor: error: the command line is %u characters, the limit is %u\n",
		boot_info->cmdline_length, BOOT_CMDLINE_MAX - 1);
	shutdown(STATUS_BAD_OPTION, "bad-option");
}

static void check_test_selection(void)
{
	char bad[64], msg[OPT_STRING_MAX + 64], suites[OPT_STRING_MAX];
	if (!options.test[0] || !ktest_find_unknown(options.test, bad, sizeof(bad)))
		return;
	ktest_list_suites(suites, sizeof(suites));
	ksnprintf(msg, sizeof(msg), "no test suite '%s' (suites: all, %s)", bad, suites);
	options_error("test", msg);
}

/* fault=KIND: show what the exception dump and panic() print. */
static void raise_requested_fault(void)
{
	const char *f = options.fault;
	if (!strcmp(f, "none"))
		return;
	kprintf("memvisor: raising fault=%s on purpose\n", f);
	if (!strcmp(f, "pf"))
		*(volatile uint64_t *)0x0000400000000000ull = 1; /* not mapped */
	else if (!strcmp(f, "ud"))
		__asm__ volatile("ud2");
	else if (!strcmp(f, "gp"))
		*(volatile uint64_t *)0x8000000000000000ull = 1; /* non-canonical */
	else if (!strcmp(f, "de"))
		__asm__ volatile("xor %%ecx, %%ecx; div %%ecx" : : : "eax", "ecx", "edx");
	else if (!strcmp(f, "panic"))
		panic("fault=panic asked for a panic");
	options_error("fault", "expected one of none, pf, ud, gp, de, panic");
}

static void run_tests(void)
{
	unsigned passed, failed = ktest_run(options.test, &passed);
	kprintf("memvisor: tests: %u passed, %u failed\n", passed, failed);
	shutdown(failed ? STATUS_TEST_FAILED : STATUS_OK, failed ? "tests-failed" : "tests-passed");
}

void kernel_main(const struct boot_info *bi)
{
	serial_init();
	memcpy(&boot_info_copy, bi, sizeof(boot_info_copy));
	kprintf("memvisor: boot=%s cmdline='%s'\n", boot_info->boot, boot_info->cmdline);
	if (boot_info->magic != BOOT_INFO_MAGIC)
		panic("boot information has a bad magic number %#llx", (unsigned long long)boot_info->magic);
	check_cmdline_length();

	options_parse(boot_info->cmdline);
	scenario_apply();
	check_test_selection();
	if (options.help) {
		options_print_help();
		shutdown(STATUS_OK, "help");
	}

	gdt_init();
	idt_init();
	mem_init(boot_info);
	paging_init(machine_frames.nframes << PAGE_SHIFT);
	mem_reserve_zswap(options.zswap);
	timer_init((unsigned)options.tick_hz);
	irq_enable();
	tsc_calibrate();
	kprintf("memvisor: timer: %u Hz, TSC %llu kHz, %u modules\n", timer_hz(), (unsigned long long)tsc_khz(),
		boot_info->module_count);

	raise_requested_fault();
	vmm_detect(); /* says what is missing; tests that need it then skip */
	if (options.test[0])
		run_tests();
	vmm_run(options.guests);
}
