/* kernel/frames.c — bitmap machine-frame allocator (see frames.h). */
#include "kernel/frames.h"
#include "kernel/errno.h"

#define BITS_PER_WORD 64

static bool test_bit(const uint64_t *bm, uint64_t i) { return bm[i / BITS_PER_WORD] & BIT(i % BITS_PER_WORD); }
static void set_bit(uint64_t *bm, uint64_t i) { bm[i / BITS_PER_WORD] |= BIT(i % BITS_PER_WORD); }
static void clear_bit(uint64_t *bm, uint64_t i) { bm[i / BITS_PER_WORD] &= ~BIT(i % BITS_PER_WORD); }

static uint64_t words_for(uint64_t nframes) { return (nframes + BITS_PER_WORD - 1) / BITS_PER_WORD; }

uint64_t frames_bitmap_bytes(uint64_t nframes)
{
	return 2 * words_for(nframes) * sizeof(uint64_t); /* used + ram */
}

void frames_init(struct frame_alloc *fa, uint64_t *storage, uint64_t nframes)
{
	uint64_t words = words_for(nframes);
	fa->bitmap = storage;
	fa->ram = storage + words;
	fa->nframes = nframes;
	fa->usable = fa->free = fa->hint = 0;
	for (uint64_t w = 0; w < words; w++) {
		fa->bitmap[w] = ~0ull;
		fa->ram[w] = 0;
	}
}

static uint64_t clip_end(const struct frame_alloc *fa, mfn_t first, uint64_t count)
{
	if (first.raw >= fa->nframes)
		return first.raw;
	return count > fa->nframes - first.raw ? fa->nframes : first.raw + count;
}

void frames_add_ram(struct frame_alloc *fa, mfn_t first, uint64_t count)
{
	for (uint64_t i = first.raw; i < clip_end(fa, first, count); i++) {
		if (!test_bit(fa->ram, i)) {
			set_bit(fa->ram, i);
			clear_bit(fa->bitmap, i);
			fa->usable++;
			fa->free++;
		}
	}
}

void frames_reserve(struct frame_alloc *fa, mfn_t first, uint64_t count)
{
	for (uint64_t i = first.raw; i < clip_end(fa, first, count); i++) {
		if (!test_bit(fa->ram, i))
			continue;
		clear_bit(fa->ram, i);
		fa->usable--;
		if (!test_bit(fa->bitmap, i)) {
			set_bit(fa->bitmap, i);
			fa->free--;
		}
	}
}

int frames_alloc(struct frame_alloc *fa, mfn_t *out)
{
	return frames_alloc_contig(fa, 1, out);
}

/* Next fit: search from the hint to the end, then from 0 to the hint. */
int frames_alloc_contig(struct frame_alloc *fa, uint64_t count, mfn_t *first)
{
	if (count == 0 || count > fa->free)
		return -E_NO_MEMORY;
	for (int pass = 0; pass < 2; pass++) {
		uint64_t start = pass ? 0 : fa->hint, end = fa->nframes;
		uint64_t run = 0;
		for (uint64_t i = start; i < end; i++) {
			if (!(i % BITS_PER_WORD) && fa->bitmap[i / BITS_PER_WORD] == ~0ull && i + BITS_PER_WORD <= end) {
				run = 0; /* a whole word in use: skip it */
				i += BITS_PER_WORD - 1;
				continue;
			}
			run = test_bit(fa->bitmap, i) ? 0 : run + 1;
			if (run == count) {
				uint64_t f = i + 1 - count;
				for (uint64_t k = f; k <= i; k++)
					set_bit(fa->bitmap, k);
				fa->free -= count;
				fa->hint = i + 1 < fa->nframes ? i + 1 : 0;
				*first = mfn(f);
				return 0;
			}
		}
	}
	return -E_NO_MEMORY;
}

int frames_free(struct frame_alloc *fa, mfn_t f)
{
	if (f.raw >= fa->nframes || !test_bit(fa->ram, f.raw))
		return -E_RANGE;
	if (!test_bit(fa->bitmap, f.raw))
		return -E_DOUBLE_FREE;
	clear_bit(fa->bitmap, f.raw);
	fa->free++;
	return 0;
}

bool frames_is_free(const struct frame_alloc *fa, mfn_t f)
{
	return f.raw < fa->nframes && !test_bit(fa->bitmap, f.raw);
}
