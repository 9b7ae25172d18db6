/* vmm/svm/npt.c — AMD nested page tables: ordinary x86-64 page-table
 * entries, walked by the CPU with the gpa as the "virtual" address.
 * See: APM Vol. 2 15.25 "Nested Paging".
 *
 * Rules that differ from the host's own tables (15.25.5):
 *  - every level is a user-level access: U/S must be 1, or the walk faults;
 *  - memvisor leaves host EFER.NXE = 0, so bit 63 (NX) would be a reserved
 *    bit: nested mappings are always executable.
 */
#include "vmm/svm/svm.h"
#include "kernel/errno.h"
#include "kernel/mmu.h"

/* Every level: present, writable, user (15.25.5); a leaf's rights come
 * from P (read) and R/W alone, NX being reserved here. */
const struct npt_format svm_npt_format = {
	.present = PTE_PRESENT,
	.read = PTE_PRESENT,
	.write = PTE_WRITE,
	.exec = 0,
	.leaf = PTE_USER,
	.table = PTE_PRESENT | PTE_WRITE | PTE_USER,
	.accessed = PTE_ACCESSED,
	.dirty = PTE_DIRTY,
	.address = PTE_ADDR_MASK,
};

int svm_vm_init(struct vm *vm)
{
	return npt_init(&vm->npt, &svm_npt_format);
}

void svm_vm_destroy(struct vm *vm)
{
	npt_destroy(&vm->npt);
}

/* Which VM last ran under each ASID the VMs use (0: none yet). */
static uint32_t asid_last_vm[VM_MAX + 1];

uint32_t svm_asid(const struct vm *vm)
{
	/* ASID 0 is the host's. With more VMs than ASIDs the last ones share
	 * the highest ASID, and svm_take_flush() flushes it whenever it passes
	 * from one VM to another. */
	return vm->id < svm_caps.asids ? vm->id : svm_caps.asids - 1;
}

void svm_flush(struct vm *vm)
{
	vm->npt.flush_pending = true;
}

/* The TLB tags guest translations with the ASID only (APM 15.16): entries
 * a VM left under a shared ASID stay valid for the next VM using it, so a
 * change of user is a flush, whichever VM comes back. */
bool svm_take_flush(struct vm *vm)
{
	uint32_t asid = svm_asid(vm);
	bool reused = asid_last_vm[asid] != vm->id;
	bool f = vm->npt.flush_pending || reused;
	asid_last_vm[asid] = vm->id;
	vm->npt.flush_pending = false;
	return f;
}

int svm_map(struct vm *vm, gfn_t gfn, mfn_t frame, unsigned prot) { return npt_map(&vm->npt, gfn, frame, prot); }
int svm_unmap(struct vm *vm, gfn_t gfn) { return npt_unmap(&vm->npt, gfn); }
int svm_protect(struct vm *vm, gfn_t gfn, unsigned prot) { return npt_protect(&vm->npt, gfn, prot); }
int svm_lookup(struct vm *vm, gfn_t gfn, mfn_t *out, unsigned *prot) { return npt_lookup(&vm->npt, gfn, out, prot); }
int svm_test_and_clear_ad(struct vm *vm, gfn_t gfn) { return npt_test_and_clear_ad(&vm->npt, gfn); }
