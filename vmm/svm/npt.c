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

#define NPT_TABLE_FLAGS (PTE_PRESENT | PTE_WRITE | PTE_USER)

struct svm_vm {
	bool flush_pending;
};
static struct svm_vm svm_vms[VM_MAX];

static uint64_t npt_table_entry(mpa_t table) { return table.raw | NPT_TABLE_FLAGS; }
static bool npt_present(uint64_t e) { return e & PTE_PRESENT; }
static mpa_t npt_address(uint64_t e) { return mpa(e & PTE_ADDR_MASK); }

static uint64_t npt_leaf_entry(mpa_t frame, unsigned prot)
{
	if (!(prot & NPT_READ))
		return 0; /* x86 paging cannot express write- or exec-only */
	return frame.raw | PTE_PRESENT | PTE_USER | ((prot & NPT_WRITE) ? PTE_WRITE : 0);
}

static const struct npt_format svm_npt_format = {
	.table_entry = npt_table_entry,
	.leaf_entry = npt_leaf_entry,
	.present = npt_present,
	.address = npt_address,
};

static struct svm_vm *arch(struct vm *vm) { return &svm_vms[vm->id - 1]; }

int svm_vm_init(struct vm *vm)
{
	vm->arch = arch(vm);
	arch(vm)->flush_pending = true;
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
	arch(vm)->flush_pending = true;
}

/* The TLB tags guest translations with the ASID only (APM 15.16): entries
 * a VM left under a shared ASID stay valid for the next VM using it, so a
 * change of user is a flush, whichever VM comes back. */
bool svm_take_flush(struct vm *vm)
{
	uint32_t asid = svm_asid(vm);
	bool reused = asid_last_vm[asid] != vm->id;
	bool f = arch(vm)->flush_pending || reused;
	asid_last_vm[asid] = vm->id;
	arch(vm)->flush_pending = false;
	return f;
}

int svm_map(struct vm *vm, gfn_t gfn, mfn_t frame, unsigned prot)
{
	uint64_t *leaf = npt_leaf(&vm->npt, gfn, true);
	if (!leaf)
		return -E_NO_MEMORY;
	bool was_present = *leaf & PTE_PRESENT;
	*leaf = npt_leaf_entry(mfn_to_mpa(frame), prot);
	if (was_present)
		svm_flush(vm); /* a changed translation may be cached */
	return 0;
}

int svm_unmap(struct vm *vm, gfn_t gfn)
{
	uint64_t *leaf = npt_leaf(&vm->npt, gfn, false);
	if (!leaf || !(*leaf & PTE_PRESENT))
		return -E_NOT_FOUND;
	*leaf = 0;
	svm_flush(vm);
	return 0;
}

int svm_protect(struct vm *vm, gfn_t gfn, unsigned prot)
{
	uint64_t *leaf = npt_leaf(&vm->npt, gfn, false);
	if (!leaf || !(*leaf & PTE_PRESENT))
		return -E_NOT_FOUND;
	*leaf = npt_leaf_entry(npt_address(*leaf), prot) | (*leaf & (PTE_ACCESSED | PTE_DIRTY));
	svm_flush(vm);
	return 0;
}

int svm_lookup(struct vm *vm, gfn_t gfn, mfn_t *out, unsigned *prot)
{
	uint64_t *leaf = npt_leaf(&vm->npt, gfn, false);
	if (!leaf || !(*leaf & PTE_PRESENT))
		return -E_NOT_FOUND;
	*out = mpa_to_mfn(npt_address(*leaf));
	*prot = NPT_READ | NPT_EXEC | ((*leaf & PTE_WRITE) ? NPT_WRITE : 0);
	return 0;
}

int svm_test_and_clear_ad(struct vm *vm, gfn_t gfn)
{
	uint64_t *leaf = npt_leaf(&vm->npt, gfn, false);
	if (!leaf || !(*leaf & PTE_PRESENT))
		return -E_NOT_FOUND;
	int bits = ((*leaf & PTE_ACCESSED) ? NPT_ACCESSED : 0) | ((*leaf & PTE_DIRTY) ? NPT_DIRTY : 0);
	*leaf &= ~(PTE_ACCESSED | PTE_DIRTY);
	/* The CPU sets A/D again only on a walk, so cached translations must
	 * go (QEMU re-sets A even without this; hardware does not). */
	svm_flush(vm);
	return bits;
}
