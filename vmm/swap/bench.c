/* vmm/swap/bench.c — swap_bench=N (see bench.h). Only ever on the swap
 * device, i.e. a disk that carries memvisor's header (swap_init() found
 * it), and only in its slots, before any page is swapped: nothing but the
 * slots area is written, and it holds nothing yet. */
#include "vmm/swap/bench.h"
#include "kernel/io.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/random.h"
#include "kernel/timer.h"

#define BENCH_SEED 0x5eed5a9e

struct op_time {
	uint64_t count, ticks;
};

static struct op_time outs, ins;
/* One request's pages: the raw rate is measured with requests as large
 * as the clusters swap-outs are written in (BLOCK_REQUEST_PAGES), so that
 * the swap-out target compares like with like. */
static uint64_t bufs[BLOCK_REQUEST_PAGES][PAGE_SIZE / sizeof(uint64_t)] __attribute__((aligned(PAGE_SIZE)));

/* Page i's contents: random, so the figure is the same for any disk. */
static void fill(uint64_t *page, uint64_t i)
{
	uint64_t s = BENCH_SEED ^ (i << 20);
	for (size_t w = 0; w < PAGE_SIZE / sizeof(uint64_t); w++)
		page[w] = splitmix64_next(&s);
}

static bool matches(const uint64_t *page, uint64_t i)
{
	uint64_t s = BENCH_SEED ^ (i << 20);
	for (size_t w = 0; w < PAGE_SIZE / sizeof(uint64_t); w++)
		if (page[w] != splitmix64_next(&s))
			return false;
	return true;
}

/* Pages first .. first + n - 1 (n <= BLOCK_REQUEST_PAGES) to or from
 * their slots in one request; its time in TSC ticks. Slot i lies after
 * the header page, as in swap.c. */
static uint64_t transfer(struct block_dev *dev, bool write, uint64_t first, unsigned n)
{
	struct block_request r = { .write = write, .sector = (first + 1) * BLOCK_SECTORS_PER_PAGE, .pages = n };
	for (unsigned k = 0; k < n; k++)
		r.page[k] = bufs[k];
	uint64_t start = rdtsc();
	if (block_rw(dev, &r))
		panic("swap bench: %s: %s slots %llu..%llu failed", dev->name, write ? "writing" : "reading",
		      (unsigned long long)first, (unsigned long long)(first + n - 1));
	return rdtsc() - start;
}

/* KB per ms = MB per s (decimal); whole MB/s and two decimals. */
static void print_rate(const char *what, uint64_t pages, uint64_t ticks)
{
	uint64_t us = ticks * 1000 / tsc_khz();
	uint64_t centi_mbs = us ? pages * PAGE_SIZE * 100 / us : 0;
	kprintf("memvisor: swap bench: raw %s %llu pages in %llu us: %llu.%02llu MB/s, %llu pages/s\n", what,
		(unsigned long long)pages, (unsigned long long)us, (unsigned long long)(centi_mbs / 100),
		(unsigned long long)(centi_mbs % 100), (unsigned long long)(us ? pages * 1000000 / us : 0));
}

void swap_bench_raw(struct block_dev *dev, uint64_t slot_count)
{
	uint64_t n = options.swap_bench;
	if (n > slot_count)
		options_error("swap_bench", "more pages than the swap disk has slots");
	uint64_t ticks = 0;
	for (uint64_t i = 0; i < n; i += BLOCK_REQUEST_PAGES) {
		unsigned len = (unsigned)MIN(n - i, (uint64_t)BLOCK_REQUEST_PAGES);
		for (unsigned k = 0; k < len; k++)
			fill(bufs[k], i + k);
		ticks += transfer(dev, true, i, len);
	}
	print_rate("write", n, ticks);
	ticks = 0;
	for (uint64_t i = 0; i < n; i += BLOCK_REQUEST_PAGES) {
		unsigned len = (unsigned)MIN(n - i, (uint64_t)BLOCK_REQUEST_PAGES);
		ticks += transfer(dev, false, i, len);
		for (unsigned k = 0; k < len; k++)
			if (!matches(bufs[k], i + k))
				panic("swap bench: %s: slot %llu read back different from what was written", dev->name,
				      (unsigned long long)(i + k));
	}
	print_rate("read", n, ticks);
}

void swap_bench_count_out(uint64_t ticks)
{
	outs.count++;
	outs.ticks += ticks;
}

void swap_bench_count_in(uint64_t ticks)
{
	ins.count++;
	ins.ticks += ticks;
}

static void print_ops(const char *what, const struct op_time *t)
{
	uint64_t us = t->ticks * 1000 / tsc_khz();
	kprintf("memvisor: swap bench: %llu %s in %llu us: %llu pages/s\n", (unsigned long long)t->count, what,
		(unsigned long long)us, (unsigned long long)(us ? t->count * 1000000 / us : 0));
}

void swap_bench_print(void)
{
	if (!options.swap_bench)
		return;
	print_ops("swap-outs", &outs);
	print_ops("swap-ins", &ins);
}
