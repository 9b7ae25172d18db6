/* guest/runtime/checksum.c — checksum_page() and checksum_fill_xorshift(),
 * defined in checksum.h. */
#include "checksum.h"
#include "kernel/random.h"
#include "kernel/types.h"

uint64_t checksum_page(const volatile void *page)
{
	const volatile uint64_t *w = page;
	uint64_t h = CHECKSUM_INIT;
	for (uint64_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++)
		h = checksum_add(h, w[i]);
	return h;
}

uint64_t checksum_fill_xorshift(volatile void *page, uint64_t state)
{
	volatile uint64_t *w = page;
	uint64_t h = CHECKSUM_INIT;
	for (uint64_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++) {
		state = xorshift64(state);
		w[i] = state;
		h = checksum_add(h, state);
	}
	return h;
}
