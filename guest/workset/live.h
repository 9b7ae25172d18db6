/* guest/workset/live.h — the workset's live data: pages it keeps using,
 * rewrites now and then, and checks against checksums it keeps beside
 * them (guest/runtime/checksum.h): the guest-side proof that what the
 * hypervisor did around them (ballooning other pages) never touched them.
 *
 * Guest virtual layout (guest/runtime/paging.h), far from the identity
 * map so that gva != gpa:
 *   LIVE_GVA        page i → a frame from frame_alloc(), mapped with guest_map()
 *   LIVE_SUMS_GVA   the checksum of each page, a demand region
 */
#ifndef WORKSET_LIVE_H
#define WORKSET_LIVE_H

#include "guest.h"

#define LIVE_GVA 0x0000400000000000ull      /* PML4 slot 128 */
#define LIVE_SUMS_GVA 0x0000500000000000ull /* PML4 slot 160 */

struct live {
	uint64_t pages;    /* live pages now                   */
	uint64_t capacity; /* pages the checksum table holds   */
	uint64_t seed;
	uint64_t generation; /* bumped by every live_touch()   */
	volatile uint64_t *sums;
};

/* Room for `capacity` pages; none live yet. 0 or -E_*. */
int live_init(struct live *l, uint64_t capacity, uint64_t seed);
/* Adds one page (allocated, mapped, filled). 0, or -E_NO_MEMORY /
 * -E_RANGE (the table is full). */
int live_add(struct live *l);
/* Checks page i; rewrites it with new contents when `rewrite`. Returns
 * true when its checksum matched; prints the first few mismatches. */
bool live_touch(struct live *l, uint64_t i, bool rewrite);
/* Checks every page without changing any; returns the mismatches. */
uint64_t live_verify(struct live *l);

#endif
