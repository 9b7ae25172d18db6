/* vmm/policy/entitle.c — entitlements by shares with the idle memory tax
 * (see entitle.h). The common ratio is found by bisection: for a trial
 * "adjusted pages per share" t, each VM's entitlement is the E whose
 * adjusted pages are shares x t, clamped to [reservation, limit]; the sum
 * grows with t, and the largest t whose sum fits the budget is the one. */
#include "vmm/policy/entitle.h"

#define T_SHIFT 20 /* t in 1/2^20 adjusted pages per share */

uint64_t entitle_adjusted_x100(uint64_t pages, uint64_t active, unsigned tax_pct)
{
	uint64_t a = MIN(active, pages);
	return a * 100 + (pages - a) * 100 * 100 / (100 - tax_pct);
}

/* The pages whose adjusted size is x (1/2^T_SHIFT pages): the inverse of
 * entitle_adjusted_x100() — active pages first, one for one, then idle
 * ones at (100 - tax) / 100 of a page each. */
static uint64_t pages_for(unsigned __int128 x, uint64_t active, unsigned tax_pct)
{
	unsigned __int128 a = (unsigned __int128)active << T_SHIFT;
	if (x <= a)
		return (uint64_t)(x >> T_SHIFT);
	unsigned __int128 idle = (x - a) * (100 - tax_pct) / 100;
	unsigned __int128 pages = (a + idle) >> T_SHIFT;
	return pages > UINT64_MAX ? UINT64_MAX : (uint64_t)pages;
}

static uint64_t entitlement_at(const struct entitle_vm *v, uint64_t t, unsigned tax_pct)
{
	uint64_t e = pages_for((unsigned __int128)v->shares * t, v->active, tax_pct);
	return MIN(MAX(e, v->reservation), MAX(v->limit, v->reservation));
}

static uint64_t total_at(const struct entitle_vm *v, unsigned n, uint64_t t, unsigned tax_pct)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += entitlement_at(&v[i], t, tax_pct);
	return sum;
}

void entitle_compute(struct entitle_vm *v, unsigned n, uint64_t budget, unsigned tax_pct)
{
	tax_pct = MIN(tax_pct, ENTITLE_TAX_MAX);
	uint64_t lo = 0, hi = UINT64_MAX >> 1; /* t = hi gives every VM its limit */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;
		if (total_at(v, n, mid, tax_pct) <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	for (unsigned i = 0; i < n; i++)
		v[i].entitled = entitlement_at(&v[i], lo, tax_pct);
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
