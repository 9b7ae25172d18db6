/* vmm/zswap/check.c — the compressed swap area's part of the invariant
 * checker (vmm/check.c):
 *   1. the allocator's metadata agrees with itself (zswap_area_check);
 *   2. every COMPRESSED gfn's handle names a live object whose header
 *      names that same VM and gfn as its owner; with 3 this makes each
 *      live object belong to exactly one gfn (two gfns cannot both be
 *      named by one header, and none is left over);
 *   3. the area holds as many objects as there are COMPRESSED gfns;
 *   4. each VM's accounting adds up: its bytes, payload and same-filled
 *      count are the sums over its handles, and its bytes are within
 *      its cap (zswap_max_pct of its memory);
 *   5. the writeback order (fifo.h) holds exactly its COMPRESSED gfns.
 * A compressed gfn is never mapped: the general check of a gfn without a
 * frame covers that. */
#include "vmm/zswap/zswap.h"

struct vm_sums {
	uint64_t pages, bytes, payload, same;
};

static void report_area(const char *what, uint64_t detail, void *ctx)
{
	zswap_violation_fn violation = *(zswap_violation_fn *)ctx;
	violation("zswap area: %s %llu", what, (unsigned long long)detail);
}

static void check_gfn(const struct zswap_area *a, struct vm *vm, uint64_t g, struct vm_sums *s,
		      zswap_violation_fn violation)
{
	uint64_t h = pmap_entry_handle(vm->pmap.entries[g]);
	uint32_t owner;
	if (!a || !zswap_handle_owner(a, h, &owner)) {
		violation("vm%u gfn %#llx is compressed under handle %#llx, which names no object", vm->id,
			  (unsigned long long)g, (unsigned long long)h);
		return;
	}
	if (owner != ZSWAP_OWNER(vm->id, g))
		violation("vm%u gfn %#llx: its object's header names owner %#x, not this gfn", vm->id,
			  (unsigned long long)g, owner);
	if (vm->zswap.age && !zswap_fifo_queued(&vm->zswap.fifo, g))
		violation("vm%u gfn %#llx is compressed but not in the writeback order", vm->id, (unsigned long long)g);
	s->pages++;
	s->bytes += zswap_handle_footprint(a, h);
	s->payload += zswap_handle_length(h);
	s->same += zswap_handle_same(h);
}

static uint64_t check_vm(const struct zswap_area *a, struct vm *vm, zswap_violation_fn violation)
{
	struct vm_sums s = { 0, 0, 0, 0 };
	for (uint64_t g = 0; g < vm->pmap.npages; g++)
		if (pmap_entry_state(vm->pmap.entries[g]) == PMAP_COMPRESSED)
			check_gfn(a, vm, g, &s, violation);
	const struct vm_zswap *z = &vm->zswap;
	if (s.bytes != z->bytes || s.payload != z->payload || s.same != z->same)
		violation("vm%u's zswap accounting says %llu bytes, %llu payload, %llu same-filled; its handles add up "
			  "to %llu, %llu, %llu", vm->id, (unsigned long long)z->bytes, (unsigned long long)z->payload,
			  (unsigned long long)z->same, (unsigned long long)s.bytes, (unsigned long long)s.payload,
			  (unsigned long long)s.same);
	if (z->age && z->fifo.count != s.pages)
		violation("vm%u's writeback order holds %llu gfns for %llu compressed", vm->id,
			  (unsigned long long)z->fifo.count, (unsigned long long)s.pages);
	if (z->bytes > zswap_cap_bytes(vm))
		violation("vm%u takes %llu bytes of the area, above its cap of %llu", vm->id, (unsigned long long)z->bytes,
			  (unsigned long long)zswap_cap_bytes(vm));
	return s.pages;
}

void zswap_check_invariants(zswap_violation_fn violation)
{
	const struct zswap_area *a = zswap_machine_area();
	uint64_t compressed = 0;
	if (a)
		zswap_area_check(a, report_area, &violation);
	for (uint32_t i = 0; i < vm_count; i++)
		if (vms[i].pmap.entries)
			compressed += check_vm(a, &vms[i], violation);
	uint64_t objects = a ? a->objects : 0;
	if (objects != compressed)
		violation("the zswap area holds %llu objects for %llu compressed gfns", (unsigned long long)objects,
			  (unsigned long long)compressed);
}
