/* vmm/zswap/fifo.c — the compressed pages' order, oldest first (fifo.h). */
#include "vmm/zswap/fifo.h"
#include "kernel/errno.h"

uint64_t zswap_fifo_bytes(uint64_t npages)
{
	return 2 * npages * sizeof(uint32_t);
}

void zswap_fifo_init(struct zswap_fifo *f, void *storage, uint64_t npages)
{
	uint32_t *words = storage;
	*f = (struct zswap_fifo){ .next = words, .prev = words + npages, .npages = npages,
				  .head = ZSWAP_FIFO_NONE, .tail = ZSWAP_FIFO_NONE };
	for (uint64_t g = 0; g < npages; g++)
		f->next[g] = ZSWAP_FIFO_OUT, f->prev[g] = ZSWAP_FIFO_NONE;
}

bool zswap_fifo_queued(const struct zswap_fifo *f, uint64_t g)
{
	return g < f->npages && f->next[g] != ZSWAP_FIFO_OUT;
}

int zswap_fifo_push(struct zswap_fifo *f, uint64_t g)
{
	if (g >= f->npages)
		return -E_RANGE;
	if (zswap_fifo_queued(f, g))
		return -E_INVAL;
	f->next[g] = ZSWAP_FIFO_NONE;
	f->prev[g] = f->tail;
	if (f->tail == ZSWAP_FIFO_NONE)
		f->head = (uint32_t)g;
	else
		f->next[f->tail] = (uint32_t)g;
	f->tail = (uint32_t)g;
	f->count++;
	return 0;
}

int zswap_fifo_remove(struct zswap_fifo *f, uint64_t g)
{
	if (g >= f->npages)
		return -E_RANGE;
	if (!zswap_fifo_queued(f, g))
		return -E_INVAL;
	uint32_t next = f->next[g], prev = f->prev[g];
	if (prev == ZSWAP_FIFO_NONE)
		f->head = next;
	else
		f->next[prev] = next;
	if (next == ZSWAP_FIFO_NONE)
		f->tail = prev;
	else
		f->prev[next] = prev;
	f->next[g] = ZSWAP_FIFO_OUT;
	f->prev[g] = ZSWAP_FIFO_NONE;
	f->count--;
	return 0;
}
