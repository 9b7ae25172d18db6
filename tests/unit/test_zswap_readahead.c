/* tests/unit/test_zswap_readahead.c — swap-in readahead (vmm/zswap/readahead.c,
 * zswap_readahead(); docs/labs/5-zswap.md, Exercise 5.3), hosted with
 * ASan/UBSan over a real PMAP. Every test checks behaviour, never how the
 * code is written: which gfns come back, in which order, how many per
 * fault, what stops a window, and the count. The rest of memvisor is fake
 * here: zswap_swap_in() makes a COMPRESSED gfn PRIVATE on a frame and
 * takes one free frame (or fails where a test says), backend->map records
 * the mapping, guest_frames_free_count() and vm_memory_at_limit() read
 * counters the tests set. A "fault" does what vm_memory_fault() does
 * (vmm/mm/memory.c): the page is made resident, then zswap_readahead(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/zswap/zswap.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/mm/memory.h"
#include "vmm/vm.h"
#include "kernel/errno.h"

#define NPAGES 128
/* The specification's numbers (readahead.c, docs/design.md "A frame's
 * life", step 5): the largest window, and the free frames never taken. */
#define READAHEAD_MAX 8
#define READAHEAD_KEEP_FREE 8
#define MFN_BASE 1000
#define PLENTY 1000000

static struct vm the_vm;
static pmap_entry_t pmap_store[NPAGES];

/* What readahead did during the last fault, in order. */
static uint64_t swapped_in[NPAGES], mapped[NPAGES];
static unsigned nswapped, nmapped;
static uint64_t free_frames; /* what guest_frames_free_count() says */
static uint64_t charged, limit; /* vm_memory_at_limit(): charged >= limit */
static uint64_t failing_gfn;    /* zswap_swap_in() fails on it */
static int failing_rc;

static enum pmap_state state_of(uint64_t g)
{
	return pmap_entry_state(the_vm.pmap.entries[g]);
}

int zswap_swap_in(struct vm *vm, gfn_t gfn, mfn_t *out)
{
	assert_ptr_equal(vm, &the_vm);
	if (gfn.raw >= NPAGES)
		fail_msg("zswap_swap_in(gfn %llu): past the VM's last gfn %d", (unsigned long long)gfn.raw, NPAGES - 1);
	if (state_of(gfn.raw) != PMAP_COMPRESSED)
		fail_msg("zswap_swap_in(gfn %llu) although it is %s: only COMPRESSED pages come back",
			 (unsigned long long)gfn.raw, pmap_state_name(state_of(gfn.raw)));
	swapped_in[nswapped++] = gfn.raw;
	if (gfn.raw == failing_gfn)
		return failing_rc; /* as zswap.c: the page stays COMPRESSED */
	if (!free_frames)
		fail_msg("zswap_swap_in(gfn %llu) with no free frame", (unsigned long long)gfn.raw);
	free_frames--;
	charged++;
	*out = (mfn_t){ MFN_BASE + gfn.raw };
	assert_int_equal(pmap_set_private(&vm->pmap, gfn, *out), 0);
	vm->zswap.swapins++;
	return 0;
}

static int fake_map(struct vm *vm, gfn_t gfn, mfn_t mfn, unsigned prot)
{
	assert_ptr_equal(vm, &the_vm);
	if (gfn.raw >= NPAGES || state_of(gfn.raw) != PMAP_PRIVATE ||
	    pmap_entry_mfn(vm->pmap.entries[gfn.raw]).raw != mfn.raw)
		fail_msg("backend->map(gfn %llu, mfn %llu): expected only a gfn zswap_swap_in() just made "
			 "PRIVATE, on the frame it gave", (unsigned long long)gfn.raw, (unsigned long long)mfn.raw);
	if (prot != NPT_RWX)
		fail_msg("backend->map(gfn %llu) with prot %#x, expected NPT_RWX (%#x)", (unsigned long long)gfn.raw,
			 prot, NPT_RWX);
	if (!nswapped || swapped_in[nswapped - 1] != gfn.raw)
		fail_msg("backend->map(gfn %llu) not right after its zswap_swap_in()", (unsigned long long)gfn.raw);
	mapped[nmapped++] = gfn.raw;
	return 0;
}

static const struct backend fake_backend = { .name = "fake", .map = fake_map };
const struct backend *backend = &fake_backend;

uint64_t guest_frames_free_count(void)
{
	return free_frames;
}

bool vm_memory_at_limit(const struct vm *vm)
{
	assert_ptr_equal(vm, &the_vm);
	return charged >= limit;
}

static int setup(void **state)
{
	(void)state;
	memset(&the_vm, 0, sizeof(the_vm));
	the_vm.id = 1;
	pmap_init(&the_vm.pmap, pmap_store, NPAGES);
	for (uint64_t g = 0; g < NPAGES; g++) { /* all compressed: touched, then taken by the clock */
		assert_int_equal(pmap_set_private(&the_vm.pmap, (gfn_t){ g }, (mfn_t){ MFN_BASE + g }), 0);
		assert_int_equal(pmap_set_compressed(&the_vm.pmap, (gfn_t){ g }, 1 + g), 0);
	}
	free_frames = PLENTY;
	charged = 0;
	limit = PLENTY;
	failing_gfn = UINT64_MAX;
	failing_rc = 0;
	return 0;
}

/* The guest touches g: made resident as the fault path does, then readahead. */
static void fault(uint64_t g)
{
	nswapped = nmapped = 0;
	if (state_of(g) == PMAP_COMPRESSED)
		assert_int_equal(pmap_set_private(&the_vm.pmap, (gfn_t){ g }, (mfn_t){ MFN_BASE + g }), 0);
	zswap_readahead(&the_vm, (gfn_t){ g });
}

/* The last fault brought back and mapped exactly want[0..n), in that order. */
static void expect_brought(uint64_t g, const uint64_t *want, unsigned n)
{
	bool same = nmapped == n;
	for (unsigned i = 0; same && i < n; i++)
		same = mapped[i] == want[i];
	if (same)
		return;
	char w[512] = "", s[512] = "";
	for (unsigned i = 0; i < n; i++)
		snprintf(w + strlen(w), sizeof(w) - strlen(w), " %llu", (unsigned long long)want[i]);
	for (unsigned i = 0; i < nmapped; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), " %llu", (unsigned long long)mapped[i]);
	fail_msg("the fault on gfn %llu: expected gfns [%s ] brought back and mapped, in that order; saw [%s ]",
		 (unsigned long long)g, w, s);
}

/* The last fault brought back the n gfns from `first` on, going `step`. */
static void expect_run(uint64_t g, uint64_t first, int step, unsigned n)
{
	uint64_t want[NPAGES];
	for (unsigned i = 0; i < n; i++)
		want[i] = first + (uint64_t)((int64_t)step * i);
	expect_brought(g, want, n);
}

static void expect_count(uint64_t want)
{
	if (the_vm.zswap.readahead != want)
		fail_msg("vm->zswap.readahead: expected %llu (pages brought back and mapped ahead of a fault), saw %llu",
			 (unsigned long long)want, (unsigned long long)the_vm.zswap.readahead);
}

static void expect_compressed(uint64_t g)
{
	if (state_of(g) != PMAP_COMPRESSED)
		fail_msg("gfn %llu: expected it left COMPRESSED, it is %s", (unsigned long long)g,
			 pmap_state_name(state_of(g)));
}

/* One fault is no stream; the second on the next gfn up is, and brings the
 * two pages after it back. */
static void test_two_faults_up_read_the_next_two_pages(void **state)
{
	(void)state;
	fault(10);
	expect_brought(10, NULL, 0);
	fault(11);
	expect_run(11, 12, +1, 2);
	expect_count(2);
	expect_compressed(14);
}

/* The window doubles while the stream goes on (the guest's next fault is
 * just past the pages read ahead), up to READAHEAD_MAX and no further. */
static void test_the_window_doubles_up_to_its_largest(void **state)
{
	(void)state;
	const unsigned windows[] = { 2, 4, 8, 8, 8, 8 };
	uint64_t g = 20, total = 0;
	fault(g++);
	for (unsigned i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		fault(g);
		if (nmapped != windows[i])
			fail_msg("fault %u of a stream up (gfn %llu): expected a window of %u pages, saw %u",
				 i + 2, (unsigned long long)g, windows[i], nmapped);
		expect_run(g, g + 1, +1, windows[i]);
		total += windows[i];
		g += windows[i] + 1;
	}
	expect_count(total);
}

/* Down works as up: the pages below the fault, in descending order. */
static void test_a_stream_down_reads_the_pages_below(void **state)
{
	(void)state;
	fault(100);
	fault(99);
	expect_run(99, 98, -1, 2);
	fault(96);
	expect_run(96, 95, -1, 4);
	fault(91);
	expect_run(91, 90, -1, 8);
	fault(82);
	expect_run(82, 81, -1, 8);
	expect_count(22);
}

/* A fault anywhere else ends the stream: nothing read ahead for it, and
 * the next stream starts again at a window of 2. */
static void test_a_jump_ends_the_stream(void **state)
{
	(void)state;
	fault(10);
	fault(11);
	fault(14);
	expect_run(14, 15, +1, 4);
	fault(60); /* not 19: a jump */
	expect_brought(60, NULL, 0);
	fault(19); /* where the old stream was going: it has ended */
	expect_brought(19, NULL, 0);
	fault(61); /* not consecutive to 19 */
	expect_brought(61, NULL, 0);
	fault(62); /* 61, 62: a new stream */
	expect_run(62, 63, +1, 2);
	fault(62); /* the same gfn again is no stream either way */
	expect_brought(62, NULL, 0);
	expect_count(8);
}

/* A window ends at the first page that is not COMPRESSED: a resident,
 * shared, swapped or ballooned page is not read ahead, nor anything after
 * it in that window. */
static void test_a_window_stops_at_the_first_page_not_compressed(void **state)
{
	(void)state;
	assert_int_equal(pmap_set_private(&the_vm.pmap, (gfn_t){ 13 }, (mfn_t){ 7 }), 0);
	fault(10);
	fault(11);
	expect_run(11, 12, +1, 1);
	expect_compressed(14);

	assert_int_equal(pmap_set_swapped(&the_vm.pmap, (gfn_t){ 48 }, 5), 0);
	fault(50);
	fault(49);
	expect_brought(49, NULL, 0);
	expect_compressed(47);

	assert_int_equal(pmap_set_ballooned(&the_vm.pmap, (gfn_t){ 75 }), 0);
	fault(70);
	fault(71);
	fault(74);
	expect_run(74, 72, +1, 0); /* 72, 73 came with 71 */
	expect_compressed(76);
	expect_count(3);
}

/* Readahead never takes the last READAHEAD_KEEP_FREE free frames; the page
 * it left is where the guest faults next, and that fault goes on with the
 * stream. */
static void test_the_last_free_frames_are_never_taken(void **state)
{
	(void)state;
	free_frames = READAHEAD_KEEP_FREE + 1;
	fault(10);
	fault(11);
	expect_run(11, 12, +1, 1);
	expect_compressed(13);
	if (free_frames != READAHEAD_KEEP_FREE)
		fail_msg("expected %d frames left free, saw %llu", READAHEAD_KEEP_FREE, (unsigned long long)free_frames);
	free_frames = PLENTY;
	fault(13);
	if (nmapped < 2)
		fail_msg("the fault on gfn 13 (the page the window left for want of frames) continues the stream: "
			 "expected at least 2 pages read ahead, saw %u", nmapped);
	expect_run(13, 14, +1, nmapped);
	uint64_t count = 1 + nmapped;
	free_frames = READAHEAD_KEEP_FREE;
	fault(30);
	fault(31);
	expect_brought(31, NULL, 0);
	expect_count(count);
}

/* Readahead never takes a VM past its limit. */
static void test_a_vm_at_its_limit_reads_nothing_ahead(void **state)
{
	(void)state;
	limit = 3;
	fault(10);
	fault(11);
	expect_run(11, 12, +1, 2);
	fault(14);
	expect_run(14, 15, +1, 1);
	expect_compressed(16);
	fault(40);
	fault(41);
	expect_brought(41, NULL, 0);
	expect_count(3);
}

/* A swap-in that fails (no frame, or a damaged page: the VM is stopped)
 * ends the window: that page is not mapped or counted, and nothing after
 * it is tried. */
static void test_a_failed_swap_in_ends_the_window(void **state)
{
	(void)state;
	failing_gfn = 17;
	failing_rc = -E_CORRUPT;
	fault(10);
	fault(11);
	fault(14);
	expect_run(14, 15, +1, 2);
	if (nswapped != 3 || swapped_in[2] != 17)
		fail_msg("expected gfns 15, 16, then 17 (which fails) tried and nothing after it; saw %u tried", nswapped);
	expect_compressed(17);
	expect_compressed(18);
	expect_count(4);
}

/* The ends of the guest: a stream down stops at gfn 0, one up at the last
 * gfn; neither wraps around. */
static void test_a_stream_stops_at_the_ends_of_the_guest(void **state)
{
	(void)state;
	fault(2);
	fault(1);
	expect_run(1, 0, -1, 1);
	fault(NPAGES - 3);
	fault(NPAGES - 2);
	expect_run(NPAGES - 2, NPAGES - 1, +1, 1);
	expect_count(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_two_faults_up_read_the_next_two_pages, setup),
		cmocka_unit_test_setup(test_the_window_doubles_up_to_its_largest, setup),
		cmocka_unit_test_setup(test_a_stream_down_reads_the_pages_below, setup),
		cmocka_unit_test_setup(test_a_jump_ends_the_stream, setup),
		cmocka_unit_test_setup(test_a_window_stops_at_the_first_page_not_compressed, setup),
		cmocka_unit_test_setup(test_the_last_free_frames_are_never_taken, setup),
		cmocka_unit_test_setup(test_a_vm_at_its_limit_reads_nothing_ahead, setup),
		cmocka_unit_test_setup(test_a_failed_swap_in_ends_the_window, setup),
		cmocka_unit_test_setup(test_a_stream_stops_at_the_ends_of_the_guest, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
