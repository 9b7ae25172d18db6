/* vmm/policy/entitle.c — entitlements by shares with the idle memory tax
 * (see entitle.h): entitle_compute() (lab 8.2) finds the common "adjusted
 * pages per share"; whom reclamation takes from follows from it. */
#include "vmm/policy/entitle.h"
#include "kernel/lab.h"

/* t in 1/2^32 adjusted pages per share: fine enough that a step of t moves
 * a VM of ALLOC_SHARES_MAX (10^9) shares by a quarter of a page. */
#define T_SHIFT 32

uint64_t entitle_adjusted_x100(uint64_t pages, uint64_t active, unsigned tax_pct)
{
	uint64_t a = MIN(active, pages);
	return a * 100 + (pages - a) * 100 * 100 / (100 - tax_pct);
}

void entitle_compute(struct entitle_vm *v, unsigned n, uint64_t budget, unsigned tax_pct)
{
	/* LAB 8.2 fair-share: set v[i].entitled for each of the n VMs
	 * (entitle.h): the same shares per adjusted page for all (active
	 * pages cost 1, idle ones 100 / (100 - tax_pct)), each within
	 * [reservation, limit] (a reservation above the limit wins), the
	 * sum at most the budget and less than a page per VM short of it
	 * unless every VM is at its limit. tax_pct above ENTITLE_TAX_MAX
	 * counts as ENTITLE_TAX_MAX. Mind the products' width. */
	tax_pct = MIN(tax_pct, ENTITLE_TAX_MAX);
	/* The common ratio t, in 1/2^T_SHIFT adjusted pages per share, by
	 * bisection: each VM's entitlement, and so their sum, grows with t;
	 * the largest t whose sum fits is the one. t = hi gives every VM its
	 * limit; a last pass at t = lo writes the entitlements. */
	uint64_t lo = 0, hi = UINT64_MAX >> 1;
	for (bool last = false; !last;) {
		last = lo >= hi;
		uint64_t t = last ? lo : lo + (hi - lo + 1) / 2, sum = 0;
		for (unsigned i = 0; i < n; i++) {
			/* The pages whose adjusted size is shares x t: active
			 * pages first, one for one, then idle ones at
			 * (100 - tax) / 100 of a page each. 128 bits: shares
			 * (under 2^30) x t (under 2^63) reaches 2^93. */
			unsigned __int128 x = (unsigned __int128)v[i].shares * t;
			unsigned __int128 a = (unsigned __int128)v[i].active << T_SHIFT;
			unsigned __int128 p = x <= a ? x : a + (x - a) * (100 - tax_pct) / 100;
			uint64_t e = (p >> T_SHIFT) > UINT64_MAX ? UINT64_MAX : (uint64_t)(p >> T_SHIFT);
			v[i].entitled = MIN(MAX(e, v[i].reservation), MAX(v[i].limit, v[i].reservation));
			sum += v[i].entitled;
		}
		if (!last && sum <= budget)
			lo = t;
		else if (!last)
			hi = t - 1;
	}
	/* LAB 8.2 end. The skeleton has instead:
	 *	(void)budget, (void)tax_pct;
	 *	for (unsigned i = 0; i < n; i++)
	 *		v[i].entitled = v[i].reservation;
	 *	LAB_TODO("fair-share", "entitle_compute");
	 */
}

void entitle_reclaim_split(struct entitle_vm *v, const uint64_t *held, unsigned n, uint64_t missing,
			   unsigned tax_pct, uint64_t *take)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < n; i++) {
		v[i].limit = MIN(v[i].limit, held[i]);
		v[i].reservation = MIN(v[i].reservation, held[i]);
		total += held[i];
	}
	entitle_compute(v, n, total > missing ? total - missing : 0, tax_pct);
	for (unsigned i = 0; i < n; i++)
		take[i] = held[i] - MIN(v[i].entitled, held[i]);
}

void entitle_take_order(const uint64_t *take, unsigned n, unsigned *order)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		for (; j > 0 && take[order[j - 1]] < take[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
}
