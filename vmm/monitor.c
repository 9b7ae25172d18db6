/* vmm/monitor.c — a small shell for poking at a live memvisor: list the
 * VMs, read their stats, look up PMAP entries and machine frames, run the
 * invariant checker, stop a VM. A person types at "memvisor> "; tests give
 * the same commands through script= (Bochs cannot take serial input).
 * Every command answers with lines starting "monitor:" or a table, and a
 * bad command gets one line of error and the prompt again. */
#include "vmm/balloon/balloon.h"
#include "vmm/monitor.h"
#include "vmm/balloon/plan.h"
#include "vmm/mm/memory.h"
#include "vmm/policy/entitle.h"
#include "vmm/share/scan.h"
#include "vmm/stats.h"
#include "vmm/swap/swap.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"
#include "vmm/zswap/zswap.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/serial.h"
#include "kernel/string.h"

#define MONITOR_LINE_MAX 128
#define MONITOR_ARGS_MAX 4
#define PMAP_COUNT_MAX 64
#define DUMP_COUNT_MAX 4096
#define DUMP_LINE_BYTES 64

struct command {
	const char *name;
	const char *usage;
	int min_args, max_args;
	enum monitor_result (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[];

__attribute__((format(printf, 1, 2))) static enum monitor_result complain(const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("monitor: error: %s\n", msg);
	return MONITOR_STAY;
}

/* A VM by id or by name (vm_find()); NULL after saying why there is none. */
static struct vm *find_vm(const char *word)
{
	struct vm *vm;
	char why[64 + VM_NAME_MAX];
	int rc = vm_find(word, &vm);
	if (rc)
		complain("%s (see vms)", vm_find_error(rc, word, why, sizeof(why)));
	return vm;
}

static bool number(const char *word, uint64_t *out)
{
	return cmdline_parse_number(word, out) == 0;
}

static enum monitor_result cmd_help(int argc, char **argv);

static enum monitor_result cmd_vms(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint64_t kib = PAGE_SIZE / KiB, entitled[VM_MAX];
	policy_entitlements(entitled);
	kprintf("  %-3s %-10s %-8s %8s %6s %10s %7s %8s %8s %9s %9s %s\n", "id", "name", "state", "memKiB", "status",
		"exits", "shares", "resvKiB", "limitKiB", "activeKiB", "entitlKiB", "args");
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		kprintf("  %-3u %-10s %-8s %8llu %6d %10llu %7llu %8llu %8llu %9llu %9llu %s\n", vm->id, vm->name,
			vm_state_name(vm), (unsigned long long)(vm->mem_bytes / KiB), vm->exit_status,
			(unsigned long long)stat_value(vm, STAT_EXITS), (unsigned long long)vm->alloc.shares,
			(unsigned long long)(vm->alloc.reservation * kib), (unsigned long long)(vm->alloc.limit * kib),
			(unsigned long long)(stat_value(vm, STAT_ACTIVE) * kib), (unsigned long long)(entitled[i] * kib),
			vm->args);
	}
	return MONITOR_STAY;
}

static enum monitor_result cmd_stats(int argc, char **argv)
{
	const struct vm *vm = NULL;
	if (argc == 2 && !(vm = find_vm(argv[1])))
		return MONITOR_STAY; /* find_vm() said why */
	stats_print_table(vm);
	return MONITOR_STAY;
}

static void show_pmap_entry(struct vm *vm, gfn_t gfn)
{
	pmap_entry_t e;
	pmap_get(&vm->pmap, gfn, &e);
	enum pmap_state st = pmap_entry_state(e);
	char where[48] = "-";
	if (pmap_entry_has_frame(e))
		ksnprintf(where, sizeof(where), "mfn %#llx", (unsigned long long)pmap_entry_mfn(e).raw);
	else if (st == PMAP_COMPRESSED)
		ksnprintf(where, sizeof(where), "handle %#llx", (unsigned long long)pmap_entry_handle(e));
	else if (st == PMAP_SWAPPED)
		ksnprintf(where, sizeof(where), "swap slot %llu", (unsigned long long)pmap_entry_slot(e));
	mfn_t mapped;
	unsigned prot;
	char cached[48] = "not mapped";
	if (!backend->lookup(vm, gfn, &mapped, &prot))
		ksnprintf(cached, sizeof(cached), "mapped mfn %#llx %s", (unsigned long long)mapped.raw,
			  (prot & NPT_WRITE) ? "rw" : "ro");
	kprintf("monitor: vm%u gfn %#llx %s %s, nested: %s\n", vm->id, (unsigned long long)gfn.raw,
		pmap_state_name(st), where, cached);
}

static enum monitor_result cmd_pmap(int argc, char **argv)
{
	struct vm *vm = find_vm(argv[1]);
	uint64_t gfn, count = 1;
	if (!vm)
		return MONITOR_STAY; /* find_vm() said why */
	if (!vm->pmap.entries)
		return complain("vm%u has ended: its PMAP is gone", vm->id);
	if (!number(argv[2], &gfn) || (argc == 4 && !number(argv[3], &count)))
		return complain("usage: pmap VM GFN [COUNT] (numbers decimal or 0x-hex)");
	if (count == 0 || count > PMAP_COUNT_MAX)
		return complain("COUNT must be 1 to %d", PMAP_COUNT_MAX);
	if (gfn >= vm->pmap.npages || count > vm->pmap.npages - gfn)
		return complain("vm%u has gfns 0 to %#llx", vm->id, (unsigned long long)(vm->pmap.npages - 1));
	for (uint64_t i = 0; i < count; i++)
		show_pmap_entry(vm, (gfn_t){ gfn + i });
	return MONITOR_STAY;
}

static bool print_user(uint32_t vm_id, gfn_t gfn, void *ctx)
{
	(void)ctx;
	kprintf("monitor:   used by vm%u gfn %#llx\n", vm_id, (unsigned long long)gfn.raw);
	return true;
}

static enum monitor_result cmd_frame(int argc, char **argv)
{
	(void)argc;
	uint64_t f;
	if (!number(argv[1], &f))
		return complain("usage: frame MFN (decimal or 0x-hex)");
	if (f >= machine_frames.nframes)
		return complain("mfn %#llx is beyond the machine's %#llx frames", (unsigned long long)f,
				(unsigned long long)machine_frames.nframes);
	kprintf("monitor: mfn %#llx refcount %u, %s\n", (unsigned long long)f, frame_table_refcount(&frame_table, mfn(f)),
		frames_is_free(&machine_frames, mfn(f)) ? "free" : "in use");
	frame_table_for_each_user(&frame_table, mfn(f), print_user, NULL);
	return MONITOR_STAY;
}

static enum monitor_result cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("monitor: check: %u invariant violations\n", vmm_check_invariants());
	return MONITOR_STAY;
}

static enum monitor_result cmd_stop(int argc, char **argv)
{
	(void)argc;
	struct vm *vm = find_vm(argv[1]);
	if (!vm)
		return MONITOR_STAY; /* find_vm() said why */
	if (vm->state != VM_RUNNABLE)
		return complain("vm%u is not running", vm->id);
	vm_stop(vm, "stopped from the monitor");
	return MONITOR_STAY;
}

/* balloon [VM [PAGES|SIZE]]: every balloon, one, or set one's target. */
static enum monitor_result cmd_balloon(int argc, char **argv)
{
	for (uint32_t i = 0; argc == 1 && i < vm_count; i++)
		if (vms[i].pmap.entries)
			balloon_print(&vms[i]);
	if (argc == 1)
		return MONITOR_STAY;
	struct vm *vm = find_vm(argv[1]);
	uint64_t pages;
	if (!vm)
		return MONITOR_STAY; /* find_vm() said why */
	if (!vm->pmap.entries)
		return complain("vm%u has ended: its balloon is gone", vm->id);
	if (argc == 3 && balloon_parse_pages(argv[2], &pages))
		return complain("usage: balloon VM PAGES|SIZE (4096, 0x1000, or whole pages as 16M)");
	if (argc == 3 && vm->state != VM_RUNNABLE)
		return complain("vm%u is not running", vm->id);
	if (argc == 3 && balloon_set_target(vm, pages, "set from the monitor"))
		return complain("vm%u: %llu pages is above the balloon's cap of %llu (balloon_max_pct=%llu)", vm->id,
				(unsigned long long)pages, (unsigned long long)balloon_cap(vm),
				(unsigned long long)options.balloon_max_pct);
	balloon_print(vm);
	return MONITOR_STAY;
}

/* share [scan]: page sharing's figures, or one full pass over every VM now. */
static enum monitor_result cmd_share(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "scan"))
		return complain("usage: share [scan]");
	if (argc == 2)
		share_scan_all();
	share_print_table();
	return MONITOR_STAY;
}

/* compress VM COUNT: COUNT victims of the clock into the zswap area now. */
static enum monitor_result cmd_compress(int argc, char **argv)
{
	(void)argc;
	struct vm *vm = find_vm(argv[1]);
	uint64_t count;
	struct zswap_report r;
	if (!vm)
		return MONITOR_STAY; /* find_vm() said why */
	if (!number(argv[2], &count))
		return complain("usage: compress VM COUNT (pages, decimal or 0x-hex)");
	if (!vm->pmap.entries)
		return complain("vm%u has ended: its memory is gone", vm->id);
	if (zswap_compress_victims(vm, count, NULL, &r)) /* the area only: nothing spills to disk */
		return complain("there is no zswap area (zswap=0)");
	zswap_print_report(vm, &r);
	return MONITOR_STAY;
}

/* The lowest gfn of vm in PMAP state s, or its page count when none is. */
static uint64_t first_in_state(const struct vm *vm, enum pmap_state s)
{
	uint64_t g = 0;
	while (g < vm->pmap.npages && pmap_entry_state(vm->pmap.entries[g]) != s)
		g++;
	return g;
}

#define ZSWAP_USAGE "usage: zswap [compact | swapin VM STRIDE | damage VM [GFN]]"

static enum monitor_result zswap_compact_now(void)
{
	struct zswap_compaction r;
	zswap_compact(&r);
	kprintf("monitor: zswap compact: moved %llu objects, %llu not found; area pages in use %llu -> %llu\n",
		(unsigned long long)r.moved, (unsigned long long)r.missed, (unsigned long long)r.pages_before,
		(unsigned long long)r.pages_after);
	return MONITOR_STAY;
}

static enum monitor_result zswap_swap_in_now(struct vm *vm, const char *stride_text)
{
	uint64_t stride;
	if (!vm || !number(stride_text, &stride) || !stride)
		return complain(ZSWAP_USAGE);
	uint64_t n = zswap_swap_in_every(vm, stride);
	kprintf("monitor: zswap swapin vm%u: %llu compressed pages brought back (one in %llu)\n", vm->id,
		(unsigned long long)n, (unsigned long long)stride);
	return MONITOR_STAY;
}

#define SWAP_USAGE "usage: swap [out VM COUNT | damage VM [GFN]]"

/* Whether a swap command on vm cannot go on (and the monitor said why):
 * the VM has ended, or there is no swap disk. */
static bool swap_refused(const struct vm *vm)
{
	if (!vm->pmap.entries)
		complain("vm%u has ended: its memory is gone", vm->id);
	else if (!swap_enabled())
		complain("there is no swap disk (tools/mkswap FILE SIZE; tools/run --swap SIZE)");
	else
		return false;
	return true;
}

/* swap damage VM [GFN]: a bit of the page (GFN, or the lowest swapped
 * one) flipped in its slot on disk, so that its swap-in finds it changed. */
static enum monitor_result swap_damage_command(int argc, char **argv)
{
	struct vm *vm = find_vm(argv[2]);
	uint64_t gfn, slot;
	if (!vm)
		return MONITOR_STAY; /* find_vm() said why */
	if (argc == 4 && !number(argv[3], &gfn))
		return complain(SWAP_USAGE " (GFN: decimal or 0x-hex)");
	if (swap_refused(vm))
		return MONITOR_STAY;
	if (argc == 3)
		gfn = first_in_state(vm, PMAP_SWAPPED);
	int rc = swap_damage(vm, (gfn_t){ gfn }, &slot);
	if (rc == -E_NOT_FOUND)
		return complain("vm%u gfn %#llx is not swapped out", vm->id, (unsigned long long)gfn);
	if (rc == -E_BUSY)
		return complain("vm%u gfn %#llx is being read back now", vm->id, (unsigned long long)gfn);
	if (rc)
		return complain("vm%u gfn %#llx: slot %llu on %s could not be read or written", vm->id,
				(unsigned long long)gfn, (unsigned long long)slot, swap_device_name());
	kprintf("monitor: vm%u gfn %#llx: one bit of its page flipped in swap slot %llu on %s\n", vm->id,
		(unsigned long long)gfn, (unsigned long long)slot, swap_device_name());
	return MONITOR_STAY;
}

/* swap out VM COUNT: COUNT of the VM's resident private pages to disk now. */
static enum monitor_result swap_out_command(const char *vm_name, const char *count_text)
{
	struct vm *vm = find_vm(vm_name);
	uint64_t count;
	struct swap_out_now_report r;
	if (!vm)
		return MONITOR_STAY; /* find_vm() said why */
	if (!number(count_text, &count) || !count)
		return complain(SWAP_USAGE " (COUNT: pages, at least 1, decimal or 0x-hex)");
	if (swap_refused(vm))
		return MONITOR_STAY;
	swap_out_now(vm, count, &r);
	kprintf("monitor: swap out vm%u: %llu of %llu pages written to %s (lowest private gfns first), "
		"%llu write errors%s\n", vm->id, (unsigned long long)r.written, (unsigned long long)count,
		swap_device_name(), (unsigned long long)r.write_errors,
		r.disk_full ? "; stopped: the disk is full" :
		r.written < count ? "; no private page left" : "");
	return MONITOR_STAY;
}

/* swap [out VM COUNT | damage VM [GFN]]: the swap device, its slots in
 * use, each VM's pages on it; COUNT of a VM's pages swapped out now; or a
 * swapped page damaged on disk. */
static enum monitor_result cmd_swap(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "out"))
		return swap_out_command(argv[2], argv[3]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "damage"))
		return swap_damage_command(argc, argv);
	if (argc != 1)
		return complain(SWAP_USAGE);
	swap_print();
	return MONITOR_STAY;
}

/* zswap [compact | swapin VM STRIDE | damage VM [GFN]]: the area and each
 * VM's share of it; compact it now; swap in every STRIDE-th compressed
 * page of a VM (holes in the area, for compaction); damage flips a byte of
 * a compressed page (GFN, or the lowest compressed one), so that its
 * swap-in finds it damaged. */
static enum monitor_result cmd_zswap(int argc, char **argv)
{
	struct vm *vm = NULL;
	uint64_t gfn = 0;
	if (argc == 1) {
		zswap_print();
		return MONITOR_STAY;
	}
	if (!zswap_enabled())
		return complain("there is no zswap area (zswap=0)");
	if (argc == 2 && !strcmp(argv[1], "compact"))
		return zswap_compact_now();
	if (argc >= 3 && (!strcmp(argv[1], "swapin") || !strcmp(argv[1], "damage")) && !(vm = find_vm(argv[2])))
		return MONITOR_STAY; /* find_vm() said why */
	if (argc == 4 && !strcmp(argv[1], "swapin"))
		return zswap_swap_in_now(vm, argv[3]);
	if (argc < 3 || strcmp(argv[1], "damage") || !vm || (argc == 4 && !number(argv[3], &gfn)))
		return complain(ZSWAP_USAGE);
	if (argc == 3 && vm->pmap.entries)
		gfn = first_in_state(vm, PMAP_COMPRESSED);
	if (!vm->pmap.entries || zswap_damage(vm, (gfn_t){ gfn }))
		return complain("vm%u gfn %#llx is not compressed", vm->id, (unsigned long long)gfn);
	kprintf("monitor: vm%u gfn %#llx: one byte of its compressed copy flipped\n", vm->id, (unsigned long long)gfn);
	return MONITOR_STAY;
}

/* One page as hex lines "dump: vmN gfn G +OFF HEX"; untouched and
 * ballooned pages (they read as zeros) are left out. */
static bool dump_page(struct vm *vm, uint64_t gfn)
{
	static const char hex[] = "0123456789abcdef";
	static uint8_t page[PAGE_SIZE];
	pmap_entry_t e;
	pmap_get(&vm->pmap, (gfn_t){ gfn }, &e);
	if (!pmap_entry_has_frame(e) && pmap_entry_state(e) != PMAP_COMPRESSED && pmap_entry_state(e) != PMAP_SWAPPED)
		return false;
	if (vm_gpa_read(vm, gfn << PAGE_SHIFT, page, PAGE_SIZE))
		return false;
	for (uint64_t off = 0; off < PAGE_SIZE; off += DUMP_LINE_BYTES) {
		char line[2 * DUMP_LINE_BYTES + 1];
		for (uint64_t i = 0; i < DUMP_LINE_BYTES; i++) {
			line[2 * i] = hex[page[off + i] >> 4];
			line[2 * i + 1] = hex[page[off + i] & 0xf];
		}
		line[2 * DUMP_LINE_BYTES] = 0;
		kprintf("dump: vm%u gfn %#llx +%#llx %s\n", vm->id, (unsigned long long)gfn, (unsigned long long)off, line);
	}
	return true;
}

/* dump VM GFN [COUNT]: the bytes of guest pages, read through the PMAP
 * (a compressed page is decompressed for it and stays compressed). */
static enum monitor_result cmd_dump(int argc, char **argv)
{
	struct vm *vm = find_vm(argv[1]);
	uint64_t gfn, count = 1, dumped = 0;
	if (!vm)
		return MONITOR_STAY; /* find_vm() said why */
	if (!vm->pmap.entries)
		return complain("vm%u has ended: its memory is gone", vm->id);
	if (!number(argv[2], &gfn) || (argc == 4 && !number(argv[3], &count)) || !count || count > DUMP_COUNT_MAX)
		return complain("usage: dump VM GFN [COUNT] (COUNT 1 to %d)", DUMP_COUNT_MAX);
	if (gfn >= vm->pmap.npages)
		return complain("vm%u has gfns 0 to %#llx", vm->id, (unsigned long long)(vm->pmap.npages - 1));
	count = MIN(count, vm->pmap.npages - gfn);
	for (uint64_t i = 0; i < count && vm->state != VM_STOPPED; i++)
		dumped += dump_page(vm, gfn + i);
	kprintf("monitor: dump: %llu pages with contents of %llu\n", (unsigned long long)dumped,
		(unsigned long long)count);
	return MONITOR_STAY;
}

static enum monitor_result cmd_continue(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return MONITOR_CONTINUE;
}

static enum monitor_result cmd_quit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return MONITOR_QUIT;
}

static const struct command commands[] = {
	{ "help", "help", 0, 0, cmd_help, "this list" },
	{ "vms", "vms", 0, 0, cmd_vms,
	  "every VM: id, name, state, memory, exits, shares, reservation, limit, active memory, entitlement" },
	{ "stats", "stats [VM]", 0, 1, cmd_stats, "memory statistics (esxtop names, 4 KiB pages)" },
	{ "pmap", "pmap VM GFN [COUNT]", 2, 3, cmd_pmap, "PMAP state and machine frame of guest frames" },
	{ "frame", "frame MFN", 1, 1, cmd_frame, "reference count and users of a machine frame" },
	{ "check", "check", 0, 0, cmd_check, "run the PMAP/frame-table invariant checker" },
	{ "stop", "stop VM", 1, 1, cmd_stop, "stop a running VM" },
	{ "balloon", "balloon [VM [PAGES|SIZE]]", 0, 2, cmd_balloon, "balloon size, target, cap, counts; set a target" },
	{ "share", "share [scan]", 0, 1, cmd_share, "page sharing per VM and in all; scan: one full pass now" },
	{ "compress", "compress VM COUNT", 2, 2, cmd_compress, "compress COUNT pages the clock chooses, now" },
	{ "zswap", "zswap [compact | swapin VM STRIDE | damage VM [GFN]]", 0, 3, cmd_zswap,
	  "the compressed swap area, each VM's share; compact it; swap pages in; damage a page" },
	{ "swap", "swap [out VM COUNT | damage VM [GFN]]", 0, 3, cmd_swap,
	  "the swap disk: slots used, each VM's pages on it, its traffic; swap out COUNT pages of a VM now; damage a swapped page on disk" },
	{ "dump", "dump VM GFN [COUNT]", 2, 3, cmd_dump, "the bytes of guest pages, in hex" },
	{ "continue", "continue", 0, 0, cmd_continue, "leave the monitor, run the guests" },
	{ "quit", "quit", 0, 0, cmd_quit, "end the run now" },
};

static enum monitor_result cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		kprintf("  %-22s %s\n", commands[i].usage, commands[i].help);
	kprintf("  VM is an id or a name; numbers are decimal or 0x-hex\n");
	return MONITOR_STAY;
}

/* Splits line in place into at most MONITOR_ARGS_MAX words; returns the
 * count, or MONITOR_ARGS_MAX + 1 when there were more. */
static int split(char *line, char **argv)
{
	int argc = 0;
	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == MONITOR_ARGS_MAX)
			return MONITOR_ARGS_MAX + 1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

enum monitor_result monitor_command(char *line)
{
	char *argv[MONITOR_ARGS_MAX];
	int argc = split(line, argv);
	if (argc == 0)
		return MONITOR_STAY;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];
		if (strcmp(argv[0], c->name))
			continue;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args)
			return complain("usage: %s", c->usage);
		return c->run(argc, argv);
	}
	return complain("unknown command '%s' (try help)", argv[0]);
}

enum monitor_result monitor_script(const char *script)
{
	char line[MONITOR_LINE_MAX];
	for (const char *p = script; *p;) {
		const char *end = p;
		while (*end && *end != ';')
			end++;
		size_t n = MIN((size_t)(end - p), sizeof(line) - 1);
		memcpy(line, p, n);
		line[n] = 0;
		kprintf("memvisor> %s\n", line);
		if (monitor_command(line) == MONITOR_QUIT)
			return MONITOR_QUIT;
		p = *end ? end + 1 : end;
	}
	return MONITOR_CONTINUE;
}

bool monitor_key_waiting(void)
{
	return serial_input_waiting();
}

/* Reads one line; the terminal of tools/run echoes what is typed. */
static void read_line(char *line, size_t size)
{
	size_t n = 0;
	for (;;) {
		int c = serial_getc_nonblock();
		if (c < 0) {
			cpu_halt(); /* the next tick wakes us to look again */
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (n == 0 && c == '\n')
				continue; /* the \n of a \r\n pair */
			break;
		}
		if ((c == '\b' || c == 0x7f) && n > 0)
			n--;
		else if (c >= ' ' && n + 1 < size)
			line[n++] = (char)c;
	}
	line[n] = 0;
}

enum monitor_result monitor_interactive(const char *why)
{
	char line[MONITOR_LINE_MAX];
	kprintf("memvisor: monitor (%s): type help, continue or quit\n", why);
	for (;;) {
		kprintf("memvisor> \n");
		read_line(line, sizeof(line));
		enum monitor_result r = monitor_command(line);
		if (r != MONITOR_STAY)
			return r;
	}
}
