/* vmm/balloon/balloon.c — the balloon's hypercalls, target, cap and touch path
 * (see balloon.h; ABI: vmm/hypercall_abi.h §5). Checking a batch is
 * vmm/balloon/batch.c, applying it vmm/balloon/pages.c: both pure code;
 * this file is the glue to the VM, its nested tables and the allocator. */
#include "vmm/balloon/balloon.h"
#include "vmm/balloon/batch.h"
#include "vmm/balloon/pages.h"
#include "vmm/mm/memory.h"
#include "vmm/share/marks.h"
#include "vmm/swap/swap.h"
#include "vmm/vm.h"
#include "vmm/zswap/zswap.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/printf.h"


/* One batch at a time: one physical CPU, and a hypercall runs to its end
 * before anything else does. */
static uint64_t batch[HC_BALLOON_BATCH_MAX];
static uint64_t scratch[HC_BALLOON_BATCH_MAX];

uint64_t balloon_cap(const struct vm *vm)
{
	return PERCENT_OF(vm->pmap.npages, options.balloon_max_pct);
}

uint64_t balloon_size(const struct vm *vm)
{
	return vm->pmap.count[PMAP_BALLOONED];
}

int balloon_set_target(struct vm *vm, uint64_t pages, const char *why)
{
	if (pages > balloon_cap(vm))
		return -E_RANGE;
	vm->balloon.target = pages;
	vm_log(vm, "balloon target %llu pages (%llu KiB), now %llu: %s", (unsigned long long)pages,
	       (unsigned long long)(pages * PAGE_SIZE / KiB), (unsigned long long)balloon_size(vm), why);
	return 0;
}

int64_t balloon_hc_target(struct vm *vm)
{
	vm->balloon.polls++;
	return (int64_t)vm->balloon.target;
}

int64_t balloon_hc_stats(struct vm *vm, uint64_t free_pages, uint64_t total_pages)
{
	if (total_pages > vm->pmap.npages || free_pages > total_pages)
		return -HC_E_INVAL;
	vm->balloon.guest_free = free_pages;
	vm->balloon.guest_total = total_pages;
	return 0;
}

/* ---- the callbacks pages.c needs ---- */

static void op_unmap(void *ctx, gfn_t gfn)
{
	backend->unmap(ctx, gfn); /* -E_NOT_FOUND is fine: not every gfn is cached */
}

static void op_map(void *ctx, gfn_t gfn, mfn_t frame)
{
	/* -E_NO_MEMORY for a table is fine: the cache may lack an entry,
	 * and the next touch faults it in from the PMAP. */
	backend->map(ctx, gfn, frame, NPT_RWX);
}

static void op_flush(void *ctx)
{
	backend->flush(ctx);
}

/* Inflate frees the frames whose last user it took, shared ones too: a
 * shared frame must leave sharing's table before it goes back, or a later
 * merge would map a frame that belongs to someone else (share/marks.h).
 * Deflate frees only frames it allocated itself, never shared. */
static void op_free_frame(void *ctx, mfn_t frame)
{
	(void)ctx;
	share_frame_freed(frame);
	vm_frame_free(frame);
}

static int op_alloc_frame(void *ctx, mfn_t *out)
{
	(void)ctx;
	return vm_frame_alloc(out);
}

static void op_drop_stored(void *ctx, gfn_t gfn, pmap_entry_t e)
{
	if (pmap_entry_state(e) == PMAP_SWAPPED)
		swap_drop(ctx, gfn, e);
	else
		zswap_drop(ctx, gfn, e);
}

static struct balloon_ops ops_for(struct vm *vm)
{
	return (struct balloon_ops){ vm, op_unmap, op_map, op_flush, op_free_frame, op_alloc_frame, op_drop_stored };
}

static const char *op_name(enum balloon_op op)
{
	return op == BALLOON_INFLATE ? "inflate" : "deflate";
}

/* Counted always; logged within the VM's budget of guest-caused lines
 * (vmm/log_limit.h), so a guest that loops on a bad call cannot flood COM1. */
static int64_t reject(struct vm *vm, enum balloon_op op, uint64_t count, const struct balloon_verdict *v)
{
	vm->balloon.rejected++;
	char where[48] = "";
	if (v->entry != BALLOON_NO_ENTRY)
		ksnprintf(where, sizeof(where), " (entry %u, gfn %#llx)", v->entry, (unsigned long long)batch[v->entry]);
	vm_log_guest(vm, "balloon %s of %llu gfns refused with %d: %s%s", op_name(op), (unsigned long long)count,
		     v->error, v->why, where);
	return v->error;
}

/* Reads and checks a batch; 0 when it may be applied. */
static int64_t check_batch(struct vm *vm, enum balloon_op op, uint64_t gpa, uint64_t count)
{
	struct balloon_verdict v;
	balloon_check_header(gpa, count, vm->mem_bytes, &v);
	if (!v.error && vm_gpa_read(vm, gpa, batch, count * sizeof(batch[0])))
		v = (struct balloon_verdict){ -HC_E_FAULT, BALLOON_NO_ENTRY, "the batch cannot be read" };
	if (!v.error) {
		uint64_t cap = balloon_cap(vm), size = balloon_size(vm);
		balloon_check_gfns(&vm->pmap, op, batch, (uint32_t)count, cap > size ? cap - size : 0, scratch, &v);
	}
	return v.error ? reject(vm, op, count, &v) : 0;
}

int64_t balloon_hc_inflate(struct vm *vm, uint64_t batch_gpa, uint64_t count)
{
	int64_t rc = check_batch(vm, BALLOON_INFLATE, batch_gpa, count);
	if (rc)
		return rc;
	struct balloon_ops ops = ops_for(vm);
	uint64_t free_before = machine_frames.free;
	struct balloon_inflated r =
		balloon_inflate_apply(&vm->pmap, &frame_table, vm->id, batch, (uint32_t)count, &ops, scratch);
	ASSERT(r.rmap_missing == 0); /* the checker's invariant 1 was broken */
	/* The machine gains exactly the frames whose last reference went:
	 * one per private page, none for a shared frame others still use. */
	ASSERT(machine_frames.free - free_before == r.frames_freed);
	vm->balloon.inflated += count;
	vm->balloon.released += r.frames_freed;
	vm->balloon.compressed_dropped += r.compressed_dropped;
	return (int64_t)count;
}

int64_t balloon_hc_deflate(struct vm *vm, uint64_t batch_gpa, uint64_t count)
{
	int64_t rc = check_batch(vm, BALLOON_DEFLATE, batch_gpa, count);
	if (rc)
		return rc;
	struct balloon_ops ops = ops_for(vm);
	uint32_t rmap_failed;
	if (balloon_deflate_apply(&vm->pmap, &frame_table, vm->id, batch, (uint32_t)count, &ops, scratch,
				  &rmap_failed)) {
		struct balloon_verdict v = { -HC_E_NOMEM, BALLOON_NO_ENTRY, "no machine frames for the pages now" };
		return reject(vm, BALLOON_DEFLATE, count, &v);
	}
	ASSERT(rmap_failed == 0); /* the reverse map is sized for every guest page */
	vm->balloon.deflated += count;
	return (int64_t)count;
}

int balloon_touch(struct vm *vm, gfn_t gfn, mfn_t *out)
{
	mfn_t frame;
	if (vm_frame_alloc(&frame))
		return -E_NO_MEMORY;
	int set = pmap_set_private(&vm->pmap, gfn, frame);
	ASSERT(set == 0);
	int added = frame_table_add_user(&frame_table, frame, vm->id, gfn);
	ASSERT(added == 0);
	vm->balloon.touched++;
	vm_log_guest(vm, "warning: touched ballooned gfn %#llx: it gets a fresh zero frame", (unsigned long long)gfn.raw);
	*out = frame;
	return 0;
}

void balloon_print(const struct vm *vm)
{
	const struct vm_balloon *b = &vm->balloon;
	kprintf("monitor: vm%u balloon: size %llu target %llu cap %llu pages (%llu%%); inflated %llu deflated %llu "
		"released %llu compressed-dropped %llu; rejected %llu batches; touched %llu; guest free %llu of %llu "
		"pages; polls %llu\n",
		vm->id, (unsigned long long)balloon_size(vm), (unsigned long long)b->target,
		(unsigned long long)balloon_cap(vm), (unsigned long long)options.balloon_max_pct,
		(unsigned long long)b->inflated, (unsigned long long)b->deflated, (unsigned long long)b->released,
		(unsigned long long)b->compressed_dropped,
		(unsigned long long)b->rejected, (unsigned long long)b->touched, (unsigned long long)b->guest_free,
		(unsigned long long)b->guest_total, (unsigned long long)b->polls);
}
