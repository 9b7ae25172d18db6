/* guest/runtime/demand.h — demand-paged regions of guest virtual memory:
 * the first touch of a page inside one faults (#PF, not present), and the
 * fault handler maps a fresh zeroed frame there, then the access retries.
 * The same idea as the hypervisor's demand allocation one level down
 * (docs/design.md, "A frame's life"), which is why it is here to read side by side. */
#ifndef GUEST_DEMAND_H
#define GUEST_DEMAND_H

#include "addr.h"

#define DEMAND_REGIONS_MAX 4

/* [start, start + size), page-aligned, writable once mapped. Returns 0,
 * -E_INVAL (alignment, empty, wraps) or -E_NO_MEMORY (all slots taken). */
int demand_region_add(gva_t start, uint64_t size);
/* Called by the #PF handler. True if the fault was ours and is fixed. */
bool demand_handle_fault(uint64_t cr2, uint64_t error_code);
/* Pages mapped so far by demand faults. */
uint64_t demand_fault_count(void);

#endif
