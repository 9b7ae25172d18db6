/* vmm/policy/alloc.c — shares, reservation and limit per VM: parsed from
 * guests= and checked (see alloc.h; README, "Shares, reservation and
 * limit"). Pure code: no VM table, no printing but into msg. */
#include "vmm/policy/alloc.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mmu.h"
#include "kernel/printf.h"
#include "kernel/string.h"

#define KIB_PER_PAGE (PAGE_SIZE / KiB)

/* A level's shares for a VM of mem_bytes: per_gib per GiB, rounded to
 * the nearest, at least 1 (a tiny VM still has a claim). */
static uint64_t level_shares(uint64_t per_gib, uint64_t mem_bytes)
{
	uint64_t s = (per_gib * mem_bytes + GiB / 2) / GiB;
	return s ? s : 1;
}

void alloc_defaults(struct vm_alloc *a, uint64_t mem_bytes)
{
	a->shares = level_shares(ALLOC_SHARES_NORMAL, mem_bytes);
	a->reservation = 0;
	a->limit = mem_bytes / PAGE_SIZE;
}

static int parse_shares(struct vm_alloc *a, const char *v, uint64_t mem_bytes, char *msg, size_t size)
{
	static const struct {
		const char *word;
		uint64_t per_gib;
	} levels[] = { { "low", ALLOC_SHARES_LOW }, { "normal", ALLOC_SHARES_NORMAL }, { "high", ALLOC_SHARES_HIGH } };
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(v, levels[i].word)) {
			a->shares = level_shares(levels[i].per_gib, mem_bytes);
			return 1;
		}
	uint64_t n;
	if (cmdline_parse_number(v, &n) || n == 0 || n > ALLOC_SHARES_MAX) {
		ksnprintf(msg, size, "shares=%s: expected low, normal, high or a number from 1 to %llu", v,
			  (unsigned long long)ALLOC_SHARES_MAX);
		return -E_INVAL;
	}
	a->shares = n;
	return 1;
}

/* reservation= and limit=: a size, a whole number of 4 KiB pages. */
static int parse_pages(const char *key, const char *v, uint64_t *pages, char *msg, size_t size)
{
	uint64_t bytes;
	if (cmdline_parse_size(v, &bytes) || bytes % PAGE_SIZE) {
		ksnprintf(msg, size, "%s=%s: expected a size in whole 4K pages (a number with an optional K, M or G suffix)",
			  key, v);
		return -E_INVAL;
	}
	*pages = bytes / PAGE_SIZE;
	return 1;
}

int alloc_parse_word(struct vm_alloc *a, const char *word, uint64_t mem_bytes, char *msg, size_t size)
{
	if (!strncmp(word, "shares=", 7))
		return parse_shares(a, word + 7, mem_bytes, msg, size);
	if (!strncmp(word, "reservation=", 12))
		return parse_pages("reservation", word + 12, &a->reservation, msg, size);
	if (!strncmp(word, "limit=", 6))
		return parse_pages("limit", word + 6, &a->limit, msg, size);
	return 0;
}

int alloc_check_vm(const struct vm_alloc *a, uint64_t mem_bytes, char *msg, size_t size)
{
	uint64_t pages = mem_bytes / PAGE_SIZE;
	if (a->limit > pages) {
		ksnprintf(msg, size, "limit=%lluK: expected at most the VM's memory, %lluK",
			  (unsigned long long)(a->limit * KIB_PER_PAGE), (unsigned long long)(pages * KIB_PER_PAGE));
		return -E_INVAL;
	}
	if (a->reservation > a->limit) {
		ksnprintf(msg, size, "reservation=%lluK: expected at most the limit, %lluK",
			  (unsigned long long)(a->reservation * KIB_PER_PAGE),
			  (unsigned long long)(a->limit * KIB_PER_PAGE));
		return -E_INVAL;
	}
	return 0;
}

int alloc_check_reservations(uint64_t reserved, uint64_t budget, char *msg, size_t size)
{
	if (reserved <= budget)
		return 0;
	ksnprintf(msg, size, "the reservations add up to %lluK: expected at most guest_mem, %lluK",
		  (unsigned long long)(reserved * KIB_PER_PAGE), (unsigned long long)(budget * KIB_PER_PAGE));
	return -E_RANGE;
}

uint64_t alloc_reclaimable(const struct vm_alloc *a, uint64_t resident)
{
	return resident > a->reservation ? resident - a->reservation : 0;
}
