/* vmm/share/scan_order.c — pseudo-random passes over a VM's frames (scan_order.h). */
#include "vmm/share/scan_order.h"

#define XORSHIFT_NONZERO 0x2545f4914f6cdd1dull /* any odd constant: the state must not be 0 */

static uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

void scan_order_init(struct scan_order *o, uint64_t npages, uint64_t seed)
{
	o->npages = npages;
	o->bits = 0;
	while ((1ull << o->bits) < npages)
		o->bits++;
	o->rng = seed ? seed : XORSHIFT_NONZERO;
	scan_order_new_pass(o);
}

void scan_order_new_pass(struct scan_order *o)
{
	o->offset = xorshift64(&o->rng);
	o->mul1 = xorshift64(&o->rng) | 1; /* odd: a bijection mod 2^bits */
	o->mul2 = xorshift64(&o->rng) | 1;
	o->step = 0;
}

static uint64_t permute(const struct scan_order *o, uint64_t i)
{
	uint64_t mask = (1ull << o->bits) - 1, half = o->bits / 2 + 1;
	uint64_t x = (i + o->offset) & mask;
	x = (x * o->mul1) & mask;
	x ^= x >> half;
	return (x * o->mul2) & mask;
}

bool scan_order_next(struct scan_order *o, uint64_t *gfn)
{
	while (o->step < (1ull << o->bits)) {
		uint64_t x = permute(o, o->step++);
		if (x < o->npages) {
			*gfn = x;
			return true;
		}
	}
	return false;
}
