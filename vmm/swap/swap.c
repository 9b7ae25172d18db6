/* vmm/swap/swap.c — the swap device, its slots, and a page's way back
 * from it (see swap.h); the swap-out is out.c's, the writes batched in
 * clusters cluster.c's, the swap-in the VM waits for off the CPU
 * read_wait.c's. */
#include "vmm/swap/swap.h"
#include "vmm/swap/internal.h"
#include "vmm/swap/bench.h"
#include "vmm/swap/header.h"
#include "vmm/swap/slots.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/mm/memory.h"
#include "vmm/swap/checksum.h"
#include "kernel/ata.h"
#include "kernel/block.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/string.h"

#define HOW_TO_MAKE_ONE "make one with tools/mkswap FILE SIZE, or tools/run --swap SIZE"

struct block_dev *swap_device;
static struct swap_slots slots;
static uint64_t *slot_owner; /* SWAP_OWNER(vm, gfn) per slot, 0 when free */
static uint64_t *slot_sum;   /* swap_checksum() of what the slot holds  */
static uint64_t errors;      /* transfers to or from slots that failed   */
static uint8_t io_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

bool swap_option_on(void)
{
	if (!strcmp(options.swap, "auto"))
		return true;
	if (!strcmp(options.swap, "off"))
		return false;
	options_error("swap", "expected auto (a disk made with tools/mkswap is used) or off");
}

/* The per-slot arrays; false (and a message) when memory is short. */
static bool alloc_tables(uint64_t count)
{
	void *bitmap, *retired, *owner, *sum;
	uint64_t words = SWAP_SLOTS_WORDS(count) * sizeof(uint64_t), per_slot = count * sizeof(uint64_t);
	if (mem_alloc_bytes(words, &bitmap) || mem_alloc_bytes(words, &retired) || mem_alloc_bytes(per_slot, &owner) ||
	    mem_alloc_bytes(per_slot, &sum)) {
		kprintf("memvisor: swap: no memory for the tables of %llu slots: swap not used\n",
			(unsigned long long)count);
		return false;
	}
	swap_slots_init(&slots, bitmap, retired, count);
	slot_owner = owner;
	slot_sum = sum;
	for (uint64_t i = 0; i < count; i++)
		slot_owner[i] = 0;
	return true;
}

/* Reads sector 0 (the first page) of a disk, and takes it when it is the
 * first with a valid header. Nothing is ever written to another disk. */
static void consider(struct block_dev *dev)
{
	struct swap_header h;
	enum swap_header_verdict v = SWAP_HEADER_TRUNCATED;
	uint64_t bytes = dev->sectors * BLOCK_SECTOR_SIZE;
	if (dev->sectors >= BLOCK_SECTORS_PER_PAGE) {
		if (block_read_page(dev, 0, io_page)) {
			kprintf("memvisor: swap: %s: its first page cannot be read: left untouched\n", dev->name);
			return;
		}
		v = swap_header_parse(io_page, PAGE_SIZE, bytes, &h);
	}
	if (v != SWAP_HEADER_OK) {
		kprintf("memvisor: swap: %s (%llu MiB) has %s: left untouched; %s\n", dev->name,
			(unsigned long long)(bytes / MiB), swap_header_verdict_text(v), HOW_TO_MAKE_ONE);
		return;
	}
	if (swap_device) {
		kprintf("memvisor: swap: %s: a second swap disk: left untouched (%s is used)\n", dev->name, swap_device->name);
		return;
	}
	if (!alloc_tables(h.slots))
		return;
	char uuid[37];
	swap_uuid_text(h.uuid, uuid);
	swap_device = dev;
	kprintf("memvisor: swap: %llu slots on %s, uuid %s (%s)\n", (unsigned long long)h.slots, dev->name, uuid,
		dev->mode);
	if (options.swap_bench)
		swap_bench_raw(dev, h.slots);
}

bool swap_io_dma(void)
{
	if (!strcmp(options.swap_io, "dma"))
		return true;
	if (!strcmp(options.swap_io, "pio"))
		return false;
	options_error("swap_io", "expected dma (bus-master DMA where there is a bus master) or pio (polled PIO)");
}

void swap_init(void)
{
	if (!swap_option_on()) {
		kprintf("memvisor: swap: off (swap=off): no disk is read or written\n");
		return;
	}
	ata_probe(swap_io_dma());
	for (unsigned i = 0; i < block_dev_count; i++)
		consider(&block_devs[i]);
	if (!swap_device)
		kprintf("memvisor: swap: no swap disk: pages that do not compress stay in memory; %s\n",
			HOW_TO_MAKE_ONE);
}

bool swap_enabled(void)
{
	return swap_device != NULL;
}

bool swap_has_room(void)
{
	return swap_device && !swap_slots_full(&slots);
}

uint64_t swap_slots_total(void)
{
	return swap_device ? slots.count : 0;
}

uint64_t swap_slots_used(void)
{
	return swap_device ? slots.used : 0;
}

uint64_t swap_slots_retired_count(void)
{
	return swap_device ? slots.retired : 0;
}

uint64_t swap_errors(void)
{
	return errors;
}

const char *swap_device_name(void)
{
	return swap_device ? swap_device->name : "none";
}

uint64_t swap_slot_owner(uint64_t slot)
{
	return swap_device && slot < slots.count ? slot_owner[slot] : 0;
}

bool swap_slot_allocated(uint64_t slot)
{
	return swap_device && swap_slots_allocated(&slots, slot);
}

static void free_slot(uint64_t slot)
{
	slot_owner[slot] = 0;
	int freed = swap_slots_free(&slots, slot);
	ASSERT(freed == 0);
}

void swap_slot_free(uint64_t slot)
{
	free_slot(slot);
}

uint64_t swap_slot_alloc_run(uint64_t max, uint64_t *first)
{
	return swap_slots_alloc_run(&slots, max, first);
}

void swap_slot_take(uint64_t slot, struct vm *vm, gfn_t gfn)
{
	slot_owner[slot] = SWAP_OWNER(vm->id, gfn.raw);
}

void swap_slot_sum(uint64_t slot, const void *page)
{
	slot_sum[slot] = swap_checksum(page);
}

/* A write of gfn's page to `slot` failed: the slot is retired (the sector
 * may be bad: it is never used again) and the error counted for the VM
 * and the machine; the caller keeps the page where it was, so nothing is
 * lost. The line goes within the VM's log budget: a disk that fails every
 * write would otherwise print one per victim. */
void swap_slot_write_failed(struct vm *vm, gfn_t gfn, uint64_t slot)
{
	slot_owner[slot] = 0;
	int retired = swap_slots_retire(&slots, slot);
	ASSERT(retired == 0);
	vm->swap.errors++;
	errors++;
	vm_log_guest(vm, "swap: write of gpa %#llx to slot %llu on %s failed: slot retired, page kept in memory "
		     "(%llu slots retired)", (unsigned long long)(gfn.raw << PAGE_SHIFT), (unsigned long long)slot,
		     swap_device->name, (unsigned long long)slots.retired);
}

/* Writeback (vmm/policy/writeback.c): a COMPRESSED gfn's page, already
 * decompressed and checked by zswap into `page`, written to a slot at once
 * (not batched: no frame holds it); then PMAP COMPRESSED → SWAPPED(slot).
 * The caller frees the area's object after (zswap_drop()), so that the
 * PMAP never names something gone. The gfn is not mapped (a compressed
 * page never is), so there is nothing to unmap or flush. */
int swap_write_back(struct vm *vm, gfn_t gfn, const void *page)
{
	pmap_entry_t e;
	int found = pmap_get(&vm->pmap, gfn, &e);
	ASSERT(found == 0 && pmap_entry_state(e) == PMAP_COMPRESSED);
	uint64_t slot;
	if (!swap_device || swap_slots_alloc(&slots, &slot))
		return -E_FULL;
	swap_slot_take(slot, vm, gfn);
	swap_slot_sum(slot, page);
	swap_device_idle();
	if (block_write_page(swap_device, swap_slot_sector(slot), page)) {
		swap_slot_write_failed(vm, gfn, slot);
		return -E_IO;
	}
	int set = pmap_set_swapped(&vm->pmap, gfn, slot);
	ASSERT(set == 0);
	vm->swap.writeback++;
	return 0;
}

void swap_check_owner(struct vm *vm, gfn_t gfn, uint64_t slot)
{
	if (!swap_slot_allocated(slot) || slot_owner[slot] != SWAP_OWNER(vm->id, gfn.raw))
		panic("vm%u gfn %#llx: PMAP names swap slot %llu, which it does not own", vm->id,
		      (unsigned long long)gfn.raw, (unsigned long long)slot);
}

int swap_check_read(struct vm *vm, gfn_t gfn, uint64_t slot, const void *page, int rc)
{
	uint64_t gpa = gfn.raw << PAGE_SHIFT;
	if (rc) {
		vm->swap.errors++;
		errors++;
		vm_stop(vm, "its page at gpa %#llx cannot be read back from swap slot %llu on %s",
			(unsigned long long)gpa, (unsigned long long)slot, swap_device->name);
		return -E_IO;
	}
	uint64_t sum = swap_checksum(page);
	if (sum != slot_sum[slot]) {
		vm_stop(vm, "its page at gpa %#llx came back from swap slot %llu on %s different from what was "
			"written (checksum %#llx, expected %#llx)", (unsigned long long)gpa, (unsigned long long)slot,
			swap_device->name, (unsigned long long)sum, (unsigned long long)slot_sum[slot]);
		return -E_CORRUPT;
	}
	return 0;
}

/* Reads gfn's slot into `page` and checks it, waiting for the disk; on
 * failure stops the VM, saying why (the others go on). */
static int load(struct vm *vm, gfn_t gfn, uint64_t slot, void *page)
{
	swap_check_owner(vm, gfn, slot);
	swap_device_idle();
	return swap_check_read(vm, gfn, slot, page, block_read_page(swap_device, swap_slot_sector(slot), page));
}

void swap_in_done(struct vm *vm, uint64_t slot, uint64_t start_tsc)
{
	free_slot(slot);
	vm->swap.ins++;
	if (options.swap_bench)
		swap_bench_count_in(rdtsc() - start_tsc);
}

/* The page read and checked into a fresh frame, the PMAP (SWAPPED →
 * PRIVATE) and the frame table (vm_memory_bring_back()), waiting for the
 * disk; the slot is freed last, so the PMAP never names a slot given to
 * another page. */
static int swap_in_wait(struct vm *vm, gfn_t gfn, uint64_t slot, mfn_t *out)
{
	uint64_t start = rdtsc();
	int rc = vm_memory_bring_back(vm, gfn, slot, load, out);
	if (rc)
		return rc;
	swap_in_done(vm, slot, start);
	return 0;
}

/* Before a SWAPPED gfn's slot is read: the cluster written, as the page
 * may be in it. A write error there puts the page back PRIVATE in its
 * frame (cluster.c): then *f is that frame and the result false. */
static bool still_swapped(struct vm *vm, gfn_t gfn, uint64_t *slot, mfn_t *f)
{
	pmap_entry_t e;
	swap_out_flush();
	int found = pmap_get(&vm->pmap, gfn, &e);
	ASSERT(found == 0);
	if (pmap_entry_state(e) == PMAP_PRIVATE) {
		*f = pmap_entry_mfn(e);
		return false;
	}
	ASSERT(pmap_entry_state(e) == PMAP_SWAPPED);
	*slot = pmap_entry_slot(e);
	return true;
}

/* Swap-in on a fault. With DMA the read is queued and the VM waits off
 * the CPU (read_wait.c: -E_AGAIN); with PIO the CPU moves the page anyway. */
int swap_in(struct vm *vm, gfn_t gfn, mfn_t *out)
{
	uint64_t slot;
	if (!still_swapped(vm, gfn, &slot, out))
		return 0;
	if (swap_device->async)
		return swap_read_queue(vm, gfn, slot);
	return swap_in_wait(vm, gfn, slot, out);
}

int swap_in_now(struct vm *vm, gfn_t gfn, mfn_t *out)
{
	uint64_t slot;
	if (!still_swapped(vm, gfn, &slot, out))
		return 0;
	swap_read_cancel(vm, gfn); /* the VM waited for this very page: the read is done here */
	return swap_in_wait(vm, gfn, slot, out);
}

int swap_read(struct vm *vm, gfn_t gfn, const uint8_t **page)
{
	uint64_t slot;
	mfn_t f;
	if (!still_swapped(vm, gfn, &slot, &f)) {
		*page = mfn_to_virt(f);
		return 0;
	}
	*page = io_page;
	vm->swap.reads++;
	return load(vm, gfn, slot, io_page);
}

void swap_release_gfn(struct vm *vm, gfn_t gfn)
{
	pmap_entry_t e;
	int found = pmap_get(&vm->pmap, gfn, &e);
	ASSERT(found == 0 && pmap_entry_state(e) == PMAP_SWAPPED);
	swap_out_flush();
	swap_read_cancel(vm, gfn); /* a stopped VM may still wait for this page */
	int set = pmap_release_swapped(&vm->pmap, gfn);
	ASSERT(set == 0);
	free_slot(pmap_entry_slot(e));
}

void swap_drop(struct vm *vm, gfn_t gfn, pmap_entry_t e)
{
	swap_out_flush();
	swap_read_cancel(vm, gfn); /* the access it waited for now finds the gfn ballooned */
	free_slot(pmap_entry_slot(e));
	vm->swap.dropped++;
}
