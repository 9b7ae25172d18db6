/* vmm/mm/nested_pt.c — walking and building nested page tables (see nested_pt.h). */
#include "vmm/mm/nested_pt.h"
#include "kernel/errno.h"
#include "kernel/lab.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"

#define NPT_INDEX(gfn, level) (((gfn) >> (9 * (level))) & (PT_ENTRIES - 1))

int npt_init(struct nested_pt *npt, const struct npt_format *fmt)
{
	npt->fmt = fmt;
	npt->table_frames = 0;
	if (mem_try_alloc_zeroed(&npt->root))
		return -E_NO_MEMORY;
	npt->table_frames = 1;
	return 0;
}

uint64_t *npt_leaf(struct nested_pt *npt, gfn_t gfn, bool create)
{
	if (gfn.raw >= NPT_MAX_GFN)
		return NULL;
	/* LAB 2.1 demand-paging: walk from the root table down the levels
	 * NPT_LEVELS-1 .. 1, indexing each table with NPT_INDEX; where an
	 * entry is not present, give up (NULL) unless `create`, then put a
	 * zeroed frame there as the next table (count it in table_frames).
	 * Return the slot of gfn in the last table. Entries are read and made
	 * only through npt->fmt: the same walk serves NPT and EPT. */
	uint64_t *table = mfn_to_virt(npt->root);
	for (int level = NPT_LEVELS - 1; level > 0; level--) {
		uint64_t *slot = &table[NPT_INDEX(gfn.raw, level)];
		if (!npt->fmt->present(*slot)) {
			mfn_t f;
			if (!create || mem_try_alloc_zeroed(&f))
				return NULL;
			npt->table_frames++;
			*slot = npt->fmt->table_entry(mfn_to_mpa(f));
		}
		table = mpa_to_virt(npt->fmt->address(*slot));
	}
	return &table[NPT_INDEX(gfn.raw, 0)];
	/* LAB 2.1 end. The skeleton has instead:
	 *	(void)npt;
	 *	(void)create;
	 *	LAB_MISSING("demand-paging", "npt_leaf");
	 */
}

static void free_level(struct nested_pt *npt, mpa_t table_mpa, int level)
{
	uint64_t *table = mpa_to_virt(table_mpa);
	if (level > 0)
		for (int i = 0; i < PT_ENTRIES; i++)
			if (npt->fmt->present(table[i]))
				free_level(npt, npt->fmt->address(table[i]), level - 1);
	mem_free_frame(mpa_to_mfn(table_mpa));
	npt->table_frames--;
}

void npt_destroy(struct nested_pt *npt)
{
	if (npt->table_frames)
		free_level(npt, mfn_to_mpa(npt->root), NPT_LEVELS - 1);
}
