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
static uint64_t page_buf[PAGE_SIZE / sizeof(uint64_t)] __attribute__((aligned(PAGE_SIZE)));

/* Page i's contents: random, so the figure is the same for any disk. */
static void fill(uint64_t i)
{
	uint64_t s = BENCH_SEED ^ (i << 20);
	for (size_t w = 0; w < ARRAY_SIZE(page_buf); w++)
		page_buf[w] = splitmix64_next(&s);
}

static bool matches(uint64_t i)
{
	uint64_t s = BENCH_SEED ^ (i << 20);
	for (size_t w = 0; w < ARRAY_SIZE(page_buf); w++)
		if (page_buf[w] != splitmix64_next(&s))
			return false;
	return true;
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
	for (uint64_t i = 0; i < n; i++) {
		fill(i);
		uint64_t start = rdtsc();
		/* Slot i lies after the header page, as in swap.c. */
		if (block_write_page(dev, (i + 1) * BLOCK_SECTORS_PER_PAGE, page_buf))
			panic("swap bench: %s: writing slot %llu failed", dev->name, (unsigned long long)i);
		ticks += rdtsc() - start;
	}
	print_rate("write", n, ticks);
	ticks = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t start = rdtsc();
		if (block_read_page(dev, (i + 1) * BLOCK_SECTORS_PER_PAGE, page_buf))
			panic("swap bench: %s: reading slot %llu failed", dev->name, (unsigned long long)i);
		ticks += rdtsc() - start;
		if (!matches(i))
			panic("swap bench: %s: slot %llu read back different from what was written", dev->name,
			      (unsigned long long)i);
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
