/* vmm/share/check.c — page sharing's invariants, and the checks after each
 * merge and break (see check.h). */
#include "vmm/share/check.h"
#include "vmm/share/page_hash.h"
#include "vmm/share/scan.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/panic.h"

static check_violation_fn violation;
static unsigned (*check_all)(void);
static uint64_t checks;

struct salt_check {
	mfn_t frame;
	uint64_t salt;
	uint32_t users;
};

static bool check_sharer(uint32_t vm_id, gfn_t gfn, void *ctx)
{
	struct salt_check *c = ctx;
	struct vm *vm = vm_with_memory(vm_id);
	pmap_entry_t e;
	c->users++;
	if (!vm || pmap_get(&vm->pmap, gfn, &e) || pmap_entry_state(e) != PMAP_SHARED)
		violation("shared mfn %#llx is used by vm%u gfn %#llx, which is not SHARED", (unsigned long long)c->frame.raw,
			  vm_id, (unsigned long long)gfn.raw);
	else if (vm->share.off || vm->share.salt != c->salt)
		violation("shared mfn %#llx (salt %llu) is used by vm%u, salt %llu%s", (unsigned long long)c->frame.raw,
			  (unsigned long long)c->salt, vm_id, (unsigned long long)vm->share.salt,
			  vm->share.off ? ", share=off" : "");
	return true;
}

/* Every FRAME entry of the share table; returns the users they have. */
static uint64_t check_share_table(void)
{
	uint64_t users = 0, frames = 0;
	const struct share_table *t = &share_engine.table;
	for (uint32_t i = 0; t->slots && i < t->nslots; i++) {
		const struct share_entry *e = &t->slots[i];
		if (e->kind != SHARE_FRAME)
			continue;
		const void *page = mfn_to_virt((mfn_t){ e->mfn });
		bool zero = page_is_zero(page);
		if (zero != e->zero || (zero ? share_engine.zero_hash : page_hash(page)) != e->hash)
			violation("shared mfn %#llx no longer holds what it held when merged", (unsigned long long)e->mfn);
		struct salt_check c = { { e->mfn }, e->salt, 0 };
		frame_table_for_each_user(&frame_table, c.frame, check_sharer, &c);
		if (!c.users)
			violation("the share table names mfn %#llx, which has no users", (unsigned long long)e->mfn);
		users += c.users;
		frames++;
	}
	if (frames != share_engine.totals.frames)
		violation("the share table holds %llu frames, its count says %llu", (unsigned long long)frames,
			  (unsigned long long)share_engine.totals.frames);
	return users;
}

/* Private frames have one user; every SHARED gfn is a table frame's. */
void share_check_invariants(check_violation_fn report)
{
	uint64_t shared = 0;
	violation = report;
	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		for (uint64_t g = 0; vm->pmap.entries && g < vm->pmap.npages; g++) {
			pmap_entry_t e = vm->pmap.entries[g];
			shared += pmap_entry_state(e) == PMAP_SHARED;
			if (pmap_entry_state(e) == PMAP_PRIVATE && frame_table_refcount(&frame_table, pmap_entry_mfn(e)) != 1)
				violation("vm%u gfn %#llx is private on mfn %#llx, which has %u users", vm->id,
					  (unsigned long long)g, (unsigned long long)pmap_entry_mfn(e).raw,
					  frame_table_refcount(&frame_table, pmap_entry_mfn(e)));
		}
	}
	uint64_t in_table = check_share_table();
	if (in_table != shared)
		violation("%llu gfns are SHARED but the share table's frames have %llu users", (unsigned long long)shared,
			  (unsigned long long)in_table);
}


void share_check_use(unsigned (*check_every_invariant)(void))
{
	check_all = check_every_invariant;
}

void share_check_after(const char *what, const struct vm *vm, gfn_t gfn)
{
	if (share_engine.totals.bugs)
		panic("page sharing: a PMAP or frame-table transition failed (%s vm%u gfn %#llx)", what, vm->id,
		      (unsigned long long)gfn.raw);
	if (!options.share_check || !check_all)
		return;
	checks++;
	unsigned bad = check_all();
	if (bad)
		panic("%u invariant violations after %s vm%u gfn %#llx", bad, what, vm->id,
		      (unsigned long long)gfn.raw);
}

uint64_t share_checks_done(void)
{
	return checks;
}
