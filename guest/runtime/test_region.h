/* guest/runtime/test_region.h — sizing a workload's test region: N pages
 * mapped at a high gva (one PML4 slot) plus a table of one 64-bit checksum
 * per page in a demand region (another slot), as memtest and twins lay
 * them out. */
#ifndef GUEST_TEST_REGION_H
#define GUEST_TEST_REGION_H

#include <stdint.h>

/* Bytes of the checksum table for `pages` pages, whole pages. */
uint64_t test_region_sums_bytes(uint64_t pages);
/* Frames such a region takes: its pages, the table, and the page tables
 * that map both. */
uint64_t test_region_frames(uint64_t pages);
/* The most pages whose region fits in the free frames less slack_bytes. */
uint64_t test_region_pages_that_fit(uint64_t slack_bytes);

#endif
