/* vmm/zswap/zswap.c — compressing a VM's page into the area and bringing it
 * back (see zswap.h). The area lies over zswap_region, its metadata in
 * the region's first pages. */
#include "vmm/zswap/zswap.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/mm/memory.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/printf.h"

#define DAMAGE_XOR 0x20 /* the bit zswap_damage() flips */

static struct zswap_area area;
static bool area_ready;
/* Scratch for one compression or decompression at a time: memvisor runs
 * on one CPU (with several, one of each per CPU). */
static struct zswap_scratch scratch;
static uint8_t read_copy[PAGE_SIZE];

/* After every change to the area's pages: the budget charges them
 * (vmm/mm/guest_frames.h), and asks nobody. */
static void report_area_pages(void)
{
	guest_frames_report_zswap(area.pages_used);
}

void zswap_init(void)
{
	zswap_victims_option();
	uint32_t pages = (uint32_t)MIN(zswap_region.bytes >> PAGE_SHIFT, ZSWAP_AREA_PAGES_MAX);
	uint64_t meta_pages = ALIGN_UP(zswap_area_meta_bytes(pages), PAGE_SIZE) >> PAGE_SHIFT;
	if (pages <= meta_pages)
		return; /* zswap=0, or too small to hold anything */
	uint8_t *base = mpa_to_virt(zswap_region.start);
	int rc = zswap_area_init(&area, base + meta_pages * PAGE_SIZE, pages - (uint32_t)meta_pages, base);
	ASSERT(rc == 0);
	area_ready = true;
	kprintf("memvisor: zswap: %u pages for compressed pages, %llu for the allocator's metadata; "
		"each VM may use %llu%% of its memory; victims %s\n",
		area.npages, (unsigned long long)meta_pages, (unsigned long long)options.zswap_max_pct,
		zswap_victims_text());
}

bool zswap_enabled(void)
{
	return area_ready;
}

uint64_t zswap_pages_in_use(void)
{
	return area_ready ? area.pages_used : 0;
}

/* Bytes for one age byte per page of the VM. */
static uint64_t age_bytes(const struct vm *vm)
{
	return (vm->mem_bytes >> PAGE_SHIFT) * sizeof(*vm->zswap.age);
}

int zswap_vm_init(struct vm *vm)
{
	void *age, *fifo;
	uint64_t npages = vm->mem_bytes >> PAGE_SHIFT;
	vm->zswap = (struct vm_zswap){ 0 };
	if (mem_alloc_bytes(age_bytes(vm), &age))
		return -E_NO_MEMORY;
	if (mem_alloc_bytes(zswap_fifo_bytes(npages), &fifo)) {
		mem_free_bytes(age, age_bytes(vm));
		return -E_NO_MEMORY;
	}
	vm->zswap.age = age;
	for (uint64_t g = 0; g < npages; g++)
		vm->zswap.age[g] = 0;
	zswap_fifo_init(&vm->zswap.fifo, fifo, npages);
	return 0;
}

void zswap_vm_release(struct vm *vm)
{
	if (!vm->zswap.age)
		return;
	ASSERT(!vm->zswap.bytes && !vm->zswap.fifo.count);
	mem_free_bytes(vm->zswap.age, age_bytes(vm));
	mem_free_bytes(vm->zswap.fifo.next, zswap_fifo_bytes(vm->zswap.fifo.npages));
	vm->zswap.age = NULL;
}

/* The gfn leaves the area (swap-in, drop): out of the writeback order. */
static void unqueue(struct vm *vm, gfn_t gfn)
{
	int removed = zswap_fifo_remove(&vm->zswap.fifo, gfn.raw);
	ASSERT(removed == 0);
}

bool zswap_oldest(const struct vm *vm, gfn_t *gfn)
{
	uint32_t g = vm->zswap.age ? zswap_fifo_oldest(&vm->zswap.fifo) : ZSWAP_FIFO_NONE;
	if (g == ZSWAP_FIFO_NONE)
		return false;
	*gfn = (gfn_t){ g };
	return true;
}

bool zswap_vm_full(const struct vm *vm)
{
	if (!area_ready)
		return false;
	bool share_full = vm->zswap.bytes + ZSWAP_STORE_MAX > zswap_cap_bytes(vm);
	return share_full || area.pages_used == area.npages;
}

uint64_t zswap_cap_bytes(const struct vm *vm)
{
	return PERCENT_OF(vm->mem_bytes, options.zswap_max_pct);
}

/* Counts a handle's object in or out of the VM's share. */
static void account(struct vm *vm, uint64_t handle, bool in)
{
	uint64_t bytes = zswap_handle_footprint(&area, handle), payload = zswap_handle_length(handle);
	bool same = zswap_handle_same(handle);
	if (in) {
		vm->zswap.bytes += bytes, vm->zswap.payload += payload, vm->zswap.same += same;
	} else {
		vm->zswap.bytes -= bytes, vm->zswap.payload -= payload, vm->zswap.same -= same;
	}
}

/* Compressing a resident gfn, in this order (the PMAP is the truth, the
 * nested tables a cache of it; docs/memory-words.md):
 *  1. unmap the gfn from the nested tables and flush: from here on the
 *     guest cannot write the frame, so what is compressed is what the
 *     page holds (on one CPU the guest is not running now anyway; with
 *     several, another vCPU could write after the read — a lost write);
 *  2. compress and store. Refused (over half a page, or no room): stop
 *     here. The PMAP still says PRIVATE, and the next access maps the
 *     frame again through an ordinary fault — an empty cache is allowed
 *     (or the clock maps it back at once when nobody else takes the
 *     page: zswap_map_back());
 *  3. PMAP PRIVATE → COMPRESSED(handle): the truth now names the area;
 *  4. drop the frame's reverse-map entry and free the frame — last,
 *     because only now can nothing reach it: no cached translation
 *     (step 1) and no PMAP entry (step 3). Freed sooner, it could be
 *     handed to another VM while this one still reached it. */
enum zswap_outcome zswap_compress_gfn(struct vm *vm, gfn_t gfn)
{
	pmap_entry_t e;
	int found = pmap_get(&vm->pmap, gfn, &e);
	ASSERT(area_ready && found == 0 && pmap_entry_state(e) == PMAP_PRIVATE);
	mfn_t f = pmap_entry_mfn(e);
	backend->unmap(vm, gfn); /* -E_NOT_FOUND when the cache lacked it: fine */
	backend->flush(vm);
	uint64_t cap = zswap_cap_bytes(vm), budget = vm->zswap.bytes < cap ? cap - vm->zswap.bytes : 0;
	struct zswap_stored st;
	enum zswap_outcome r = zswap_store_page(&area, &scratch, mfn_to_virt(f), ZSWAP_OWNER(vm->id, gfn.raw), budget, &st);
	report_area_pages();
	if (r == ZSWAP_REJECTED)
		vm->zswap.rejected++;
	if (r == ZSWAP_OVER_BUDGET || r == ZSWAP_AREA_FULL)
		vm->zswap.capped++;
	if (r != ZSWAP_STORED && r != ZSWAP_STORED_SAME)
		return r;
	int set = pmap_set_compressed(&vm->pmap, gfn, st.handle);
	ASSERT(set == 0);
	int users = frame_table_remove_user(&frame_table, f, vm->id, gfn);
	ASSERT(users == 0);
	vm_frame_free(f);
	account(vm, st.handle, true);
	int queued = zswap_fifo_push(&vm->zswap.fifo, gfn.raw);
	ASSERT(queued == 0);
	vm->zswap.stored += r == ZSWAP_STORED;
	vm->zswap.stored_same += r == ZSWAP_STORED_SAME;
	return r;
}

void zswap_map_back(struct vm *vm, gfn_t gfn)
{
	pmap_entry_t e;
	if (pmap_get(&vm->pmap, gfn, &e) || pmap_entry_state(e) != PMAP_PRIVATE)
		return;
	backend->map(vm, gfn, pmap_entry_mfn(e), NPT_RWX); /* a failure only leaves it to a fault */
}

/* Loads gfn's page into `page`; on damage stops the VM, saying why. */
static int load(struct vm *vm, gfn_t gfn, uint64_t handle, void *page)
{
	int rc = zswap_load_page(&area, handle, ZSWAP_OWNER(vm->id, gfn.raw), page);
	if (rc == -E_INVAL)
		panic("vm%u gfn %#llx: PMAP handle %#llx names no object in the area", vm->id,
		      (unsigned long long)gfn.raw, (unsigned long long)handle);
	if (rc)
		vm_stop(vm, "compressed copy of gpa %#llx is damaged (handle %#llx does not decompress to the page stored)",
			(unsigned long long)(gfn.raw << PAGE_SHIFT), (unsigned long long)handle);
	return rc;
}

/* Swap-in: the page decompressed and checked into a fresh frame, the PMAP
 * (COMPRESSED → PRIVATE) and the frame table (vm_memory_bring_back());
 * the object is freed last, so the PMAP never names something gone. */
int zswap_swap_in(struct vm *vm, gfn_t gfn, mfn_t *out)
{
	pmap_entry_t e;
	int found = pmap_get(&vm->pmap, gfn, &e);
	ASSERT(found == 0 && pmap_entry_state(e) == PMAP_COMPRESSED);
	uint64_t handle = pmap_entry_handle(e);
	int rc = vm_memory_bring_back(vm, gfn, handle, load, out);
	if (rc)
		return rc;
	account(vm, handle, false);
	unqueue(vm, gfn);
	int dropped = zswap_drop_page(&area, handle);
	ASSERT(dropped == 0);
	report_area_pages();
	vm->zswap.swapins++;
	vm->zswap.age[gfn.raw] = 0; /* just used */
	return 0;
}

int zswap_read(struct vm *vm, gfn_t gfn, const uint8_t **page)
{
	pmap_entry_t e;
	int found = pmap_get(&vm->pmap, gfn, &e);
	ASSERT(found == 0 && pmap_entry_state(e) == PMAP_COMPRESSED);
	*page = read_copy;
	return load(vm, gfn, pmap_entry_handle(e), read_copy);
}

void zswap_drop(struct vm *vm, gfn_t gfn, pmap_entry_t e)
{
	account(vm, pmap_entry_handle(e), false);
	unqueue(vm, gfn);
	int dropped = zswap_drop_page(&area, pmap_entry_handle(e));
	ASSERT(dropped == 0);
	report_area_pages();
}

int zswap_damage(struct vm *vm, gfn_t gfn)
{
	pmap_entry_t e;
	if (pmap_get(&vm->pmap, gfn, &e) || pmap_entry_state(e) != PMAP_COMPRESSED)
		return -E_INVAL;
	uint32_t size;
	uint64_t handle = pmap_entry_handle(e);
	uint8_t *obj = zswap_area_object(&area, zswap_handle_id(handle), &size);
	/* The payload's last byte: the header stays intact, so the owner
	 * still matches and it is the contents that are found wrong. */
	obj[sizeof(struct zswap_header) + zswap_handle_length(handle) - 1] ^= DAMAGE_XOR;
	return 0;
}

void zswap_compact(struct zswap_compaction *r)
{
	*r = (struct zswap_compaction){ .pages_before = area.pages_used, .pages_after = area.pages_used };
	if (!area_ready)
		return;
	uint64_t moving = zswap_area_compact_begin(&area);
	for (uint32_t i = 0; i < vm_count && r->moved < moving; i++) {
		struct vm *vm = &vms[i];
		for (uint64_t g = 0; vm->pmap.entries && vm->pmap.count[PMAP_COMPRESSED] && g < vm->pmap.npages; g++) {
			pmap_entry_t e = vm->pmap.entries[g];
			uint64_t handle = pmap_entry_handle(e);
			uint32_t id;
			if (pmap_entry_state(e) != PMAP_COMPRESSED || !zswap_area_evacuating(&area, zswap_handle_id(handle)))
				continue;
			/* Same class, so the same footprint: the VM's share is unchanged. */
			int moved = zswap_area_move(&area, zswap_handle_id(handle), &id);
			ASSERT(moved == 0);
			moved = pmap_move_compressed(&vm->pmap, (gfn_t){ g }, zswap_handle_moved(handle, id));
			ASSERT(moved == 0);
			r->moved++;
		}
	}
	zswap_area_compact_end(&area);
	report_area_pages();
	r->missed = moving - r->moved;
	r->pages_after = area.pages_used;
}

uint64_t zswap_swap_in_every(struct vm *vm, uint64_t stride)
{
	uint64_t seen = 0, done = 0;
	mfn_t f;
	for (uint64_t g = 0; vm->pmap.entries && g < vm->pmap.npages; g++) {
		if (pmap_entry_state(vm->pmap.entries[g]) != PMAP_COMPRESSED || seen++ % stride)
			continue;
		if (zswap_swap_in(vm, (gfn_t){ g }, &f))
			break;
		done++;
	}
	return done;
}

/* Compaction walks every PMAP: worth it when it gives back this many. */
#define COMPACT_MIN_PAGES 8

bool zswap_compact_if_fragmented(struct zswap_compaction *r)
{
	if (!area_ready || zswap_area_compactable_pages(&area) < COMPACT_MIN_PAGES)
		return false;
	zswap_compact(r);
	return true;
}

const struct zswap_area *zswap_machine_area(void)
{
	return area_ready ? &area : NULL;
}
