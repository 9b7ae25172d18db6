/* vmm/zswap/print.c — the monitor's view of the compressed swap area:
 * how full it is, how much of what it holds is lost to fragmentation
 * (class rounding, free slots in partly used zspages, zspage tails), and
 * each VM's share of it against its cap. */
#include "vmm/zswap/zswap.h"
#include "kernel/mem.h"
#include "kernel/printf.h"

#define PERMILLE 1000

/* part/whole as "12.3%" */
static void percent(char *buf, size_t size, uint64_t part, uint64_t whole)
{
	uint64_t pm = whole ? part * PERMILLE / whole : 0;
	ksnprintf(buf, size, "%llu.%llu%%", (unsigned long long)(pm / 10), (unsigned long long)(pm % 10));
}

/* uncompressed/compressed as "3.45" */
static void ratio(char *buf, size_t size, uint64_t pages, uint64_t bytes)
{
	uint64_t r = bytes ? pages * PAGE_SIZE * 100 / bytes : 0;
	ksnprintf(buf, size, "%llu.%02llu", (unsigned long long)(r / 100), (unsigned long long)(r % 100));
}

static void print_area(const struct zswap_area *a)
{
	struct zswap_usage u;
	zswap_area_usage(a, &u);
	uint64_t held = u.pages_used * PAGE_SIZE, payload = 0; /* headers and data */
	for (uint32_t i = 0; i < vm_count; i++)
		payload += vms[i].pmap.count[PMAP_COMPRESSED] * sizeof(struct zswap_header) + vms[i].zswap.payload;
	char unused[16], rounding[16], slots[16], tails[16];
	percent(unused, sizeof(unused), held - MIN(payload, held), held);
	percent(rounding, sizeof(rounding), u.object_bytes - MIN(payload, u.object_bytes), held);
	percent(slots, sizeof(slots), u.free_slot_bytes, held);
	percent(tails, sizeof(tails), u.tail_bytes, held);
	kprintf("monitor: zswap area: %llu KiB at mpa %#llx, %llu pages for objects, %llu used by %llu objects\n",
		(unsigned long long)(zswap_region.bytes / KiB), (unsigned long long)zswap_region.start.raw,
		(unsigned long long)u.pages, (unsigned long long)u.pages_used, (unsigned long long)u.objects);
	kprintf("monitor: zswap fragmentation: %s of the used pages hold no data (class rounding %s, "
		"free slots %s, zspage tails %s)\n", unused, rounding, slots, tails);
}

void zswap_print(void)
{
	const struct zswap_area *a = zswap_machine_area();
	if (!a) {
		kprintf("monitor: zswap: no area (zswap=0)\n");
		return;
	}
	print_area(a);
	kprintf("  %-3s %-10s %8s %8s %7s %6s %6s %7s %8s %7s %7s\n", "id", "name", "capKiB", "usedKiB", "pages",
		"same", "ratio", "stored", "rejected", "capped", "swapins");
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		const struct vm_zswap *z = &vm->zswap;
		char r[16];
		ratio(r, sizeof(r), vm->pmap.count[PMAP_COMPRESSED], z->bytes);
		kprintf("  %-3u %-10s %8llu %8llu %7llu %6llu %6s %7llu %8llu %7llu %7llu\n", vm->id, vm->name,
			(unsigned long long)(zswap_cap_bytes(vm) / KiB), (unsigned long long)(z->bytes / KiB),
			(unsigned long long)vm->pmap.count[PMAP_COMPRESSED], (unsigned long long)z->same, r,
			(unsigned long long)(z->stored + z->stored_same), (unsigned long long)z->rejected,
			(unsigned long long)z->capped, (unsigned long long)z->swapins);
	}
	kprintf("  (ratio: the pages' 4 KiB each over the bytes they take in the area)\n");
}

void zswap_print_report(const struct vm *vm, const struct zswap_report *r)
{
	static const char *const stops[] = {
		[ZSWAP_OVER_BUDGET] = "; stopped: the VM's share is full (zswap_max_pct)",
		[ZSWAP_AREA_FULL] = "; stopped: the area is full",
	};
	const char *stop = r->stop == ZSWAP_OVER_BUDGET || r->stop == ZSWAP_AREA_FULL ? stops[r->stop] : "";
	kprintf("monitor: compress vm%u: %llu victims: %llu compressed, %llu same-filled, %llu rejected "
		"(over half a page), %llu bytes of the area%s\n", vm->id, (unsigned long long)r->victims,
		(unsigned long long)r->stored, (unsigned long long)r->same, (unsigned long long)r->rejected,
		(unsigned long long)r->bytes, stop);
	if (vm->zswap.no_accessed_bits)
		kprintf("monitor: compress vm%u: no accessed bits to go by (nested tables without A/D): the clock "
			"took pages in gfn order, used or not\n", vm->id);
	else if (zswap_victims_random())
		kprintf("monitor: compress vm%u: victims drawn at random (swap_victims=random): %llu of them "
			"recently used\n", vm->id, (unsigned long long)r->hot);
	else
		kprintf("monitor: compress vm%u: the clock passed over %llu recently used pages and took %llu "
			"of them (it takes a recently used page only when no cold page is left)\n", vm->id,
			(unsigned long long)r->passed_over, (unsigned long long)r->hot);
}
