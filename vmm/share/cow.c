/* vmm/share/cow.c — copy-on-write and the release of a SHARED gfn, for the
 * fault path (see cow.h). The transitions are vmm/share/share.c's. */
#include "vmm/share/cow.h"
#include "vmm/share/check.h"
#include "vmm/share/marks.h"
#include "vmm/share/scan.h"
#include "kernel/errno.h"
#include "kernel/panic.h"

int share_cow(struct vm *vm, gfn_t gfn, mfn_t *out)
{
	if (!share_engine.ops)
		panic("vm%u gfn %#llx is SHARED but page sharing never started", vm->id, (unsigned long long)gfn.raw);
	int rc = share_break(&share_engine, vm->id, vm->share.salt, gfn, out);
	if (rc == -E_NO_MEMORY || rc == -E_NOT_IMPLEMENTED) /* the VM waits; or a lab skeleton stops it */
		return rc;
	if (rc < 0)
		panic("page sharing: copy-on-write of vm%u gfn %#llx failed (%d)", vm->id, (unsigned long long)gfn.raw,
		      rc);
	if (rc == SHARE_BREAK_REOWNED)
		share_mark(*out, false);
	vm->share.cow_breaks++;
	share_check_after("breaking (copy-on-write)", vm, gfn);
	return 0;
}

bool share_fault_is_write(struct vm *vm, gfn_t gfn)
{
	pmap_entry_t e;
	mfn_t mapped;
	unsigned prot;
	if (pmap_get(&vm->pmap, gfn, &e) || pmap_entry_state(e) != PMAP_SHARED)
		return false;
	return !backend->lookup(vm, gfn, &mapped, &prot) && mapped.raw == pmap_entry_mfn(e).raw &&
	       !(prot & NPT_WRITE);
}

void share_release_gfn(struct vm *vm, gfn_t gfn, mfn_t f)
{
	share_put(&share_engine, vm->id, vm->share.salt, gfn, f);
	if (share_engine.totals.bugs)
		panic("page sharing: vm%u gfn %#llx was not a user of mfn %#llx", vm->id, (unsigned long long)gfn.raw,
		      (unsigned long long)f.raw);
}
