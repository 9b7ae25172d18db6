/* guest/runtime/checksum.c — checksum_page(), defined in checksum.h. */
#include "checksum.h"
#include "kernel/types.h"

uint64_t checksum_page(const volatile void *page)
{
	const volatile uint64_t *w = page;
	uint64_t h = CHECKSUM_INIT;
	for (uint64_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++)
		h = checksum_add(h, w[i]);
	return h;
}
