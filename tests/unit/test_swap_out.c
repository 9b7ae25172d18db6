/* tests/unit/test_swap_out.c — a PRIVATE page's way out to the swap disk
 * (vmm/swap/out.c, swap_out_gfn(); lab 7's exercise 7.1), hosted with
 * ASan/UBSan over a real PMAP. Everything else it calls is a fake that
 * checks, when it is called, that what must already have happened has:
 *   unmap    — a slot was taken first, and the truth still says PRIVATE;
 *   flush    — after the unmap, the truth still PRIVATE (a translation
 *              cached in the TLB outlives its entry until the flush: AMD
 *              APM Vol. 2 15.16.1, Intel SDM Vol. 3C 29.4.3.1);
 *   frame_table_remove_user — after the flush, the slot's owner recorded
 *              and the PMAP already SWAPPED to the slot: truth first;
 *   swap_cluster_add — all of that, the frame table's user gone, and the
 *              frame and slot the right ones; the frame must still be
 *              allocated: only the cluster frees it, after its write;
 *   vm_frame_free — never, here: the page is not on disk yet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/swap/swap.h"
#include "vmm/swap/internal.h"
#include "vmm/mm/frame_table.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/vm.h"
#include "kernel/errno.h"
#include "kernel/panic.h"

#define NPAGES 8
#define GFN 5
#define FRAME 300
#define SLOT 42

/* ---- what out.c uses from the rest of the kernel ---- */
struct frame_table frame_table;
static struct block_dev the_disk = { .name = "fake disk" };
struct block_dev *swap_device = &the_disk;

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fail_msg("panic at %s:%d: %s", file, line, text);
	abort();
}

/* What happened so far, in the order it happened. */
static struct {
	bool slot_asked, unmapped, flushed, owner, user_removed, added, freed;
	bool disk_full;
	unsigned calls; /* calls of the fakes that touch the page */
} seen;
static struct vm the_vm;
static pmap_entry_t pmap_store[NPAGES];

static const char *state_now(void)
{
	return pmap_state_name(pmap_entry_state(the_vm.pmap.entries[GFN]));
}

static void expect_private(const char *call, const char *why)
{
	pmap_entry_t e = the_vm.pmap.entries[GFN];
	if (pmap_entry_state(e) != PMAP_PRIVATE || pmap_entry_mfn(e).raw != FRAME)
		fail_msg("%s: expected the PMAP to say PRIVATE on frame %d still, saw %s: %s", call, FRAME,
			 state_now(), why);
}

static void expect_swapped(const char *call, const char *why)
{
	pmap_entry_t e = the_vm.pmap.entries[GFN];
	if (pmap_entry_state(e) != PMAP_SWAPPED || pmap_entry_slot(e) != SLOT)
		fail_msg("%s: expected the PMAP to say SWAPPED to slot %d already, saw %s: %s", call, SLOT,
			 state_now(), why);
}

static void expect(bool done, const char *call, const char *what)
{
	if (!done)
		fail_msg("%s was called before %s", call, what);
}

int swap_cluster_slot(uint64_t *slot)
{
	if (seen.slot_asked)
		fail_msg("swap_cluster_slot() called twice for one page: a slot of the cluster is lost");
	seen.slot_asked = true;
	if (seen.unmapped || seen.flushed)
		fail_msg("the gfn was unmapped before a slot was asked for: with no slot the page must be left "
			 "as it was");
	if (seen.disk_full)
		return -E_FULL;
	*slot = SLOT;
	return 0;
}

static int fake_unmap(struct vm *vm, gfn_t gfn)
{
	assert_ptr_equal(vm, &the_vm);
	assert_int_equal(gfn.raw, GFN);
	seen.calls++;
	expect(seen.slot_asked, "unmap", "a slot was asked for (swap_cluster_slot())");
	expect_private("unmap", "the truth names the disk while the guest can still reach the frame");
	seen.unmapped = true;
	return 0;
}

static void fake_flush(struct vm *vm)
{
	assert_ptr_equal(vm, &the_vm);
	seen.calls++;
	expect(seen.unmapped, "flush", "the unmap (a flush before it leaves the translation to be cached again)");
	expect_private("flush", "until the flush the guest may still write the frame through a cached "
		       "translation, after the truth said the page is on disk");
	seen.flushed = true;
}

static const struct backend fake_backend = { .name = "fake", .unmap = fake_unmap, .flush = fake_flush };
const struct backend *backend = &fake_backend;

void swap_slot_take(uint64_t slot, struct vm *vm, gfn_t gfn)
{
	assert_ptr_equal(vm, &the_vm);
	assert_int_equal(gfn.raw, GFN);
	seen.calls++;
	if (slot != SLOT)
		fail_msg("swap_slot_take(): expected slot %d (the cluster's), saw %llu", SLOT, (unsigned long long)slot);
	seen.owner = true;
}

int frame_table_remove_user(struct frame_table *ft, mfn_t frame, uint32_t vm_id, gfn_t gfn)
{
	assert_ptr_equal(ft, &frame_table);
	assert_int_equal(vm_id, the_vm.id);
	assert_int_equal(gfn.raw, GFN);
	seen.calls++;
	if (frame.raw != FRAME)
		fail_msg("frame_table_remove_user(): expected frame %d, saw %llu", FRAME, (unsigned long long)frame.raw);
	expect(seen.flushed, "frame_table_remove_user", "the unmap and flush");
	expect(seen.owner, "frame_table_remove_user", "the slot's owner was recorded (swap_slot_take())");
	expect_swapped("frame_table_remove_user", "the truth first, the frame table after");
	seen.user_removed = true;
	return 0; /* users left */
}

void swap_cluster_add(struct vm *vm, gfn_t gfn, mfn_t f, uint64_t slot, uint64_t ticks)
{
	(void)ticks;
	assert_ptr_equal(vm, &the_vm);
	assert_int_equal(gfn.raw, GFN);
	seen.calls++;
	if (f.raw != FRAME || slot != SLOT)
		fail_msg("swap_cluster_add(): expected frame %d and slot %d, saw frame %llu and slot %llu", FRAME,
			 SLOT, (unsigned long long)f.raw, (unsigned long long)slot);
	if (seen.freed)
		fail_msg("swap_cluster_add(): frame %d was freed already, before the cluster wrote it: the page "
			 "is lost", FRAME);
	expect(seen.flushed, "swap_cluster_add", "the unmap and flush");
	expect(seen.owner, "swap_cluster_add", "the slot's owner was recorded (swap_slot_take())");
	expect(seen.user_removed, "swap_cluster_add", "the frame table's user was dropped");
	expect_swapped("swap_cluster_add", "every reader of a SWAPPED gfn writes the cluster out first");
	seen.added = true;
}

void vm_frame_free(mfn_t f)
{
	seen.calls++;
	seen.freed = true;
	fail_msg("vm_frame_free(frame %llu) in the swap-out: the page is not on disk yet (the cluster frees "
		 "the frame after its write)", (unsigned long long)f.raw);
}

static int setup(void **state)
{
	(void)state;
	memset(&the_vm, 0, sizeof(the_vm));
	memset(&seen, 0, sizeof(seen));
	the_vm.id = 1;
	swap_device = &the_disk;
	pmap_init(&the_vm.pmap, pmap_store, NPAGES);
	assert_int_equal(pmap_set_private(&the_vm.pmap, (gfn_t){ GFN }, (mfn_t){ FRAME }), 0);
	return 0;
}

/* ---- the tests ---- */

static void test_the_page_goes_out_in_order(void **state)
{
	(void)state;
	int rc = swap_out_gfn(&the_vm, (gfn_t){ GFN });
	if (rc)
		fail_msg("swap_out_gfn(): expected 0, saw %d", rc);
	expect(seen.added, "the end of swap_out_gfn()", "the page was handed to the cluster (swap_cluster_add())");
	expect_swapped("after swap_out_gfn()", "the gfn is SWAPPED from the moment it joins the cluster");
}

static void test_the_frame_is_not_freed_before_the_write(void **state)
{
	(void)state;
	assert_int_equal(swap_out_gfn(&the_vm, (gfn_t){ GFN }), 0);
	assert_false(seen.freed);
	assert_true(seen.added);
}

static void test_the_guest_loses_the_frame_before_the_truth_changes(void **state)
{
	(void)state;
	assert_int_equal(swap_out_gfn(&the_vm, (gfn_t){ GFN }), 0);
	expect(seen.unmapped, "the end of swap_out_gfn()", "an unmap");
	expect(seen.flushed, "the end of swap_out_gfn()", "a flush");
}

static void test_a_full_disk_leaves_the_page_untouched(void **state)
{
	(void)state;
	seen.disk_full = true;
	int rc = swap_out_gfn(&the_vm, (gfn_t){ GFN });
	if (rc != -E_FULL)
		fail_msg("swap_out_gfn() with no slot: expected -E_FULL (%d), saw %d", -E_FULL, rc);
	if (seen.calls)
		fail_msg("swap_out_gfn() with no slot: expected nothing touched, saw %u calls (unmapped %d, flushed "
			 "%d, owner %d, user removed %d, added %d)", seen.calls, seen.unmapped, seen.flushed,
			 seen.owner, seen.user_removed, seen.added);
	expect_private("after swap_out_gfn() with no slot", "the page must stay where it was");
}

static void test_no_swap_device_is_full(void **state)
{
	(void)state;
	swap_device = NULL;
	int rc = swap_out_gfn(&the_vm, (gfn_t){ GFN });
	if (rc != -E_FULL)
		fail_msg("swap_out_gfn() with no swap disk: expected -E_FULL (%d), saw %d", -E_FULL, rc);
	if (seen.calls)
		fail_msg("swap_out_gfn() with no swap disk: expected nothing touched, saw %u calls", seen.calls);
	expect_private("after swap_out_gfn() with no disk", "the page must stay where it was");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_the_page_goes_out_in_order, setup),
		cmocka_unit_test_setup(test_the_frame_is_not_freed_before_the_write, setup),
		cmocka_unit_test_setup(test_the_guest_loses_the_frame_before_the_truth_changes, setup),
		cmocka_unit_test_setup(test_a_full_disk_leaves_the_page_untouched, setup),
		cmocka_unit_test_setup(test_no_swap_device_is_full, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
