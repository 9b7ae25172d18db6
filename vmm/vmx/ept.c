/* vmm/vmx/ept.c — Intel extended page tables: the gpa → mpa translation,
 * built by vmm/mm/nested_pt.c with EPT's own entry format.
 * See: Intel SDM (rev. 084, June 2024) Vol. 3C 29.3 "The Extended Page
 * Table Mechanism (EPT)", 29.3.5 (accessed and dirty flags), 29.3.7
 * (memory typing), 29.4.3 (invalidating cached translations, INVEPT).
 *
 * How EPT differs from x86 paging (and from AMD's NPT, vmm/svm/npt.c):
 *  - "present" is R, W or X set, and each level carries its own rights;
 *  - a leaf names the memory type of the frame: write-back here;
 *  - W without R is a misconfiguration (exit 49), not a fault, so a
 *    mapping without NPT_READ is left not present;
 *  - accessed/dirty are bits 8 and 9, set only when the EPTP enables them.
 */
#include "vmm/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/mmu.h"
#include "kernel/printf.h"

#define EPT_LEVELS 4

struct vmx_vm {
	bool flush_pending; /* INVEPT before this VM's next entry */
};
static struct vmx_vm vmx_vms[VM_MAX];

static uint64_t ept_table_entry(mpa_t table) { return table.raw | EPT_RWX; }
static bool ept_present(uint64_t e) { return e & EPT_RWX; }
static mpa_t ept_address(uint64_t e) { return mpa(e & EPT_ADDRESS_MASK); }

static uint64_t ept_leaf_entry(mpa_t frame, unsigned prot)
{
	if (!(prot & NPT_READ))
		return 0;
	return frame.raw | EPT_READ | ((prot & NPT_WRITE) ? EPT_WRITE : 0) | ((prot & NPT_EXEC) ? EPT_EXECUTE : 0) |
	       (MEMORY_TYPE_WB << EPT_MEMORY_TYPE_SHIFT);
}

const struct npt_format vmx_ept_format = {
	.table_entry = ept_table_entry,
	.leaf_entry = ept_leaf_entry,
	.present = ept_present,
	.address = ept_address,
};

uint64_t vmx_eptp(mfn_t root, bool ad)
{
	return mfn_to_mpa(root).raw | EPTP_MEMORY_TYPE_WB | ((EPT_LEVELS - 1ull) << EPTP_WALK_LENGTH_SHIFT) |
	       (ad ? EPTP_ENABLE_AD : 0);
}

static struct vmx_vm *arch(struct vm *vm) { return &vmx_vms[vm->id - 1]; }

int vmx_vm_init(struct vm *vm)
{
	vm->arch = arch(vm);
	/* A new root may sit where an old VM's did: drop what is cached. */
	arch(vm)->flush_pending = true;
	return npt_init(&vm->npt, &vmx_ept_format);
}

void vmx_vm_destroy(struct vm *vm)
{
	npt_destroy(&vm->npt);
}

void vmx_flush(struct vm *vm)
{
	arch(vm)->flush_pending = true;
}

/* One CPU: the flush may wait until this VM runs again. */
void vmx_flush_before_entry(struct vm *vm)
{
	if (!arch(vm)->flush_pending)
		return;
	arch(vm)->flush_pending = false;
	uint64_t eptp = vmx_eptp(vm->npt.root, vmx_ept_ad());
	bool single = vmx_caps.ept_vpid & EPT_CAP_INVEPT_SINGLE_CONTEXT;
	enum vmx_status s = vmx_invept(single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT, eptp);
	if (s != VMX_OK)
		vmx_instruction_failed("INVEPT", eptp, s);
}

int vmx_map(struct vm *vm, gfn_t gfn, mfn_t frame, unsigned prot)
{
	uint64_t *leaf = npt_leaf(&vm->npt, gfn, true);
	if (!leaf)
		return -E_NO_MEMORY;
	bool was_present = ept_present(*leaf);
	*leaf = ept_leaf_entry(mfn_to_mpa(frame), prot);
	if (was_present)
		vmx_flush(vm); /* a changed translation may be cached */
	return 0;
}

static uint64_t *present_leaf(struct vm *vm, gfn_t gfn)
{
	uint64_t *leaf = npt_leaf(&vm->npt, gfn, false);
	return leaf && ept_present(*leaf) ? leaf : NULL;
}

int vmx_unmap(struct vm *vm, gfn_t gfn)
{
	uint64_t *leaf = present_leaf(vm, gfn);
	if (!leaf)
		return -E_NOT_FOUND;
	*leaf = 0;
	vmx_flush(vm);
	return 0;
}

int vmx_protect(struct vm *vm, gfn_t gfn, unsigned prot)
{
	uint64_t *leaf = present_leaf(vm, gfn);
	if (!leaf)
		return -E_NOT_FOUND;
	uint64_t ad = *leaf & (EPT_ACCESSED | EPT_DIRTY);
	uint64_t e = ept_leaf_entry(ept_address(*leaf), prot);
	*leaf = e ? e | ad : 0;
	vmx_flush(vm);
	return 0;
}

int vmx_lookup(struct vm *vm, gfn_t gfn, mfn_t *out, unsigned *prot)
{
	uint64_t *leaf = present_leaf(vm, gfn);
	if (!leaf)
		return -E_NOT_FOUND;
	*out = mpa_to_mfn(ept_address(*leaf));
	*prot = ((*leaf & EPT_READ) ? NPT_READ : 0) | ((*leaf & EPT_WRITE) ? NPT_WRITE : 0) |
		((*leaf & EPT_EXECUTE) ? NPT_EXEC : 0);
	return 0;
}

/* Without EPT A/D support (Bochs' arrandale, sandy and ivy bridge models)
 * the bits do not exist: the caller must pick victims another way. */
int vmx_test_and_clear_ad(struct vm *vm, gfn_t gfn)
{
	if (!vmx_ept_ad())
		return -E_NOT_SUPPORTED;
	uint64_t *leaf = present_leaf(vm, gfn);
	if (!leaf)
		return -E_NOT_FOUND;
	int bits = ((*leaf & EPT_ACCESSED) ? NPT_ACCESSED : 0) | ((*leaf & EPT_DIRTY) ? NPT_DIRTY : 0);
	*leaf &= ~(EPT_ACCESSED | EPT_DIRTY);
	/* The CPU sets A/D only while it walks, so cached translations must go. */
	vmx_flush(vm);
	return bits;
}

/* For an EPT misconfiguration: the entry at each level of gpa's walk. */
void vmx_ept_print_walk(struct vm *vm, uint64_t gpa)
{
	static const char *const level_names[EPT_LEVELS] = { "PTE", "PDE", "PDPTE", "PML4E" };
	uint64_t *table = mfn_to_virt(vm->npt.root);
	kprintf("  ept walk for gpa %#llx (EPTP %#llx):\n", (unsigned long long)gpa,
		(unsigned long long)vmx_eptp(vm->npt.root, vmx_ept_ad()));
	for (int level = EPT_LEVELS - 1; level >= 0; level--) {
		unsigned index = PT_INDEX(gpa, PT_SHIFT + PT_INDEX_BITS * level);
		uint64_t e = table[index];
		kprintf("    %-5s [%3u] = %#018llx  %c%c%c type=%llu%s%s\n", level_names[level], index,
			(unsigned long long)e, (e & EPT_READ) ? 'R' : '-', (e & EPT_WRITE) ? 'W' : '-',
			(e & EPT_EXECUTE) ? 'X' : '-', (unsigned long long)((e >> EPT_MEMORY_TYPE_SHIFT) & 7),
			(e & EPT_ACCESSED) ? " A" : "", (e & EPT_DIRTY) ? " D" : "");
		if (!ept_present(e) || level == 0)
			break;
		table = mpa_to_virt(ept_address(e));
	}
}
