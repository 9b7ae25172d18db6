/* vmm/mm/check.h — the checker that PMAP, nested tables and frame table
 * tell one story (vmm/mm/check.c):
 *   1. a gfn the PMAP calls PRIVATE/SHARED names a frame that the frame
 *      table lists (vm, gfn) as a user of, and the allocator calls in use;
 *   2. the nested tables map a gfn only to the frame its PMAP entry names,
 *      and never map a gfn whose PMAP entry holds no frame (the cache may
 *      lack entries, never disagree);
 *   3. a shared frame is mapped read-only; a private one read/write;
 *   4. every frame's refcount equals its number of reverse-map entries, and
 *      each of those points back through its VM's PMAP;
 *   5. a ballooned gfn is never mapped (2) and its entry keeps no frame
 *      number that a later bug could use.
 * Each subsystem above checks its own part (vmm/share/check.c,
 * vmm/zswap/check.c, vmm/balloon/check.c); vmm/check.c runs them all. */
#ifndef MEMVISOR_VMM_MM_CHECK_H
#define MEMVISOR_VMM_MM_CHECK_H

/* Called once per violation found, printf-style. */
typedef void (*check_violation_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks 1-5 for every VM that holds memory, and every frame. */
void mm_check_invariants(check_violation_fn violation);

#endif
