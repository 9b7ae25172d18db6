/* kernel/options.h — memvisor's command-line options, parsed once at boot.
 * The table in kernel/options.c is the single list: `help` prints it and
 * README's option table is kept in step with it. */
#ifndef MEMVISOR_OPTIONS_H
#define MEMVISOR_OPTIONS_H

#include "kernel/cmdline.h"
#include "kernel/types.h"

#define OPTIONS_DEFAULT_GUESTS "hello:4M,memtest:16M"

struct options {
	bool help;
	char test[OPT_STRING_MAX];  /* "" (none), "all" or "suite,suite"    */
	uint64_t zswap;             /* bytes reserved for compressed swap   */
	uint64_t zswap_max_pct;     /* a VM's cap in the zswap area, % of it */
	char swap[OPT_STRING_MAX];  /* host swap: "auto" or "off"          */
	char swap_io[OPT_STRING_MAX]; /* the swap disk: "dma" or "pio"     */
	uint64_t swap_bench;        /* pages for the raw disk rate, 0 = off */
	char swap_victims[OPT_STRING_MAX]; /* "clock" or "random"        */
	uint64_t tick_hz;           /* timer interrupts per second          */
	uint64_t slice_ms;          /* a VM's time slice (vmm/sched.h)      */
	uint64_t background_pct;    /* background work's most CPU, in %    */
	char fault[OPT_STRING_MAX]; /* deliberate fault after boot, or none */
	char guests[OPT_STRING_MAX]; /* NAME:SIZE[:key=value...],...        */
	uint64_t active_samples;     /* pages sampled per VM and period, 0 = off */
	uint64_t active_period_ms;   /* sampling period, in the VM's CPU ms  */
	uint64_t idle_tax;           /* idle memory tax, % (ESX Mem.IdleTax) */
	uint64_t stats_interval;     /* ms between "stats:" lines, 0 = off   */
	uint64_t guest_mem;          /* bytes the guests may hold, 0 = all   */
	char scenario[OPT_STRING_MAX]; /* a named run: none, overcommit, ... */
	char mem_states[OPT_STRING_MAX]; /* thresholds: "6,4,2,1"           */
	char balloon[OPT_STRING_MAX];    /* targets: VM:TARGET[:TARGET...],... */
	uint64_t balloon_max_pct;        /* balloon cap, % of each VM        */
	uint64_t balloon_step_ms;        /* how long balloon= holds a target */
	uint64_t share_scan_time;        /* ms to scan each VM once (ESX ShareScanTime) */
	uint64_t share_rate_max;         /* pages/s scanned per VM (ShareRateMax)       */
	uint64_t share_scan_ghz;         /* MiB/s scanned per GHz of CPU (ShareScanGHz) */
	uint64_t share_cpu_pct;          /* most of the CPU one scanner step may take   */
	bool share_check;                /* invariant checker after each merge/break    */
	bool monitor;                /* interactive monitor shell            */
	char script[OPT_STRING_MAX]; /* monitor commands, ';'-separated       */
	char script_at[OPT_STRING_MAX]; /* when script runs: boot or end     */
	char entry_check_text[OPT_STRING_MAX]; /* "on" or "off", as given    */
	bool entry_check;            /* entry_check=on: the backends check   */
				     /* every VM entry against the manuals   */
};

extern struct options options;

/* Parses the boot command line into `options`; on a bad option prints
 * "memvisor: error: option 'NAME': ..." and shuts down with status 2. */
void options_parse(const char *cmdline);
void options_print_help(void);

/* Reports a bad value found after parsing (e.g. an unknown test suite) in
 * the same form, and shuts down with status 2. */
__attribute__((noreturn)) void options_error(const char *name, const char *message);

#endif
