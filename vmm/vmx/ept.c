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

/* Tables grant R|W|X: the rights are the leaf's alone (29.3.2). Leaves are
 * write-back (29.3.7); A and D are written only when the EPTP enables them
 * (29.3.5). */
const struct npt_format vmx_ept_format = {
	.present = EPT_RWX,
	.read = EPT_READ,
	.write = EPT_WRITE,
	.exec = EPT_EXECUTE,
	.leaf = MEMORY_TYPE_WB << EPT_MEMORY_TYPE_SHIFT,
	.table = EPT_RWX,
	.accessed = EPT_ACCESSED,
	.dirty = EPT_DIRTY,
	.address = EPT_ADDRESS_MASK,
};

uint64_t vmx_eptp(mfn_t root, bool ad)
{
	return mfn_to_mpa(root).raw | EPTP_MEMORY_TYPE_WB | ((EPT_LEVELS - 1ull) << EPTP_WALK_LENGTH_SHIFT) |
	       (ad ? EPTP_ENABLE_AD : 0);
}

int vmx_vm_init(struct vm *vm)
{
	return npt_init(&vm->npt, &vmx_ept_format);
}

void vmx_vm_destroy(struct vm *vm)
{
	npt_destroy(&vm->npt);
}

void vmx_flush(struct vm *vm)
{
	vm->npt.flush_pending = true;
}

/* One CPU: the flush may wait until this VM runs again. */
void vmx_flush_before_entry(struct vm *vm)
{
	if (!vm->npt.flush_pending)
		return;
	vm->npt.flush_pending = false;
	uint64_t eptp = vmx_eptp(vm->npt.root, vmx_ept_ad());
	enum vmx_status s = vmx_invept(vmx_invept_type(&vmx_caps), eptp);
	if (s != VMX_OK)
		vmx_instruction_failed("INVEPT", eptp, s);
}

int vmx_map(struct vm *vm, gfn_t gfn, mfn_t frame, unsigned prot) { return npt_map(&vm->npt, gfn, frame, prot); }
int vmx_unmap(struct vm *vm, gfn_t gfn) { return npt_unmap(&vm->npt, gfn); }
int vmx_protect(struct vm *vm, gfn_t gfn, unsigned prot) { return npt_protect(&vm->npt, gfn, prot); }
int vmx_lookup(struct vm *vm, gfn_t gfn, mfn_t *out, unsigned *prot) { return npt_lookup(&vm->npt, gfn, out, prot); }

/* Without EPT A/D support (Bochs' arrandale, sandy and ivy bridge models)
 * the bits do not exist: the caller must pick victims another way. */
int vmx_test_and_clear_ad(struct vm *vm, gfn_t gfn)
{
	if (!vmx_ept_ad())
		return -E_NOT_SUPPORTED;
	return npt_test_and_clear_ad(&vm->npt, gfn);
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
		if (!npt_entry_present(&vmx_ept_format, e) || level == 0)
			break;
		table = mpa_to_virt(npt_entry_address(&vmx_ept_format, e));
	}
}
