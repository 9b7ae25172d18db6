/* vmm/share/ops.c — struct share_ops for the running hypervisor (ops.h). */
#include "vmm/share/ops.h"
#include "vmm/share/marks.h"
#include "vmm/mm/guest_frames.h"
#include "vmm/vm.h"
#include "kernel/mmu.h"

static void *op_frame_ptr(mfn_t f) { return mfn_to_virt(f); }
static int op_frame_alloc(mfn_t *out) { return vm_frame_alloc(out); }

static void op_frame_free(mfn_t f)
{
	share_mark(f, false); /* the engine took it out of the table already */
	vm_frame_free(f);
}

static struct pmap *op_pmap_of(uint32_t vm_id)
{
	struct vm *vm = vm_with_memory(vm_id);
	return vm ? &vm->pmap : NULL;
}

static void op_cache_update(uint32_t vm_id, gfn_t gfn, mfn_t f, bool writable)
{
	struct vm *vm = vm_by_id(vm_id);
	mfn_t cur;
	unsigned prot;
	if (backend->lookup(vm, gfn, &cur, &prot))
		return; /* not cached: the next access maps it from the PMAP */
	backend->map(vm, gfn, f, writable ? NPT_RWX : NPT_READ | NPT_EXEC);
	backend->flush(vm);
}

static void op_cache_drop(uint32_t vm_id, gfn_t gfn)
{
	struct vm *vm = vm_by_id(vm_id);
	backend->unmap(vm, gfn);
	backend->flush(vm);
}

const struct share_ops share_machine_ops = {
	op_frame_ptr, op_frame_alloc, op_frame_free, op_pmap_of, op_cache_update, op_cache_drop,
};
