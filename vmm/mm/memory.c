/* vmm/mm/memory.c — demand allocation: the first touch of a gfn allocates a
 * machine frame, fills it (zeros, or the guest image's bytes), records it
 * in the PMAP and the frame table, and only then maps it in the nested
 * tables — the cache is always filled from the truth, never the reverse. */
#include "vmm/mm/memory.h"
#include "vmm/mm/fault_time.h"
#include "vmm/mm/guest_image.h"
/* Above mm: make_resident() hands a BALLOONED, SHARED, COMPRESSED or
 * SWAPPED gfn to the technique that put it in that state, and
 * for_each_piece() does the same for its reads (tools/check-layers allows
 * these four, here and in vmm/mm/release.c only). */
#include "vmm/balloon/balloon.h"
#include "vmm/share/cow.h"
#include "vmm/swap/swap.h"
#include "vmm/zswap/zswap.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/lab.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/panic.h"
#include "kernel/string.h"

int vm_memory_init(struct vm *vm)
{
	uint64_t npages = vm->mem_bytes >> PAGE_SHIFT;
	void *storage;
	if (mem_alloc_bytes(pmap_storage_bytes(npages), &storage))
		return -E_NO_MEMORY;
	pmap_init(&vm->pmap, storage, npages);
	return backend->vm_init(vm);
}

/* A fresh frame for a gfn that has no contents yet: zeros, or the image's
 * bytes when the gfn lies inside one of its segments. */
static int fill_new_frame(struct vm *vm, gfn_t gfn, mfn_t *out)
{
	/* LAB 2.2 demand-paging: a frame from the VM's budget (-E_NO_MEMORY
	 * when there is none: the VM then waits), its contents (the image's
	 * bytes or zeros; count which in vm->stats), then the truth: the
	 * PMAP entry and the frame table's user. The caller maps it after. */
	mfn_t f;
	if (vm_frame_alloc(&f))
		return -E_NO_MEMORY;
	if (guest_image_fill(vm, gfn, mfn_to_virt(f)))
		vm->stats.demand_image++;
	else
		vm->stats.demand_zero++;
	int set = pmap_set_private(&vm->pmap, gfn, f);
	ASSERT(set == 0);
	int added = frame_table_add_user(&frame_table, f, vm->id, gfn);
	ASSERT(added == 0);
	*out = f;
	return 0;
	/* LAB 2.2 end. The skeleton has instead:
	 *	(void)vm;
	 *	(void)gfn;
	 *	(void)out;
	 *	return LAB_TODO("demand-paging", "fill_new_frame");
	 */
}

/* Brings gfn's contents into a machine frame the access may use, by its
 * PMAP state, without touching the nested tables. A write needs a frame
 * of the gfn's own (PRIVATE); a read may use a shared one. Sets *prot to
 * the rights the nested mapping may give. Returns 0 or -E_*. */
static int make_resident(struct vm *vm, gfn_t gfn, bool write, mfn_t *out, unsigned *prot)
{
	pmap_entry_t e;
	if (pmap_get(&vm->pmap, gfn, &e))
		return -E_RANGE;
	*prot = NPT_RWX;
	switch (pmap_entry_state(e)) {
	case PMAP_PRIVATE:
		*out = pmap_entry_mfn(e);
		return 0;
	case PMAP_UNTOUCHED:
		return fill_new_frame(vm, gfn, out);
	case PMAP_BALLOONED: /* given away, touched anyway: zeros, never the image */
		return balloon_touch(vm, gfn, out);
	case PMAP_SHARED:
		if (write) /* copy-on-write: a frame of its own, or the last user's */
			return share_cow(vm, gfn, out);
		*out = pmap_entry_mfn(e);
		*prot = NPT_READ | NPT_EXEC; /* so that a write faults */
		return 0;
	case PMAP_COMPRESSED: /* swap-in: decompressed into a fresh frame */
		return zswap_swap_in(vm, gfn, out);
	case PMAP_SWAPPED: /* swap-in: read from the swap disk into a fresh frame */
		return swap_in(vm, gfn, out);
	case PMAP_STATE_COUNT:
		break;
	}
	panic("vm%u gfn %#llx: PMAP state %s has no fault path yet", vm->id, (unsigned long long)gfn.raw,
	      pmap_state_name(pmap_entry_state(e)));
}

/* With fault_time_on (make bench): the TSC time make_resident() took for
 * a fault that found its page, by the state the gfn was in. */
static void record_fault_time(enum pmap_state state, uint64_t ticks)
{
	if (state == PMAP_UNTOUCHED)
		fault_time_record(FAULT_FIRST_TOUCH, ticks);
	else if (state == PMAP_COMPRESSED)
		fault_time_record(FAULT_COMPRESSED, ticks);
	else if (state == PMAP_SWAPPED)
		fault_time_record(FAULT_SWAPPED, ticks);
}

int vm_memory_bring_back(struct vm *vm, gfn_t gfn, uint64_t where,
			 int (*load)(struct vm *vm, gfn_t gfn, uint64_t where, void *page), mfn_t *out)
{
	mfn_t f;
	if (vm_frame_alloc(&f))
		return -E_NO_MEMORY;
	int rc = load(vm, gfn, where, mfn_to_virt(f));
	if (rc) {
		vm_frame_free(f);
		return rc;
	}
	vm_memory_adopt(vm, gfn, f);
	*out = f;
	return 0;
}

void vm_memory_adopt(struct vm *vm, gfn_t gfn, mfn_t f)
{
	int set = pmap_set_private(&vm->pmap, gfn, f);
	ASSERT(set == 0);
	int added = frame_table_add_user(&frame_table, f, vm->id, gfn);
	ASSERT(added == 0);
}

uint64_t vm_memory_resident(const struct vm *vm)
{
	return vm->pmap.count[PMAP_PRIVATE] + vm->pmap.count[PMAP_SHARED];
}

bool vm_memory_at_limit(const struct vm *vm)
{
	return vm_memory_resident(vm) >= vm->alloc.limit;
}

/* Would bringing gfn in make the VM hold more than its limit= ? Only the
 * states without a frame of the VM's add a resident page: a copy-on-write
 * turns a SHARED page PRIVATE, the count stays. */
static bool fault_over_limit(const struct vm *vm, gfn_t gfn)
{
	pmap_entry_t e;
	if (pmap_get(&vm->pmap, gfn, &e) || !vm_memory_at_limit(vm))
		return false;
	enum pmap_state st = pmap_entry_state(e);
	return st != PMAP_PRIVATE && st != PMAP_SHARED;
}

int vm_memory_fault(struct vm *vm, uint64_t gpa, bool write)
{
	gfn_t gfn = { gpa >> PAGE_SHIFT };
	mfn_t f;
	unsigned prot;
	vm->stats.npf++;
	if (fault_over_limit(vm, gfn))
		return -E_NO_MEMORY; /* it waits, as for a frame: the policy reclaims from it (vmm/policy/limit.c) */
	write = write || share_fault_is_write(vm, gfn);
	pmap_entry_t e;
	if (pmap_get(&vm->pmap, gfn, &e))
		return -E_RANGE;
	enum pmap_state state = pmap_entry_state(e);
	uint64_t start = fault_time_on ? rdtsc() : 0;
	int rc = make_resident(vm, gfn, write, &f, &prot);
	if (rc)
		return rc;
	if (fault_time_on)
		record_fault_time(state, rdtsc() - start);
	if (state == PMAP_COMPRESSED)
		zswap_readahead(vm, gfn);
	/* Present in the PMAP but not in the cache is fine too: the nested
	 * tables may be dropped at any time and are refilled here. */
	return backend->map(vm, gfn, f, prot);
}

/* Runs fn over each piece of [gpa, gpa+len) that lies in one guest frame. */
static int for_each_piece(struct vm *vm, uint64_t gpa, uint64_t len, bool allocate,
			  void (*fn)(uint8_t *frame, uint64_t off, uint64_t n, void *ctx), void *ctx)
{
	if (len > vm->mem_bytes || gpa > vm->mem_bytes - len)
		return -E_RANGE;
	while (len) {
		uint64_t off = gpa & (PAGE_SIZE - 1), n = MIN(len, PAGE_SIZE - off);
		gfn_t gfn = { gpa >> PAGE_SHIFT };
		pmap_entry_t e;
		pmap_get(&vm->pmap, gfn, &e);
		uint8_t *frame = NULL;
		mfn_t f;
		unsigned prot;
		if (allocate) { /* a write: the gfn needs a frame of its own */
			/* A copy cannot wait off the CPU as a fault does: a
			 * SWAPPED page is read at once. */
			int rc = pmap_entry_state(e) == PMAP_SWAPPED ? swap_in_now(vm, gfn, &f)
								      : make_resident(vm, gfn, true, &f, &prot);
			if (rc)
				return rc;
			frame = mfn_to_virt(f);
		} else if (pmap_entry_has_frame(e)) {
			frame = mfn_to_virt(pmap_entry_mfn(e));
		} else if (pmap_entry_state(e) == PMAP_UNTOUCHED) { /* read: what a first touch would bring */
			static uint8_t untouched[PAGE_SIZE];
			memset(untouched, 0, sizeof(untouched));
			guest_image_fill(vm, gfn, untouched);
			frame = untouched;
		} else if (pmap_entry_state(e) == PMAP_COMPRESSED) { /* read: stays compressed */
			const uint8_t *copy;
			int rc = zswap_read(vm, gfn, &copy);
			if (rc)
				return rc;
			frame = (uint8_t *)copy;
		} else if (pmap_entry_state(e) == PMAP_SWAPPED) { /* read: stays on disk */
			const uint8_t *copy;
			int rc = swap_read(vm, gfn, &copy);
			if (rc)
				return rc;
			frame = (uint8_t *)copy;
		}
		fn(frame, off, n, ctx);
		gpa += n;
		len -= n;
	}
	return 0;
}

struct copy_ctx {
	uint8_t *host;
};

static void copy_out(uint8_t *frame, uint64_t off, uint64_t n, void *ctx)
{
	struct copy_ctx *c = ctx;
	if (frame)
		memcpy(c->host, frame + off, n);
	else
		memset(c->host, 0, n); /* ballooned: reads as zeros */
	c->host += n;
}

static void copy_in(uint8_t *frame, uint64_t off, uint64_t n, void *ctx)
{
	struct copy_ctx *c = ctx;
	memcpy(frame + off, c->host, n);
	c->host += n;
}

int vm_gpa_read(struct vm *vm, uint64_t gpa, void *buf, uint64_t len)
{
	struct copy_ctx c = { buf };
	return for_each_piece(vm, gpa, len, false, copy_out, &c);
}

int vm_gpa_write(struct vm *vm, uint64_t gpa, const void *buf, uint64_t len)
{
	struct copy_ctx c = { (uint8_t *)buf };
	return for_each_piece(vm, gpa, len, true, copy_in, &c);
}
