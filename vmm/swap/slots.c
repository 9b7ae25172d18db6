/* vmm/swap/slots.c — the slot bitmap (slots.h). */
#include "vmm/swap/slots.h"
#include "kernel/errno.h"

void swap_slots_init(struct swap_slots *s, uint64_t *bitmap, uint64_t *retired_map, uint64_t count)
{
	*s = (struct swap_slots){ .bitmap = bitmap, .retired_map = retired_map, .count = count };
	for (uint64_t w = 0; w < SWAP_SLOTS_WORDS(count); w++)
		bitmap[w] = retired_map[w] = 0;
}

bool swap_slots_retired(const struct swap_slots *s, uint64_t slot)
{
	return slot < s->count && (s->retired_map[slot / 64] & BIT(slot % 64));
}

bool swap_slots_allocated(const struct swap_slots *s, uint64_t slot)
{
	return slot < s->count && (s->bitmap[slot / 64] & BIT(slot % 64)) && !swap_slots_retired(s, slot);
}

int swap_slots_alloc(struct swap_slots *s, uint64_t *slot)
{
	if (swap_slots_full(s))
		return -E_FULL;
	/* A whole word at a time: a full word is skipped in one test. */
	uint64_t words = SWAP_SLOTS_WORDS(s->count), w = s->hand / 64;
	for (uint64_t n = 0; n <= words; n++, w = w + 1 < words ? w + 1 : 0) {
		uint64_t free = ~s->bitmap[w];
		if (!free)
			continue;
		uint64_t i = 64 * w + (uint64_t)__builtin_ctzll(free);
		if (i >= s->count)
			continue; /* the last word's bits past the end */
		s->bitmap[w] |= BIT(i % 64);
		s->used++;
		s->hand = i + 1 < s->count ? i + 1 : 0;
		*slot = i;
		return 0;
	}
	return -E_FULL; /* not reached while `used` is right */
}

int swap_slots_free(struct swap_slots *s, uint64_t slot)
{
	if (slot >= s->count)
		return -E_RANGE;
	if (!swap_slots_allocated(s, slot))
		return -E_DOUBLE_FREE;
	s->bitmap[slot / 64] &= ~BIT(slot % 64);
	s->used--;
	return 0;
}

int swap_slots_retire(struct swap_slots *s, uint64_t slot)
{
	if (slot >= s->count)
		return -E_RANGE;
	if (!swap_slots_allocated(s, slot))
		return -E_INVAL;
	s->retired_map[slot / 64] |= BIT(slot % 64); /* its `bitmap` bit stays set: never found free */
	s->used--;
	s->retired++;
	return 0;
}
