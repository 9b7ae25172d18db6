/* vmm/balloon/batch.c — checking a balloon batch (see batch.h). */
#include "vmm/balloon/batch.h"
#include "kernel/lab.h"
#include "kernel/types.h"

static void refuse(struct balloon_verdict *v, int error, uint32_t entry, const char *why)
{
	v->error = error;
	v->entry = entry;
	v->why = why;
}

void balloon_check_header(uint64_t batch_gpa, uint64_t count, uint64_t mem_bytes, struct balloon_verdict *v)
{
	refuse(v, 0, BALLOON_NO_ENTRY, "accepted");
	if (count == 0)
		refuse(v, -HC_E_INVAL, BALLOON_NO_ENTRY, "an empty batch");
	else if (count > HC_BALLOON_BATCH_MAX)
		refuse(v, -HC_E_2BIG, BALLOON_NO_ENTRY, "more gfns than one page holds");
	else if (batch_gpa % PAGE_SIZE)
		refuse(v, -HC_E_INVAL, BALLOON_NO_ENTRY, "the batch is not page-aligned");
	/* Page-aligned and at most one page long: inside iff its page is. */
	else if (batch_gpa >= mem_bytes)
		refuse(v, -HC_E_FAULT, BALLOON_NO_ENTRY, "the batch lies outside the VM");
}

/* The state a gfn must be in before `op`. Inflate takes pages that hold
 * contents: in a frame, compressed or swapped — memvisor may compress or
 * swap a page at any time between the driver's touch and its hypercall, and
 * the guest cannot know; the stored copy is then dropped (pages.h). An untouched
 * page has nothing to give; a ballooned one is given already. */
static bool state_fits(enum balloon_op op, enum pmap_state s)
{
	if (op == BALLOON_DEFLATE)
		return s == PMAP_BALLOONED;
	return s == PMAP_PRIVATE || s == PMAP_SHARED || s == PMAP_COMPRESSED || s == PMAP_SWAPPED;
}

/* ---- duplicates: heapsort a copy (no recursion, O(n log n)) ---- */

static void sift_down(uint64_t *a, uint32_t root, uint32_t n)
{
	for (uint32_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		uint64_t t = a[root];
		a[root] = a[child];
		a[child] = t;
	}
}

static void heapsort_u64(uint64_t *a, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (uint32_t end = n; end-- > 1;) {
		uint64_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

/* The entry of the second occurrence of some gfn, or BALLOON_NO_ENTRY. */
static uint32_t find_duplicate(const uint64_t *gfns, uint32_t count, uint64_t *scratch)
{
	/* LAB 4.1 balloon: a batch holds up to 512 gfns and comes from an
	 * untrusted guest: O(n log n), no recursion, no allocation. Sort a
	 * copy in scratch (heapsort_u64), find a repeated value, and return
	 * the index in gfns of its second occurrence. */
	for (uint32_t i = 0; i < count; i++)
		scratch[i] = gfns[i];
	heapsort_u64(scratch, count);
	for (uint32_t i = 1; i < count; i++) {
		if (scratch[i] != scratch[i - 1])
			continue;
		bool seen = false;
		for (uint32_t j = 0; j < count; j++) {
			if (gfns[j] != scratch[i])
				continue;
			if (seen)
				return j;
			seen = true;
		}
	}
	return BALLOON_NO_ENTRY;
	/* LAB 4.1 end. The skeleton has instead:
	 *	(void)gfns, (void)count, (void)scratch, (void)heapsort_u64;
	 *	LAB_TODO("balloon", "find_duplicate");
	 *	return BALLOON_NO_ENTRY;
	 */
}

void balloon_check_gfns(const struct pmap *pm, enum balloon_op op, const uint64_t *gfns, uint32_t count,
			uint64_t balloon_room, uint64_t *scratch, struct balloon_verdict *v)
{
	/* LAB 4.2 balloon: judge the whole batch before anything changes. In
	 * this order: each gfn inside the VM (-HC_E_FAULT) and in a state
	 * that fits op (-HC_E_PERM), naming the first bad entry; no gfn twice
	 * (-HC_E_INVAL, the second occurrence); an inflate no bigger than
	 * balloon_room (-HC_E_NOSPC). refuse() records the verdict; a batch
	 * that passes is "accepted" with error 0. */
	refuse(v, 0, BALLOON_NO_ENTRY, "accepted");
	for (uint32_t i = 0; i < count; i++) {
		pmap_entry_t e;
		if (pmap_get(pm, (gfn_t){ gfns[i] }, &e)) {
			refuse(v, -HC_E_FAULT, i, "the gfn lies outside the VM");
			return;
		}
		if (!state_fits(op, pmap_entry_state(e))) {
			refuse(v, -HC_E_PERM, i,
			       op == BALLOON_INFLATE ? "the gfn was never touched or is ballooned already"
						     : "the gfn is not ballooned");
			return;
		}
	}
	uint32_t dup = find_duplicate(gfns, count, scratch);
	if (dup != BALLOON_NO_ENTRY)
		refuse(v, -HC_E_INVAL, dup, "the gfn is in the batch twice");
	else if (op == BALLOON_INFLATE && count > balloon_room)
		refuse(v, -HC_E_NOSPC, BALLOON_NO_ENTRY, "the balloon would exceed balloon_max_pct");
	/* LAB 4.2 end. The skeleton has instead:
	 *	(void)pm, (void)op, (void)gfns, (void)count, (void)balloon_room, (void)scratch;
	 *	(void)state_fits, (void)find_duplicate;
	 *	LAB_TODO("balloon", "balloon_check_gfns");
	 *	refuse(v, -HC_E_NOSYS, BALLOON_NO_ENTRY, "not checked yet (lab 4.2)");
	 */
}
