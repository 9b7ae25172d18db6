/* vmm/mm/nested_pt.c — walking and building nested page tables (see nested_pt.h). */
#include "vmm/mm/nested_pt.h"
#include "kernel/errno.h"
#include "kernel/lab.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "vmm/backend.h" /* NPT_READ, NPT_ACCESSED, ... */

#define NPT_INDEX(gfn, level) (((gfn) >> (9 * (level))) & (PT_ENTRIES - 1))

int npt_init(struct nested_pt *npt, const struct npt_format *fmt)
{
	npt->fmt = fmt;
	npt->table_frames = 0;
	/* A new root may sit where an old VM's did: drop what is cached. */
	npt->flush_pending = true;
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
	 * only through npt_entry_present(), npt_entry_address() and
	 * npt_table_entry() with npt->fmt: the same walk serves NPT and EPT. */
	uint64_t *table = mfn_to_virt(npt->root);
	for (int level = NPT_LEVELS - 1; level > 0; level--) {
		uint64_t *slot = &table[NPT_INDEX(gfn.raw, level)];
		if (!npt_entry_present(npt->fmt, *slot)) {
			mfn_t f;
			if (!create || mem_try_alloc_zeroed(&f))
				return NULL;
			npt->table_frames++;
			*slot = npt_table_entry(npt->fmt, mfn_to_mpa(f));
		}
		table = mpa_to_virt(npt_entry_address(npt->fmt, *slot));
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
			if (npt_entry_present(npt->fmt, table[i]))
				free_level(npt, npt_entry_address(npt->fmt, table[i]), level - 1);
	mem_free_frame(mpa_to_mfn(table_mpa));
	npt->table_frames--;
}

void npt_destroy(struct nested_pt *npt)
{
	if (npt->table_frames)
		free_level(npt, mfn_to_mpa(npt->root), NPT_LEVELS - 1);
}

uint64_t npt_leaf_entry(const struct npt_format *fmt, mpa_t frame, unsigned prot)
{
	if (!(prot & NPT_READ))
		return 0;
	return frame.raw | fmt->read | fmt->leaf | ((prot & NPT_WRITE) ? fmt->write : 0) |
	       ((prot & NPT_EXEC) ? fmt->exec : 0);
}

/* The leaf of gfn if it is present, else NULL; never allocates. */
static uint64_t *present_leaf(struct nested_pt *npt, gfn_t gfn)
{
	uint64_t *leaf = npt_leaf(npt, gfn, false);
	return leaf && npt_entry_present(npt->fmt, *leaf) ? leaf : NULL;
}

int npt_map(struct nested_pt *npt, gfn_t gfn, mfn_t frame, unsigned prot)
{
	uint64_t *leaf = npt_leaf(npt, gfn, true);
	if (!leaf)
		return -E_NO_MEMORY;
	if (npt_entry_present(npt->fmt, *leaf))
		npt->flush_pending = true; /* the old translation may be cached */
	*leaf = npt_leaf_entry(npt->fmt, mfn_to_mpa(frame), prot);
	return 0;
}

int npt_unmap(struct nested_pt *npt, gfn_t gfn)
{
	uint64_t *leaf = present_leaf(npt, gfn);
	if (!leaf)
		return -E_NOT_FOUND;
	*leaf = 0;
	npt->flush_pending = true;
	return 0;
}

/* New rights; the frame and the A/D bits stay. Without NPT_READ the leaf
 * goes (not present), as npt_leaf_entry() says. */
int npt_protect(struct nested_pt *npt, gfn_t gfn, unsigned prot)
{
	uint64_t *leaf = present_leaf(npt, gfn);
	if (!leaf)
		return -E_NOT_FOUND;
	uint64_t ad = *leaf & (npt->fmt->accessed | npt->fmt->dirty);
	uint64_t e = npt_leaf_entry(npt->fmt, npt_entry_address(npt->fmt, *leaf), prot);
	*leaf = e ? e | ad : 0;
	npt->flush_pending = true;
	return 0;
}

int npt_lookup(struct nested_pt *npt, gfn_t gfn, mfn_t *out, unsigned *prot)
{
	const struct npt_format *fmt = npt->fmt;
	uint64_t *leaf = present_leaf(npt, gfn);
	if (!leaf)
		return -E_NOT_FOUND;
	*out = mpa_to_mfn(npt_entry_address(fmt, *leaf));
	bool exec = fmt->exec ? (*leaf & fmt->exec) : true;
	*prot = ((*leaf & fmt->read) ? NPT_READ : 0) | ((*leaf & fmt->write) ? NPT_WRITE : 0) | (exec ? NPT_EXEC : 0);
	return 0;
}

/* Returns NPT_ACCESSED | NPT_DIRTY as the leaf had them, and clears them.
 * The CPU sets them again only on a walk, so cached translations must go
 * (QEMU re-sets A even without the flush; hardware does not). */
int npt_test_and_clear_ad(struct nested_pt *npt, gfn_t gfn)
{
	uint64_t *leaf = present_leaf(npt, gfn);
	if (!leaf)
		return -E_NOT_FOUND;
	int bits = ((*leaf & npt->fmt->accessed) ? NPT_ACCESSED : 0) | ((*leaf & npt->fmt->dirty) ? NPT_DIRTY : 0);
	*leaf &= ~(npt->fmt->accessed | npt->fmt->dirty);
	npt->flush_pending = true;
	return bits;
}
