/* guest/runtime/frames.c — a bitmap allocator over the guest's RAM
 * (see frames.h for the layout). One bit per frame, 1 = in use. The
 * bitmap is reached at gva == gpa (addr.h). */
#include "frames.h"
#include "kernel/errno.h"

#define BITS_PER_WORD 64

static uint64_t *frame_bitmap;
static gfn_t frame_first;       /* gfn of bit 0                          */
static uint64_t frame_total;    /* bits that stand for a frame            */
static uint64_t frame_free_n;   /* of those, how many are 0 (free)        */
static uint64_t frame_bitmap_n; /* bits 0 .. n-1: the bitmap's own frames */
static uint64_t frame_hint;     /* no free bit below this word            */

static bool bit_test(uint64_t i) { return frame_bitmap[i / BITS_PER_WORD] & BIT(i % BITS_PER_WORD); }
static void bit_set(uint64_t i) { frame_bitmap[i / BITS_PER_WORD] |= BIT(i % BITS_PER_WORD); }
static void bit_clear(uint64_t i) { frame_bitmap[i / BITS_PER_WORD] &= ~BIT(i % BITS_PER_WORD); }

int frame_init(gpa_t first, gpa_t end)
{
	uint64_t lo = ALIGN_UP(first.raw, PAGE_SIZE) >> PAGE_SHIFT;
	uint64_t hi = ALIGN_DOWN(end.raw, PAGE_SIZE) >> PAGE_SHIFT;
	if (hi <= lo)
		return -E_NO_MEMORY;
	uint64_t total = hi - lo;
	uint64_t words = (total + BITS_PER_WORD - 1) / BITS_PER_WORD;
	uint64_t bitmap_frames = ALIGN_UP(words * sizeof(uint64_t), PAGE_SIZE) >> PAGE_SHIFT;
	if (bitmap_frames >= total)
		return -E_NO_MEMORY;

	frame_bitmap = gpa_to_ptr(gfn_to_gpa((gfn_t){ lo }));
	frame_first = (gfn_t){ lo };
	frame_total = total;
	frame_free_n = total;
	frame_hint = 0;
	frame_bitmap_n = bitmap_frames;
	for (uint64_t w = 0; w < words; w++)
		frame_bitmap[w] = 0;
	/* Bits past the last frame, in the last word, are never free. */
	for (uint64_t i = total; i < words * BITS_PER_WORD; i++)
		bit_set(i);
	/* The bitmap's own frames: first in line, so lowest-first hands them out. */
	for (uint64_t i = 0; i < bitmap_frames; i++) {
		gpa_t unused;
		frame_alloc(&unused);
	}
	return 0;
}

static frame_shortage_fn frame_shortage;
static bool frame_in_shortage; /* the handler is running */

void frame_set_shortage_handler(frame_shortage_fn fn)
{
	frame_shortage = fn;
}

static int alloc_lowest(gpa_t *out)
{
	uint64_t words = (frame_total + BITS_PER_WORD - 1) / BITS_PER_WORD;
	for (uint64_t w = frame_hint; w < words; w++) {
		if (frame_bitmap[w] == ~0ull)
			continue;
		uint64_t bit = (uint64_t)__builtin_ctzll(~frame_bitmap[w]);
		uint64_t i = w * BITS_PER_WORD + bit;
		bit_set(i);
		frame_free_n--;
		frame_hint = w;
		*out = gfn_to_gpa((gfn_t){ frame_first.raw + i });
		return 0;
	}
	frame_hint = words;
	return -E_NO_MEMORY;
}

int frame_alloc(gpa_t *out)
{
	if (!alloc_lowest(out))
		return 0;
	if (!frame_shortage || frame_in_shortage)
		return -E_NO_MEMORY;
	frame_in_shortage = true;
	uint64_t given_back = frame_shortage();
	frame_in_shortage = false;
	return given_back ? alloc_lowest(out) : -E_NO_MEMORY;
}

int frame_free(gpa_t frame)
{
	uint64_t gfn = gpa_to_gfn(frame).raw;
	if (frame.raw % PAGE_SIZE || gfn < frame_first.raw + frame_bitmap_n ||
	    gfn - frame_first.raw >= frame_total)
		return -E_RANGE;
	uint64_t i = gfn - frame_first.raw;
	if (!bit_test(i))
		return -E_DOUBLE_FREE;
	bit_clear(i);
	frame_free_n++;
	if (i / BITS_PER_WORD < frame_hint)
		frame_hint = i / BITS_PER_WORD;
	return 0;
}

uint64_t frame_count_free(void)
{
	return frame_free_n;
}

uint64_t frame_count_total(void)
{
	return frame_total;
}
