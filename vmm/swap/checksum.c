/* vmm/swap/checksum.c — the swap slot's checksum (see checksum.h). Eight
 * words a turn: the loop's own instructions are then a sixth of the
 * work, which counts where every instruction does (Bochs emulates some
 * 4 million a second of its machine time). */
#include "vmm/swap/checksum.h"

#define PAGE_WORDS (PAGE_SIZE / sizeof(uint64_t))
#define CHECKSUM_M 0x9e3779b97f4a7c16ull /* even: see checksum.h */

/* One word, two x86 instructions: a += w[k] (an add from memory), b += a.
 * Written as asm because the compiler, free to reorder the sums, loads
 * each word into a register first and regroups the additions: 22 to 26
 * instructions for eight words instead of 19, up to a third more time
 * where time is counted in instructions, as Bochs does. */
#define STEP(k) __asm__("add %2, %0\n\tadd %0, %1" : "+r"(a), "+r"(b) : "m"(w[k]) : "cc")

uint64_t swap_checksum(const void *page)
{
	const uint64_t *w = page;
	uint64_t a = 0, b = 0;
	for (uint64_t i = 0; i < PAGE_WORDS; i += 8, w += 8) {
		STEP(0); STEP(1); STEP(2); STEP(3);
		STEP(4); STEP(5); STEP(6); STEP(7);
	}
	return a + b * CHECKSUM_M;
}
