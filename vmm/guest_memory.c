/* vmm/guest_memory.c — the guests' memory at start, once guests= is parsed:
 * the frame table sized for every guest page, and the budget guest_mem=
 * sets (docs/design.md, "Memory states and the policy"), checked against
 * what each guest needs to start. */
#include "vmm/guest_memory.h"
#include "vmm/guests_option.h"
#include "vmm/vmm.h"
#include "vmm/vm.h"
#include "vmm/mm/guest_image.h"
#include "vmm/mm/memory.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/shutdown.h"

struct frame_table frame_table;

/* memvisor's own memory (nested tables, VMCBs) comes from what the guests
 * do not get: 1/64 of the free frames when guest_mem= is not given. */
#define OVERHEAD_SHARE 64

/* What a guest touches before its own work starts, besides its image: the
 * page tables it builds for itself (PML4, PDPT, PDs, PTs: SDM Vol. 3A 4.5),
 * its frame allocator's bitmap and its first allocations. hello, the
 * smallest, holds 32 frames when it ends, 24 of them its image. */
#define GUEST_START_PAGES 32

/* guest_mem= must let every guest at least start: a smaller budget is an
 * option error (it would make the first guest wait forever, or divide the
 * overcommit ratio by zero), as is one that is not whole pages. */
static void check_guest_mem(uint64_t budget)
{
	char msg[160];
	if (options.guest_mem % PAGE_SIZE) {
		ksnprintf(msg, sizeof(msg), "%llu bytes is not a multiple of 4K", (unsigned long long)options.guest_mem);
		options_error("guest_mem", msg);
	}
	for (uint32_t i = 0; i < vm_count; i++) {
		uint64_t need = guest_image_pages(&vms[i]) + GUEST_START_PAGES;
		if (budget >= need)
			continue;
		ksnprintf(msg, sizeof(msg), "%llu KiB is less than the %llu KiB %s needs to start (its image and "
			  "%u KiB for its page tables and allocator)", (unsigned long long)(budget * PAGE_SIZE / KiB),
			  (unsigned long long)(need * PAGE_SIZE / KiB), vms[i].name, (unsigned)(GUEST_START_PAGES * PAGE_SIZE / KiB));
		options_error("guest_mem", msg);
	}
}

/* The guests' budget (guest_mem=), once their PMAPs are allocated. Without
 * guest_mem= each VM must fit in the machine alone; with it, they may ask
 * for more (overcommit): then the memory-state policy reclaims, and a VM
 * that needs a frame waits. */
void guest_memory_budget_setup(void)
{
	uint64_t avail = machine_frames.free - machine_frames.free / OVERHEAD_SHARE;
	uint64_t budget = options.guest_mem ? options.guest_mem >> PAGE_SHIFT : avail, asked = 0;
	if (budget > avail) {
		char msg[128];
		ksnprintf(msg, sizeof(msg), "%llu KiB is more than the %llu KiB free for guests",
			  (unsigned long long)(budget * PAGE_SIZE / KiB), (unsigned long long)(avail * PAGE_SIZE / KiB));
		options_error("guest_mem", msg);
	}
	if (options.guest_mem)
		check_guest_mem(budget);
	if (!budget) {
		kprintf("memvisor: error: no machine memory is left for the guests\n");
		shutdown(STATUS_NO_MEMORY, "no-memory");
	}
	for (uint32_t i = 0; i < vm_count; i++) {
		uint64_t pages = vms[i].mem_bytes >> PAGE_SHIFT;
		if (pages > budget && !options.guest_mem) /* with guest_mem=, overcommit is asked for */
			guests_option_error("%s needs %llu KiB, more than the %llu KiB the guests may use", vms[i].name,
				     (unsigned long long)(vms[i].mem_bytes / KiB),
				     (unsigned long long)(budget * PAGE_SIZE / KiB));
		asked += pages;
	}
	guest_frames.budget = budget;
	kprintf("memvisor: guest memory: %llu KiB for %llu KiB of guests (overcommit %llu.%02llux)\n",
		(unsigned long long)(budget * PAGE_SIZE / KiB), (unsigned long long)(asked * PAGE_SIZE / KiB),
		(unsigned long long)(asked / budget), (unsigned long long)(asked * 100 / budget % 100));
}

int vmm_frame_table_setup(uint64_t guest_pages)
{
	uint64_t nframes = machine_frames.nframes;
	uint64_t bytes = nframes * sizeof(struct frame_info) + guest_pages * sizeof(struct rmap_entry);
	void *storage;
	if (mem_alloc_bytes(bytes, &storage))
		return -E_NO_MEMORY;
	struct frame_info *frames = storage;
	frame_table_init(&frame_table, frames, nframes, (struct rmap_entry *)(frames + nframes),
			 (uint32_t)guest_pages);
	return 0;
}

void guest_memory_frame_table_setup(void)
{
	uint64_t guest_pages = 0;
	for (uint32_t i = 0; i < vm_count; i++)
		guest_pages += vms[i].mem_bytes >> PAGE_SHIFT;
	if (vmm_frame_table_setup(guest_pages))
		guests_option_error("no room for the frame table of %llu guest pages", (unsigned long long)guest_pages);
}
