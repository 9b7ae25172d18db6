/* tests/unit/test_zswap_clock.c — the victim hand of the compression clock
 * (vmm/zswap/clock.c, zswap_compress_victims() on its default clock),
 * hosted with ASan/UBSan over a real PMAP. The backend's accessed/dirty
 * bits and zswap_compress_gfn() are fakes here: the bits are an array that
 * each read clears (as test_and_clear_ad does, AMD APM Vol. 2 15.25.6,
 * Intel SDM Vol. 3C 29.3.5), and a "compression" makes the gfn COMPRESSED
 * and records it as a victim. The fakes check at each call what the clock
 * must already know: bits are read only for PRIVATE pages not found
 * incompressible (reading clears them: the dirty bit is what lets the
 * aging hand try such a page again), and only such pages are compressed.
 * The outlets (sharing first, the disk for a refused page) are fakes too,
 * and so is zswap_map_back(): a refused victim nobody took is mapped back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/zswap/zswap.h"
#include "vmm/vm.h"
#include "kernel/errno.h"
#include "kernel/options.h"

#define NPAGES 16
/* The age byte's layout (vmm/zswap/clock.c): bit 7 "found incompressible",
 * bits 0-6 the aging sweeps in a row that found the page not accessed. */
#define INCOMPRESSIBLE 0x80u
#define IDLE_MASK 0x7fu

/* ---- what clock.c uses from the rest of the kernel ---- */
struct vm vms[VM_MAX];
uint32_t vm_count;
struct options options;

void options_error(const char *name, const char *message)
{
	fail_msg("options_error(%s, %s)", name, message);
	abort();
}

bool zswap_enabled(void)
{
	return true;
}

static int ad_bits[NPAGES];     /* NPT_ACCESSED | NPT_DIRTY, or -E_NOT_SUPPORTED for all */
static bool no_ad_support;
static uint64_t victims[NPAGES * 2];
static unsigned nvictims;

static struct vm *the_vm(void)
{
	return &vms[0];
}

static bool chooseable(uint64_t g)
{
	return pmap_entry_state(the_vm()->pmap.entries[g]) == PMAP_PRIVATE &&
	       !(the_vm()->zswap.age[g] & INCOMPRESSIBLE);
}

static int fake_test_and_clear_ad(struct vm *vm, gfn_t gfn)
{
	assert_ptr_equal(vm, the_vm());
	assert_true(gfn.raw < NPAGES);
	if (!chooseable(gfn.raw))
		fail_msg("gfn %llu is %s%s, yet its accessed/dirty bits were read (and so cleared): look at the "
			 "PMAP state and the incompressible bit before the bits", (unsigned long long)gfn.raw,
			 pmap_state_name(pmap_entry_state(vm->pmap.entries[gfn.raw])),
			 vm->zswap.age[gfn.raw] & INCOMPRESSIBLE ? ", found incompressible" : "");
	if (no_ad_support)
		return -E_NOT_SUPPORTED;
	int bits = ad_bits[gfn.raw];
	ad_bits[gfn.raw] = 0;
	return bits;
}

static const struct backend fake_backend = { .name = "fake", .test_and_clear_ad = fake_test_and_clear_ad };
const struct backend *backend = &fake_backend;

static enum zswap_outcome outcome[NPAGES]; /* what compressing each gfn gives (0: STORED) */
static bool mapped_back[NPAGES];

enum zswap_outcome zswap_compress_gfn(struct vm *vm, gfn_t gfn)
{
	assert_ptr_equal(vm, the_vm());
	if (!chooseable(gfn.raw))
		fail_msg("gfn %llu was chosen as a victim although it is %s%s", (unsigned long long)gfn.raw,
			 pmap_state_name(pmap_entry_state(vm->pmap.entries[gfn.raw])),
			 vm->zswap.age[gfn.raw] & INCOMPRESSIBLE ? " and found incompressible" : "");
	victims[nvictims++] = gfn.raw;
	if (outcome[gfn.raw] != ZSWAP_STORED)
		return outcome[gfn.raw]; /* refused: the page stays PRIVATE */
	assert_int_equal(pmap_set_compressed(&vm->pmap, gfn, 1 + gfn.raw), 0);
	return ZSWAP_STORED;
}

void zswap_map_back(struct vm *vm, gfn_t gfn)
{
	if (pmap_entry_state(vm->pmap.entries[gfn.raw]) != PMAP_PRIVATE)
		fail_msg("gfn %llu was mapped back although it is %s now", (unsigned long long)gfn.raw,
			 pmap_state_name(pmap_entry_state(vm->pmap.entries[gfn.raw])));
	mapped_back[gfn.raw] = true;
}

/* The outlets: sharing merges the gfns marked in `twin`; the disk takes
 * every page while `disk_room`. */
static bool twin[NPAGES], disk_room;
static unsigned shared_calls;

static int fake_share(struct vm *vm, gfn_t gfn)
{
	shared_calls++;
	if (!chooseable(gfn.raw))
		fail_msg("gfn %llu was offered to sharing although it is not a victim the clock may take",
			 (unsigned long long)gfn.raw);
	if (!twin[gfn.raw])
		return -E_AGAIN;
	assert_int_equal(pmap_set_shared(&vm->pmap, gfn, (mfn_t){ 500 }), 0);
	return 0;
}

static int fake_spill(struct vm *vm, gfn_t gfn)
{
	if (!disk_room)
		return -E_NO_MEMORY;
	assert_int_equal(pmap_set_swapped(&vm->pmap, gfn, 1 + gfn.raw), 0);
	return 0;
}

/* ---- the VM ---- */
static pmap_entry_t pmap_store[NPAGES];
static uint8_t ages[NPAGES];

static int setup(void **state)
{
	(void)state;
	struct vm *vm = the_vm();
	memset(vm, 0, sizeof(*vm));
	vm->id = 1;
	vm_count = 1;
	pmap_init(&vm->pmap, pmap_store, NPAGES);
	vm->zswap.age = ages;
	memset(ages, 0, sizeof(ages));
	memset(ad_bits, 0, sizeof(ad_bits));
	no_ad_support = false;
	nvictims = 0;
	memset(outcome, 0, sizeof(outcome));
	memset(mapped_back, 0, sizeof(mapped_back));
	memset(twin, 0, sizeof(twin));
	disk_room = false;
	shared_calls = 0;
	strcpy(options.swap_victims, "clock");
	for (uint64_t g = 0; g < NPAGES; g++)
		assert_int_equal(pmap_set_private(&vm->pmap, (gfn_t){ g }, (mfn_t){ 100 + g }), 0);
	return 0;
}

/* One zswap_compress_victims() for `count` through `out`; its report. */
static struct zswap_report take_through(uint64_t count, const struct zswap_outlets *out)
{
	struct zswap_report r;
	nvictims = 0;
	assert_int_equal(zswap_compress_victims(the_vm(), count, out, &r), 0);
	assert_int_equal(r.victims, nvictims + r.shared);
	return r;
}

static struct zswap_report take(uint64_t count)
{
	return take_through(count, NULL);
}

static void assert_victims(const uint64_t *expected, unsigned n)
{
	if (nvictims != n)
		fail_msg("expected %u victims, saw %u (the first: gfn %llu)", n, nvictims,
			 nvictims ? (unsigned long long)victims[0] : 0ull);
	for (unsigned i = 0; i < n; i++)
		if (victims[i] != expected[i])
			fail_msg("victim %u: expected gfn %llu, saw gfn %llu", i, (unsigned long long)expected[i],
				 (unsigned long long)victims[i]);
}

/* ---- the tests ---- */

/* The cold lap takes a page only when it was idle for a whole sweep (its
 * idle count) and not accessed since (its bit); the others are passed
 * over and counted. Too few cold pages: the next lap takes any, and
 * compress_victim() counts those as hot (once each). */
static void test_the_cold_lap_takes_idle_pages_not_accessed(void **state)
{
	(void)state;
	ages[9] = 1;
	ages[12] = 3;
	ad_bits[12] = NPT_ACCESSED;
	struct zswap_report r = take(2);
	assert_victims((const uint64_t[]){ 9, 0 }, 2); /* 9 cold; 0 from the second lap */
	assert_int_equal(r.passed_over, NPAGES - 1);
	assert_int_equal(r.hot, 1);
}

/* A page found accessed is in use: reading the bit cleared it, so the
 * victim hand must record the use (idle count 0), or its next lap takes
 * the page as cold although the guest just used it. */
static void test_an_accessed_page_stays_in_use_after_its_bit_is_read(void **state)
{
	(void)state;
	for (uint64_t g = 0; g < NPAGES; g++)
		ages[g] = 5; /* idle for five sweeps ... */
	for (uint64_t g = 0; g < NPAGES; g++)
		ad_bits[g] = NPT_ACCESSED; /* ... but all used since the last */
	struct zswap_report r = take(1);
	assert_victims((const uint64_t[]){ 0 }, 1); /* nothing cold: the second lap takes gfn 0 */
	assert_int_equal(r.hot, 1);
	r = take(1); /* the bits are clear now; the use they showed is not forgotten */
	assert_victims((const uint64_t[]){ 1 }, 1);
	if (r.hot != 1)
		fail_msg("the cold lap took gfn %llu, accessed since the last sweep (its bit was read on the lap "
			 "before): expected hot 1, saw %llu", (unsigned long long)victims[0], (unsigned long long)r.hot);
	for (uint64_t g = 2; g < NPAGES; g++)
		if (ages[g] & IDLE_MASK)
			fail_msg("gfn %llu: its idle count is %u after its accessed bit was read", (unsigned long long)g,
				 ages[g] & IDLE_MASK);
}

/* Neither lap takes a page that is not PRIVATE or was found
 * incompressible, and neither reads such a page's bits (the fakes fail
 * at the call). */
static void test_incompressible_and_non_private_pages_are_never_touched(void **state)
{
	(void)state;
	struct vm *vm = the_vm();
	assert_int_equal(pmap_set_shared(&vm->pmap, (gfn_t){ 2 }, (mfn_t){ 102 }), 0);
	assert_int_equal(pmap_set_ballooned(&vm->pmap, (gfn_t){ 3 }), 0);
	assert_int_equal(pmap_set_compressed(&vm->pmap, (gfn_t){ 4 }, 77), 0);
	for (uint64_t g = 5; g < 9; g++) {
		ages[g] = INCOMPRESSIBLE | 4; /* idle, but found incompressible ... */
		ad_bits[g] = NPT_DIRTY;       /* ... and written since: the aging hand's to see */
	}
	ages[10] = 2;
	struct zswap_report r = take(NPAGES);
	/* The cold lap takes 10; the second lap every other chooseable page. */
	assert_victims((const uint64_t[]){ 10, 0, 1, 9, 11, 12, 13, 14, 15 }, 9);
	assert_int_equal(r.hot, 8);
	for (uint64_t g = 5; g < 9; g++)
		if (ad_bits[g] != NPT_DIRTY)
			fail_msg("gfn %llu was found incompressible, yet its dirty bit is gone", (unsigned long long)g);
}

/* Without accessed bits (EPT without A/D) the clock cannot tell used from
 * idle: the first lap takes every chooseable page in order. */
static void test_without_accessed_bits_pages_go_in_order(void **state)
{
	(void)state;
	no_ad_support = true;
	the_vm()->zswap.no_accessed_bits = true; /* as the aging hand's first read found */
	ages[6] = INCOMPRESSIBLE;
	struct zswap_report r = take(8);
	assert_victims((const uint64_t[]){ 0, 1, 2, 3, 4, 5, 7, 8 }, 8);
	assert_int_equal(r.hot, 0);
	assert_int_equal(r.passed_over, 0);
}

/* A victim sharing merges is reclaimed already: it is counted as shared
 * and never compressed; the others go on to the area. */
static void test_a_victim_sharing_merges_is_not_compressed(void **state)
{
	(void)state;
	twin[1] = twin[2] = true;
	struct zswap_outlets out = { .share = fake_share };
	struct zswap_report r = take_through(4, &out);
	assert_victims((const uint64_t[]){ 0, 3 }, 2); /* all hot: the second lap, in gfn order */
	if (r.shared != 2 || shared_calls != 4)
		fail_msg("expected gfns 1 and 2 merged of 4 offered; saw %llu merged of %u offered",
			 (unsigned long long)r.shared, shared_calls);
	for (uint64_t g = 1; g < 3; g++)
		assert_int_equal(pmap_entry_state(the_vm()->pmap.entries[g]), PMAP_SHARED);
}

/* A page the area refuses goes to the disk while it has room; one nobody
 * takes stays resident, is mapped back at once (no fault to pay for the
 * try) and, if it did not compress, is marked incompressible. */
static void test_a_refused_victim_nobody_takes_is_mapped_back(void **state)
{
	(void)state;
	outcome[0] = ZSWAP_REJECTED;
	outcome[1] = ZSWAP_REJECTED;
	struct zswap_outlets out = { .spill = fake_spill };
	disk_room = true;
	struct zswap_report r = take_through(1, &out);
	assert_int_equal(r.swapped, 1);
	assert_int_equal(pmap_entry_state(the_vm()->pmap.entries[0]), PMAP_SWAPPED);
	assert_false(mapped_back[0]);
	disk_room = false;
	r = take_through(1, &out);
	assert_victims((const uint64_t[]){ 1 }, 1);
	assert_int_equal(r.rejected, 1);
	if (!mapped_back[1])
		fail_msg("gfn 1 was refused by the area and the disk: expected it mapped back, it was not");
	assert_true(ages[1] & INCOMPRESSIBLE);
	outcome[2] = ZSWAP_AREA_FULL;
	r = take_through(1, &out);
	assert_int_equal(r.stop, ZSWAP_AREA_FULL);
	assert_true(mapped_back[2]);
	assert_false(ages[2] & INCOMPRESSIBLE); /* no room is no verdict on its contents */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_the_cold_lap_takes_idle_pages_not_accessed, setup),
		cmocka_unit_test_setup(test_an_accessed_page_stays_in_use_after_its_bit_is_read, setup),
		cmocka_unit_test_setup(test_incompressible_and_non_private_pages_are_never_touched, setup),
		cmocka_unit_test_setup(test_without_accessed_bits_pages_go_in_order, setup),
		cmocka_unit_test_setup(test_a_victim_sharing_merges_is_not_compressed, setup),
		cmocka_unit_test_setup(test_a_refused_victim_nobody_takes_is_mapped_back, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
