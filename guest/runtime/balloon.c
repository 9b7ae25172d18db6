/* guest/runtime/balloon.c — the balloon driver (see balloon.h; ABI:
 * vmm/hypercall_abi.h §5). */
#include "balloon.h"
#include "console.h"
#include "frames.h"
#include "hypercall.h"
#include "paging.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/string.h"

#define BITS_PER_WORD 64

/* The batch: one page of gfns, in the image (gva == gpa), page-aligned as
 * the ABI wants. */
static uint64_t balloon_batch[HC_BALLOON_BATCH_MAX] __attribute__((aligned(PAGE_SIZE)));

static struct {
	bool on;
	bool refused;          /* memvisor refused: wait for a new target */
	bool inflating;        /* the direction of the last move          */
	uint64_t *bitmap;      /* bit gfn = 1: in the balloon             */
	uint64_t npages;       /* bits in it                              */
	uint64_t batch_gpa;
	uint64_t tsc_khz;
	uint64_t last_free;    /* free pages last reported                */
	uint64_t run_pages;    /* pages moved since the target changed    */
	uint64_t run_cycles;   /* TSC spent moving them                   */
	uint64_t run_hc_cycles; /* of which inside the hypercalls         */
	struct balloon_counts c;
} drv;

static bool bit_test(uint64_t g) { return drv.bitmap[g / BITS_PER_WORD] & BIT(g % BITS_PER_WORD); }
static void bit_flip(uint64_t g) { drv.bitmap[g / BITS_PER_WORD] ^= BIT(g % BITS_PER_WORD); }

static int64_t send(enum hypercall_number nr, uint64_t count)
{
	uint64_t t0 = rdtsc();
	int64_t rc = hc_call(nr, drv.batch_gpa, count, 0, 0);
	drv.run_hc_cycles += rdtsc() - t0;
	return rc;
}

static void note_refused(enum hypercall_number nr, uint64_t count, int64_t rc)
{
	drv.c.refused++;
	drv.refused = true;
	guest_printf("balloon: %s of %llu pages refused (%lld): waiting for a new target\n",
		     nr == HC_BALLOON_INFLATE ? "inflate" : "deflate", (unsigned long long)count, (long long)rc);
}

/* Reads each page of the batch: memvisor takes only pages that hold
 * contents (ABI §5), and a page never touched holds none until this read.
 * (A page memvisor compresses after the read is still taken.) */
static void touch_batch(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		(void)*(volatile uint64_t *)gpa_to_ptr(gfn_to_gpa((gfn_t){ balloon_batch[i] }));
}

/* Up to one batch of pages the guest can spare, into the balloon. */
static uint64_t inflate_batch(uint64_t want)
{
	uint64_t n = 0;
	gpa_t page;
	while (n < want && n < HC_BALLOON_BATCH_MAX && frame_count_free() > BALLOON_RESERVE_PAGES &&
	       !frame_alloc(&page))
		balloon_batch[n++] = gpa_to_gfn(page).raw;
	if (!n)
		return 0;
	touch_batch(n);
	int64_t rc = send(HC_BALLOON_INFLATE, n);
	if (rc < 0) {
		note_refused(HC_BALLOON_INFLATE, n, rc);
		for (uint64_t i = 0; i < n; i++)
			frame_free(gfn_to_gpa((gfn_t){ balloon_batch[i] }));
		return 0;
	}
	for (uint64_t i = 0; i < n; i++)
		bit_flip(balloon_batch[i]);
	drv.c.size += n;
	drv.c.inflated += n;
	return n;
}

/* Up to one batch of ballooned pages, back to frame_alloc(). */
static uint64_t deflate_batch(uint64_t want)
{
	uint64_t n = 0;
	want = MIN(MIN(want, drv.c.size), HC_BALLOON_BATCH_MAX);
	for (uint64_t g = 0; n < want && g < drv.npages; g++) {
		if (!drv.bitmap[g / BITS_PER_WORD])
			g |= BITS_PER_WORD - 1; /* a word with no ballooned page */
		else if (bit_test(g))
			balloon_batch[n++] = g;
	}
	int64_t rc = n ? send(HC_BALLOON_DEFLATE, n) : 0;
	if (rc < 0)
		note_refused(HC_BALLOON_DEFLATE, n, rc);
	if (rc <= 0)
		return 0;
	for (uint64_t i = 0; i < n; i++) {
		bit_flip(balloon_batch[i]);
		frame_free(gfn_to_gpa((gfn_t){ balloon_batch[i] }));
	}
	drv.c.size -= n;
	drv.c.deflated += n;
	return n;
}

static uint64_t on_shortage(void)
{
	uint64_t n = deflate_batch(BALLOON_OOM_PAGES);
	drv.c.oom_deflated += n;
	if (n)
		guest_printf("balloon: short of memory: took back %llu pages (balloon %llu, target %llu)\n",
			     (unsigned long long)n, (unsigned long long)drv.c.size, (unsigned long long)drv.c.target);
	return n;
}

int balloon_init(const struct guest_env *env)
{
	if (!env->hypervisor)
		return 0;
	drv.npages = env->memory_bytes / PAGE_SIZE;
	uint64_t bytes = ALIGN_UP(drv.npages, BITS_PER_WORD) / 8;
	for (uint64_t off = 0; off < bytes; off += PAGE_SIZE) {
		gpa_t frame;
		if (frame_alloc(&frame) || guest_map(gva_of(BALLOON_BITMAP_GVA + off), frame, PTE_WRITE))
			return -E_NO_MEMORY;
		memset(gpa_to_ptr(frame), 0, PAGE_SIZE);
	}
	gpa_t batch;
	guest_virt_to_phys(gva_of_ptr(balloon_batch), &batch);
	drv.bitmap = (uint64_t *)(uintptr_t)BALLOON_BITMAP_GVA;
	drv.batch_gpa = batch.raw;
	drv.tsc_khz = env->tsc_khz;
	drv.on = true;
	frame_set_shortage_handler(on_shortage);
	return 0;
}

/* One line when a move toward the target ends: the figure tools/bench reads. */
static void report_run(void)
{
	uint64_t us = drv.tsc_khz ? drv.run_cycles * 1000 / drv.tsc_khz : 0;
	uint64_t hc_us = drv.tsc_khz ? drv.run_hc_cycles * 1000 / drv.tsc_khz : 0;
	guest_printf("balloon: %s %llu pages in %llu us (%llu pages/s; hypercalls %llu us), balloon %llu, target %llu\n",
		     drv.inflating ? "inflated" : "deflated", (unsigned long long)drv.run_pages,
		     (unsigned long long)us, (unsigned long long)(us ? drv.run_pages * 1000000 / us : 0),
		     (unsigned long long)hc_us, (unsigned long long)drv.c.size, (unsigned long long)drv.c.target);
	drv.run_pages = drv.run_cycles = drv.run_hc_cycles = 0;
}

static void report_free(void)
{
	uint64_t free = frame_count_free();
	if (free != drv.last_free && hc_call(HC_BALLOON_STATS, free, frame_count_total(), 0, 0) == 0)
		drv.last_free = free;
}

void balloon_poll(void)
{
	if (!drv.on)
		return;
	drv.c.polls++;
	int64_t target = hc_call(HC_BALLOON_TARGET, 0, 0, 0, 0);
	if (target == -HC_E_NOSYS) {
		drv.on = false; /* a hypervisor without a balloon */
		return;
	}
	if (target >= 0 && (uint64_t)target != drv.c.target) {
		drv.c.target = (uint64_t)target;
		drv.refused = false;
	}
	uint64_t t0 = rdtsc(), moved = 0;
	for (unsigned b = 0; b < BALLOON_POLL_BATCHES && !drv.refused && drv.c.size != drv.c.target; b++) {
		drv.inflating = drv.c.size < drv.c.target;
		uint64_t n = drv.inflating ? inflate_batch(drv.c.target - drv.c.size)
					   : deflate_batch(drv.c.size - drv.c.target);
		moved += n;
		if (!n)
			break;
	}
	if (moved) {
		drv.run_cycles += rdtsc() - t0;
		drv.run_pages += moved;
	}
	/* Free memory first: it changed with the balloon, and the run's line
	 * takes many exits to print, during which memvisor may sample it. */
	report_free();
	if (drv.run_pages && balloon_settled())
		report_run();
}

bool balloon_settled(void)
{
	if (!drv.on || drv.refused || drv.c.size == drv.c.target)
		return true;
	return drv.c.size < drv.c.target && frame_count_free() <= BALLOON_RESERVE_PAGES;
}

void balloon_get_counts(struct balloon_counts *out)
{
	*out = drv.c;
}
