/* kernel/options.c — the option table and its help text. */
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/shutdown.h"
#include "kernel/string.h"

struct options options;

#define OPT(field) offsetof(struct options, field)

static const struct opt_def option_table[] = {
	{ "help", OPT_FLAG, OPT(help), NULL, 0, 0,
	  "print every option with its default, then stop" },
	{ "test", OPT_STRING, OPT(test), "", 0, 0,
	  "run in-kernel tests (KTAP): all, or suites separated by commas" },
	{ "zswap", OPT_SIZE, OPT(zswap), "8M", 0, 64 * GiB,
	  "machine RAM reserved at boot for the compressed swap area (0 = none)" },
	{ "zswap_max_pct", OPT_UINT, OPT(zswap_max_pct), "10", 0, 100,
	  "most of the zswap area one VM may take, in % of the VM's memory (ESX Mem.MemZipMaxPct: 10)" },
	{ "swap", OPT_STRING, OPT(swap), "auto", 0, 0,
	  "host swap: auto (a disk made with tools/mkswap becomes the swap device) or off (no disk is used)" },
	{ "swap_io", OPT_STRING, OPT(swap_io), "dma", 0, 0,
	  "the disks: dma (bus-master DMA where the controller has it; a swap-in waits off the CPU) or pio (polled PIO)" },
	{ "swap_bench", OPT_UINT, OPT(swap_bench), "0", 0, 1048576,
	  "make bench: N pages written to and read from the swap disk's slots at boot (raw MB/s), then swap-out, "
	  "swap-in and fault times by kind printed at the end (0 = off)" },
	{ "swap_victims", OPT_STRING, OPT(swap_victims), "clock", 0, 0,
	  "how pages to compress or swap are chosen: clock (cold pages first, by the accessed bits) or random "
	  "(as ESX chooses its swap victims: any page, in use or not)" },
	{ "tick_hz", OPT_UINT, OPT(tick_hz), "100", 19, 1000,
	  "timer interrupts per second (PIT)" },
	{ "slice_ms", OPT_UINT, OPT(slice_ms), "20", 1, 1000,
	  "a VM's time slice in milliseconds of TSC time, memvisor's work on its exits included" },
	{ "background_pct", OPT_UINT, OPT(background_pct), "20", 1, 100,
	  "most of the CPU memvisor's background work (sharing, balloon, compression, policy) takes while "
	  "a guest can run in the memory states high and soft, in %" },
	{ "guests", OPT_STRING, OPT(guests), OPTIONS_DEFAULT_GUESTS, 0, 0,
	  "guests to run: NAME:SIZE[:key=value...] separated by commas, e.g. hello:4M,memtest:16M:touch=8M" },
	{ "guest_mem", OPT_SIZE, OPT(guest_mem), "0", 0, 512 * GiB,
	  "machine memory the guests may hold in all (0 = what is free after boot)" },
	{ "scenario", OPT_STRING, OPT(scenario), "none", 0, 0,
	  "a named run that sets guests= and guest_mem=: overcommit (2.6x, every technique), thrash, "
	  "or swap (4x, mostly incompressible: needs a swap disk)" },
	{ "mem_states", OPT_STRING, OPT(mem_states), "6,4,2,1", 0, 0,
	  "memory-state thresholds, % of guest_mem free: high,soft,hard,low (README: memory states)" },
	{ "balloon", OPT_STRING, OPT(balloon), "", 0, 0,
	  "balloon targets, one after the other: VM:TARGET[:TARGET...],..., TARGET in pages or 16M-style "
	  "(README: ballooning)" },
	{ "balloon_max_pct", OPT_UINT, OPT(balloon_max_pct), "65", 0, 75,
	  "most of a VM its balloon may hold, in % (ESX Mem.CtlMaxPercent: 65, at most 75)" },
	{ "balloon_step_ms", OPT_UINT, OPT(balloon_step_ms), "200", 0, 3600000,
	  "milliseconds a reached balloon= target holds before the next is set" },
	{ "share_scan_time", OPT_UINT, OPT(share_scan_time), "3600000", 1, 86400000,
	  "page sharing: milliseconds in which each VM's memory is scanned once (ESX Mem.ShareScanTime: 60 min)" },
	{ "share_rate_max", OPT_UINT, OPT(share_rate_max), "1024", 1, 100000000,
	  "page sharing: most pages scanned per second in one VM (ESX Mem.ShareRateMax)" },
	{ "share_scan_ghz", OPT_UINT, OPT(share_scan_ghz), "4", 1, 1000000,
	  "page sharing: MiB scanned per second in all, per GHz of TSC (ESX Mem.ShareScanGHz)" },
	{ "share_cpu_pct", OPT_UINT, OPT(share_cpu_pct), "10", 1, 90,
	  "page sharing: most of the time between two scanner steps that one step may take, in %" },
	{ "share_check", OPT_FLAG, OPT(share_check), NULL, 0, 0,
	  "run the PMAP/frame-table invariant checker after every merge and copy-on-write break (slow)" },
	{ "active_samples", OPT_UINT, OPT(active_samples), "100", 0, 1024,
	  "active memory: pages of each VM sampled per period, unmapped to see which are touched (0 = off)" },
	{ "active_period_ms", OPT_UINT, OPT(active_period_ms), "500", 10, 600000,
	  "active memory: the sampling period, in milliseconds of the VM's own CPU time" },
	{ "idle_tax", OPT_UINT, OPT(idle_tax), "75", 0, 99,
	  "idle memory tax in %: an idle page counts 100/(100-N) times an active one in each VM's entitlement "
	  "(ESX Mem.IdleTax)" },
	{ "stats_interval", OPT_UINT, OPT(stats_interval), "0", 0, 3600000,
	  "milliseconds between machine-readable \"stats:\" lines (0 = none)" },
	{ "monitor", OPT_FLAG, OPT(monitor), NULL, 0, 0,
	  "monitor shell on the serial console: a prompt after boot and at the end; a key stops the guests" },
	{ "script", OPT_STRING, OPT(script), "", 0, 0,
	  "monitor commands to run without a person, separated by ';'" },
	{ "script_at", OPT_STRING, OPT(script_at), "end", 0, 0,
	  "when script= runs: boot (guests created, none run yet), end (every guest ended), "
	  "vm:NAME (that guest ended, its memory not yet released) or mark:VM:N (VM, a name or an id, "
	  "made hypercall HC_MARK N)" },
	{ "entry_check", OPT_STRING, OPT(entry_check_text), "on", 0, 0,
	  "on or off: check the guest state against the manuals' VM-entry rules before every VMRUN, VMLAUNCH "
	  "and VMRESUME, and stop a VM that breaks one (README: entry checks)" },
	{ "fault", OPT_STRING, OPT(fault), "none", 0, 0,
	  "raise a fault after boot to show the exception dump: none, pf, ud, gp, de, panic" },
};

void options_error(const char *name, const char *message)
{
	kprintf("memvisor: error: option '%s': %s\n", name, message);
	shutdown(STATUS_BAD_OPTION, "bad-option");
}

void options_parse(const char *cmdline)
{
	struct cmdline_error err;
	if (cmdline_parse(cmdline, option_table, ARRAY_SIZE(option_table), &options, &err))
		options_error(err.option, err.message);
	if (strcmp(options.entry_check_text, "on") && strcmp(options.entry_check_text, "off"))
		options_error("entry_check", "must be on or off");
	options.entry_check = !strcmp(options.entry_check_text, "on");
}

void options_print_help(void)
{
	kprintf("memvisor: options:\n");
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
		const struct opt_def *d = &option_table[i];
		if (d->type == OPT_FLAG)
			kprintf("  %-24s %s\n", d->name, d->help);
		else
			kprintf("  %s=%-*s (default: %s) %s\n", d->name, (int)(23 - strlen(d->name)),
				d->type == OPT_SIZE ? "SIZE" : d->type == OPT_UINT ? "N" : "TEXT",
				d->default_text[0] ? d->default_text : "\"\"", d->help);
	}
	kprintf("  SIZE takes a K, M or G suffix; TEXT may be \"quoted\" to hold spaces\n");
}
