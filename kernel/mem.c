/* kernel/mem.c — build the machine-frame allocator from the boot memory map
 * and carve out the compressed-swap region. */
#include "kernel/mem.h"
#include "kernel/errno.h"
#include "kernel/memmap.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/string.h"

struct frame_alloc machine_frames;
struct mem_region zswap_region;

/* Below 1 MiB: real-mode IVT, BIOS data, EBDA, option ROMs. Never used. */
#define LOW_MEMORY_END (1 * MiB)
/* The early page tables (boot/entry.S) map only the first 4 GiB. */
#define EARLY_MAP_END (4 * GiB)

static uint32_t collect_holes(const struct boot_info *bi, struct mem_hole *holes)
{
	uint32_t n = 0;
	holes[n++] = (struct mem_hole){ 0, LOW_MEMORY_END };
	holes[n++] = (struct mem_hole){ (uintptr_t)_kernel_start, (uintptr_t)_kernel_end };
	for (uint32_t i = 0; i < bi->module_count; i++)
		holes[n++] = (struct mem_hole){ ALIGN_DOWN(bi->modules[i].start, PAGE_SIZE),
						ALIGN_UP(bi->modules[i].end, PAGE_SIZE) };
	return n;
}

static void reserve_bytes(uint64_t start, uint64_t end)
{
	uint64_t first = start >> PAGE_SHIFT, last = ALIGN_UP(end, PAGE_SIZE) >> PAGE_SHIFT;
	frames_reserve(&machine_frames, mfn(first), last - first);
}

void mem_init(const struct boot_info *bi)
{
	struct mem_hole holes[2 + BOOT_MODULES_MAX];
	uint32_t nholes = collect_holes(bi, holes);
	uint64_t end = memmap_usable_end(bi->mmap, bi->mmap_count);
	if (end > DIRECT_MAP_MAX) {
		kprintf("memvisor: warning: RAM above %llu GiB is not used\n", DIRECT_MAP_MAX / GiB);
		end = DIRECT_MAP_MAX;
	}
	uint64_t nframes = end >> PAGE_SHIFT, bytes = frames_bitmap_bytes(nframes), at;
	if (memmap_find_free(bi->mmap, bi->mmap_count, holes, nholes, bytes, LOW_MEMORY_END, EARLY_MAP_END, &at))
		panic("no room below 4 GiB for the %llu-byte frame bitmap", (unsigned long long)bytes);

	frames_init(&machine_frames, mpa_to_virt(mpa(at)), nframes);
	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_range *r = &bi->mmap[i];
		uint64_t s = ALIGN_UP(r->base, PAGE_SIZE), e = ALIGN_DOWN(r->base + r->length, PAGE_SIZE);
		if (r->type == BOOT_MEM_USABLE && e > s)
			frames_add_ram(&machine_frames, mfn(s >> PAGE_SHIFT), (e - s) >> PAGE_SHIFT);
	}
	/* Anything the map also calls non-usable wins over "usable". */
	for (uint32_t i = 0; i < bi->mmap_count; i++)
		if (bi->mmap[i].type != BOOT_MEM_USABLE)
			reserve_bytes(bi->mmap[i].base, bi->mmap[i].base + bi->mmap[i].length);
	for (uint32_t h = 0; h < nholes; h++)
		reserve_bytes(holes[h].start, holes[h].end);
	reserve_bytes(at, at + bytes);

	kprintf("memvisor: frames: total=%llu free=%llu usable=%llu MiB highest=%#llx\n",
		(unsigned long long)machine_frames.usable, (unsigned long long)machine_frames.free,
		(unsigned long long)(machine_frames.usable * PAGE_SIZE / MiB), (unsigned long long)end);
}

void mem_reserve_zswap(uint64_t bytes)
{
	uint64_t frames = PAGES_FOR_BYTES(bytes);
	zswap_region = (struct mem_region){ mpa(0), 0 };
	if (!frames) {
		kprintf("memvisor: zswap: none reserved (zswap=0)\n");
		return;
	}
	mfn_t first;
	if (frames_alloc_contig(&machine_frames, frames, &first)) {
		char msg[120];
		ksnprintf(msg, sizeof(msg), "%llu KiB of contiguous free RAM is not available (%llu KiB free in all)",
			  (unsigned long long)(frames * PAGE_SIZE / KiB),
			  (unsigned long long)(machine_frames.free * PAGE_SIZE / KiB));
		options_error("zswap", msg);
	}
	zswap_region = (struct mem_region){ mfn_to_mpa(first), frames * PAGE_SIZE };
	kprintf("memvisor: zswap: reserved %llu KiB at mpa %#llx-%#llx\n",
		(unsigned long long)(zswap_region.bytes / KiB), (unsigned long long)zswap_region.start.raw,
		(unsigned long long)(zswap_region.start.raw + zswap_region.bytes));
}

int mem_try_alloc_zeroed(mfn_t *out)
{
	if (frames_alloc(&machine_frames, out))
		return -E_NO_MEMORY;
	memset(mfn_to_virt(*out), 0, PAGE_SIZE);
	return 0;
}

mfn_t mem_alloc_zeroed_frame(void)
{
	mfn_t f;
	if (mem_try_alloc_zeroed(&f))
		panic("out of machine frames");
	return f;
}

int mem_alloc_all_ones(unsigned pages, mpa_t *out)
{
	mfn_t first;
	if (frames_alloc_contig(&machine_frames, pages, &first))
		return -E_NO_MEMORY;
	memset(mfn_to_virt(first), 0xff, pages * PAGE_SIZE);
	*out = mfn_to_mpa(first);
	return 0;
}

int mem_alloc_bytes(uint64_t bytes, void **out)
{
	mfn_t first;
	if (frames_alloc_contig(&machine_frames, PAGES_FOR_BYTES(bytes), &first))
		return -E_NO_MEMORY;
	*out = mfn_to_virt(first);
	return 0;
}

void mem_free_bytes(void *p, uint64_t bytes)
{
	mfn_t first = virt_to_mfn(p);
	for (uint64_t i = 0; i < PAGES_FOR_BYTES(bytes); i++)
		mem_free_frame(mfn(first.raw + i));
}

void mem_free_frame(mfn_t f)
{
	int rc = frames_free(&machine_frames, f);
	if (rc)
		panic("freeing machine frame %#llx: %s", (unsigned long long)f.raw,
		      rc == -E_DOUBLE_FREE ? "already free" : "not a RAM frame");
}
