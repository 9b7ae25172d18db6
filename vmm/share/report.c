/* vmm/share/report.c — page sharing's figures for the stats lines and the
 * monitor (esxtop's memory view: SHRD, SHRDSVD, ZERO). Derived from the
 * PMAPs and the frame table when asked, except the event counts. */
#include "vmm/share/scan.h"
#include "vmm/share/check.h"
#include "kernel/printf.h"

void share_vm_counts(const struct vm *vm, struct share_figures *out)
{
	*out = (struct share_figures){ 0, 0 };
	if (share_engine.ops && vm->pmap.entries && !vm->share.off)
		share_vm_figures(&share_engine, &vm->pmap, vm->share.salt, out);
}

/* Machine-wide: pages on non-zero shared frames less those frames is
 * exactly the frames sharing saves (a frame with r users saves r - 1). */
void share_machine_counts(struct share_machine_figures *out)
{
	uint64_t nonzero_pages = 0;
	*out = (struct share_machine_figures){ 0 };
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		struct share_figures f;
		share_vm_counts(vm, &f);
		uint64_t shared = vm->pmap.entries ? vm->pmap.count[PMAP_SHARED] : 0;
		out->shared += shared;
		out->zero += f.zero;
		nonzero_pages += shared - f.zero;
		out->cow_breaks += vm->share.cow_breaks;
		out->pages_scanned += vm->share.pages_scanned;
	}
	const struct share_totals *t = &share_engine.totals;
	uint64_t nonzero_frames = t->frames - t->zero_frames;
	out->saved = nonzero_pages > nonzero_frames ? nonzero_pages - nonzero_frames : 0;
	out->full_scans = share_rounds();
}

void share_print_table(void)
{
	kprintf("  %-3s %-10s %-5s %-4s %7s %7s %6s %6s %9s %5s\n", "id", "name", "salt", "on", "shared", "saved",
		"zero", "cow", "scanned", "scans");
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		struct share_figures f;
		share_vm_counts(vm, &f);
		kprintf("  %-3u %-10s %-5llu %-4s %7llu %7llu %6llu %6llu %9llu %5llu\n", vm->id, vm->name,
			(unsigned long long)vm->share.salt, vm->share.off ? "off" : "on",
			(unsigned long long)(vm->pmap.entries ? vm->pmap.count[PMAP_SHARED] : 0),
			(unsigned long long)f.saved, (unsigned long long)f.zero, (unsigned long long)vm->share.cow_breaks,
			(unsigned long long)vm->share.pages_scanned, (unsigned long long)vm->share.full_scans);
	}
	struct share_machine_figures m;
	share_machine_counts(&m);
	const struct share_totals *t = &share_engine.totals;
	kprintf("  machine: shared %llu, saved %llu, zero %llu, cow breaks %llu, scanned %llu, full scans %llu\n",
		(unsigned long long)m.shared, (unsigned long long)m.saved, (unsigned long long)m.zero,
		(unsigned long long)m.cow_breaks, (unsigned long long)m.pages_scanned, (unsigned long long)m.full_scans);
	kprintf("  frames: %llu shared (%llu zero); merges %llu, copies %llu, reowned %llu, collisions %llu, "
		"stale hints %llu, hints in table %u, invariant checks %llu\n",
		(unsigned long long)t->frames, (unsigned long long)t->zero_frames, (unsigned long long)t->merges,
		(unsigned long long)t->cow_copies, (unsigned long long)t->cow_reowns, (unsigned long long)t->collisions,
		(unsigned long long)t->stale_hints, share_engine.table.hints, (unsigned long long)share_checks_done());
}
