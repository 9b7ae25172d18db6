/* vmm/zswap/clock.c — which pages to compress: a clock over each VM's
 * resident, unshared (PRIVATE) pages, driven by the accessed bits of the
 * nested page tables (read and cleared through backend->test_and_clear_ad,
 * AMD APM Vol. 2 15.25.6 / Intel SDM Vol. 3C 29.3.5), so that pages the
 * guest keeps using stay resident (docs/background.md, "Working sets").
 *
 * Two hands go round each VM's gfns:
 *   - the aging hand, in the background between time slices: for each
 *     page, was it accessed since the hand last came by? yes → its idle
 *     count goes to 0; no → +1. A page written since it was found
 *     incompressible may be tried again.
 *   - the victim hand, when pages are to be compressed: first lap, only
 *     cold pages — idle for at least one whole sweep and not accessed
 *     since the last one; if a lap finds too few, a second lap takes
 *     recently used pages too (counted as `hot`).
 * One lap is not enough on its own: a clock that only cleared accessed
 * bits when it needed victims would find every bit set after a quiet
 * spell, clear them all, and then take pages in gfn order. The aging
 * sweeps are what let "used in the last sweep" mean something.
 *
 *   age byte:   7     6            0
 *             +-----+---------------+
 *             | inc |  idle sweeps  |   inc: found incompressible
 *             +-----+---------------+
 */
#include "vmm/zswap/zswap.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/lab.h"
#include "kernel/options.h"
#include "kernel/random.h"
#include "kernel/string.h"

#define AGE_INCOMPRESSIBLE 0x80u
#define AGE_IDLE_MASK 0x7fu
#define AGE_INTERVAL_MS 10 /* at most one aging step per VM this often     */
#define AGE_STEP_PAGES 4096 /* gfns an aging step looks at per VM           */
#define AGE_TIME_CHECK_PAGES 64 /* gfns between two looks at the clock      */

enum clock_lap { LAP_COLD, LAP_ANY, LAP_COUNT };

static bool is_private(const struct vm *vm, uint64_t g)
{
	return pmap_entry_state(vm->pmap.entries[g]) == PMAP_PRIVATE;
}

/* The accessed/dirty bits of gfn, cleared; 0 when it is not mapped (no
 * access since it was unmapped: an access would have mapped it again). */
static int take_ad_bits(struct vm *vm, uint64_t g)
{
	int bits = backend->test_and_clear_ad(vm, (gfn_t){ g });
	if (bits == -E_NOT_SUPPORTED)
		vm->zswap.no_accessed_bits = true; /* e.g. EPT without A/D: victims by order only */
	return bits < 0 ? 0 : bits;
}

static void age_page(struct vm *vm, uint64_t g)
{
	uint8_t *age = &vm->zswap.age[g];
	int bits = take_ad_bits(vm, g);
	if (bits & NPT_DIRTY)
		*age &= (uint8_t)~AGE_INCOMPRESSIBLE; /* new contents: worth another try */
	if (bits & NPT_ACCESSED)
		*age &= (uint8_t)~AGE_IDLE_MASK;
	else if ((*age & AGE_IDLE_MASK) < AGE_IDLE_MASK)
		(*age)++;
}

static void age_vm(struct vm *vm, uint64_t deadline_tsc)
{
	uint64_t n = vm->pmap.npages;
	for (uint64_t i = 0; i < MIN(n, AGE_STEP_PAGES) && !vm->zswap.no_accessed_bits; i++) {
		if (i % AGE_TIME_CHECK_PAGES == 0 && rdtsc() >= deadline_tsc)
			return; /* the background work's time is spent: on from here next time */
		uint64_t g = vm->zswap.age_hand;
		vm->zswap.age_hand = g + 1 < n ? g + 1 : 0;
		if (is_private(vm, g))
			age_page(vm, g);
	}
}

/* Idleness is counted in the VM's own time: a VM that has not run since
 * its last sweep (it waited for memory, or the others had the CPU) could
 * not have used its pages. Sweeping it would make them look idle for no
 * reason, and cost the CPU for nothing. */
static bool ran_since_last_sweep(struct vm *vm)
{
	if (vm->sched.cpu_tsc == vm->zswap.swept_at_cpu)
		return false;
	vm->zswap.swept_at_cpu = vm->sched.cpu_tsc;
	return true;
}

void zswap_age_step(uint64_t now_ms, uint64_t deadline_tsc)
{
	static uint64_t next_ms;
	if (!zswap_enabled() || now_ms < next_ms)
		return;
	next_ms = now_ms + AGE_INTERVAL_MS;
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].state == VM_RUNNABLE && vms[i].zswap.age && ran_since_last_sweep(&vms[i]))
			age_vm(&vms[i], deadline_tsc);
}

/* Does the victim hand choose gfn g on this lap? Reading its accessed bit
 * clears it, so the answer is recorded in the page's age byte. */
static bool choose_victim(struct vm *vm, uint64_t g, enum clock_lap lap, struct zswap_report *r)
{
	/* LAB 5.2 zswap: only PRIVATE pages not found incompressible. On the
	 * LAP_ANY lap (or with no accessed bits to go by) any of those; on
	 * the cold lap, a page used since the last sweep (its nested accessed
	 * bit, read and cleared: take_ad_bits) or with no idle sweeps is passed
	 * over — counted in r->passed_over — and the others are taken. */
	uint8_t *age = &vm->zswap.age[g];
	if (!is_private(vm, g) || (*age & AGE_INCOMPRESSIBLE))
		return false;
	if (lap == LAP_ANY || vm->zswap.no_accessed_bits)
		return true;
	if (take_ad_bits(vm, g) & NPT_ACCESSED)
		*age &= (uint8_t)~AGE_IDLE_MASK; /* used since the last sweep */
	if (!(*age & AGE_IDLE_MASK)) {
		r->passed_over++;
		return false;
	}
	return true;
	/* LAB 5.2 end. The skeleton has instead:
	 *	(void)vm, (void)g, (void)lap, (void)r;
	 *	LAB_TODO("zswap", "choose_victim: which pages the clock compresses");
	 *	return false;
	 */
}

/* Compresses gfn g as a victim; false when the VM's share or the area is
 * full (nothing more will fit) and `spill` cannot take it either. As in
 * ESX (docs/background.md, "Memory compression"), a page that does not
 * compress to half a page goes to host swap, and so does one the area
 * has no room for (writing the area's oldest pages back to disk to make
 * room instead is a later step). A page sent to disk is not marked
 * incompressible: the mark only keeps the clock from trying a page that
 * would stay resident anyway. */
static bool compress_victim(struct vm *vm, uint64_t g, enum clock_lap lap, const struct zswap_outlets *out,
			    struct zswap_report *r)
{
	r->victims++;
	r->hot += lap == LAP_ANY;
	if (out && out->share && out->share(vm, (gfn_t){ g }) == 0) {
		r->shared++;
		return true;
	}
	zswap_spill_fn spill = out ? out->spill : NULL;
	uint64_t before = vm->zswap.bytes;
	enum zswap_outcome o = zswap_compress_gfn(vm, (gfn_t){ g });
	r->bytes += vm->zswap.bytes - before;
	r->stored += o == ZSWAP_STORED;
	r->same += o == ZSWAP_STORED_SAME;
	r->rejected += o == ZSWAP_REJECTED;
	bool no_room = o == ZSWAP_OVER_BUDGET || o == ZSWAP_AREA_FULL;
	if ((o == ZSWAP_REJECTED || no_room) && spill && spill(vm, (gfn_t){ g }) == 0) {
		r->swapped++;
		return true;
	}
	if (o == ZSWAP_REJECTED)
		vm->zswap.age[g] |= AGE_INCOMPRESSIBLE;
	if (o == ZSWAP_REJECTED || no_room)
		zswap_map_back(vm, (gfn_t){ g });
	if (no_room) {
		r->stop = o;
		return false;
	}
	return true;
}

/* swap_victims= (read once, at zswap_init()). */
static bool victims_random;

void zswap_victims_option(void)
{
	if (!strcmp(options.swap_victims, "random"))
		victims_random = true;
	else if (strcmp(options.swap_victims, "clock"))
		options_error("swap_victims", "expected clock (cold pages first, by the accessed bits) or random "
					      "(any page, as ESX chooses swap victims)");
}

bool zswap_victims_random(void)
{
	return victims_random;
}

const char *zswap_victims_text(void)
{
	return victims_random ? "at random (swap_victims=random)" : "by the clock (swap_victims=clock)";
}

/* swap_victims=random: ESX's choice of swap victims, for comparison with
 * the clock (docs/background.md: random swapping "can potentially swap
 * out currently active memory"). Each victim is a gfn drawn at random
 * among the PRIVATE ones, used or not; its accessed bit is read only to
 * count it as `hot` if it was in use. Up to a lap's worth of draws (as
 * many as the VM has pages) finds the count or gives up. */
static int random_victims(struct vm *vm, uint64_t count, const struct zswap_outlets *out, struct zswap_report *r)
{
	static uint64_t state = XORSHIFT_NONZERO; /* repeatable from boot to boot */
	uint64_t n = vm->pmap.npages;
	for (uint64_t draws = 0; draws < n && r->victims < count; draws++) {
		state = xorshift64(state);
		uint64_t g = state % n;
		if (!is_private(vm, g) || (vm->zswap.age[g] & AGE_INCOMPRESSIBLE))
			continue;
		bool used = take_ad_bits(vm, g) & NPT_ACCESSED;
		if (!compress_victim(vm, g, used ? LAP_ANY : LAP_COLD, out, r))
			return 0;
	}
	return 0;
}

int zswap_compress_victims(struct vm *vm, uint64_t count, const struct zswap_outlets *out,
			   struct zswap_report *r)
{
	*r = (struct zswap_report){ .stop = ZSWAP_STORED };
	if (!zswap_enabled() || !vm->zswap.age)
		return -E_NOT_SUPPORTED;
	if (victims_random)
		return random_victims(vm, count, out, r);
	uint64_t n = vm->pmap.npages;
	for (enum clock_lap lap = LAP_COLD; lap < LAP_COUNT && r->victims < count; lap++) {
		for (uint64_t looked = 0; looked < n && r->victims < count; looked++) {
			uint64_t g = vm->zswap.victim_hand;
			vm->zswap.victim_hand = g + 1 < n ? g + 1 : 0;
			if (choose_victim(vm, g, lap, r) && !compress_victim(vm, g, lap, out, r))
				return 0;
		}
	}
	return 0;
}
