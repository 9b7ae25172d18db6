/* vmm/zswap/zswap.h — the compressed swap area in memvisor (see
 * docs/background.md, "Memory compression"): resident pages of a VM go into the RAM
 * that zswap= reserved, compressed (vmm/zswap/store.h: the ≤ 2048-byte
 * rule, same-filled pages as their value), up to zswap_max_pct of the
 * VM's memory; a nested page fault on such a gfn brings the page back.
 *
 *   PRIVATE (a frame) ──zswap_compress_gfn()──► COMPRESSED (a handle)
 *        ▲                                            │
 *        └───────────── zswap_swap_in() ◄─ fault ─────┘
 *
 * Victims come from a clock over the nested tables' accessed bits
 * (vmm/zswap/clock.c). The pure parts — codec, area allocator, store
 * rule — are vmm/zswap/compress.c, vmm/zswap/area.c and vmm/zswap/store.c.
 */
#ifndef MEMVISOR_VMM_ZSWAP_H
#define MEMVISOR_VMM_ZSWAP_H

#include "vmm/vm.h"
#include "vmm/zswap/store.h"

/* An object's owner tag (store.h): the VM and the gfn. A VM has at
 * most 64 GiB, so a gfn fits in 24 bits. */
#define ZSWAP_OWNER_GFN_BITS 24
#define ZSWAP_OWNER(vm_id, gfn) ((uint32_t)(vm_id) << ZSWAP_OWNER_GFN_BITS | (uint32_t)(gfn))

/* What one zswap_compress_victims() did. */
struct zswap_report {
	uint64_t victims;      /* pages it tried                                   */
	uint64_t shared;       /* merged by the share outlet instead               */
	uint64_t stored;       /* of those, stored compressed                      */
	uint64_t same;         /* stored as their repeated value                   */
	uint64_t rejected;     /* compressed to more than half a page              */
	uint64_t swapped;      /* rejected or not fitting, and given to `spill`    */
	uint64_t bytes;        /* area bytes the stored pages took                 */
	uint64_t passed_over;  /* recently used pages the clock did not take        */
	uint64_t hot;          /* victims taken although recently used (no cold left) */
	enum zswap_outcome stop; /* ZSWAP_OVER_BUDGET / ZSWAP_AREA_FULL if that ended it, else ZSWAP_STORED */
};

/* What one zswap_compact() did. */
struct zswap_compaction {
	uint64_t moved;        /* objects moved to other zspages of their class */
	uint64_t missed;       /* objects to move whose PMAP entry was not found */
	uint64_t pages_before, pages_after; /* area pages in zspages         */
};

/* Lays the area over zswap_region (its metadata at the start). */
void zswap_init(void);
/* True when there is an area (zswap= was not 0). */
bool zswap_enabled(void);
/* Pages of the area in zspages now: what compressed pages really take. */
uint64_t zswap_pages_in_use(void);

/* The VM's clock ages, one per page of vm->mem_bytes; 0 or -E_NO_MEMORY.
 * The run loop calls it once the VM's memory is set up. */
int zswap_vm_init(struct vm *vm);
/* Frees a COMPRESSED gfn's object (its PMAP entry already changed, `e`
 * as it was): at the VM's release (vm_memory_release()), on inflate, and
 * after writeback. */
void zswap_drop(struct vm *vm, gfn_t gfn, pmap_entry_t e);
/* Gives the clock's ages back, after vm_memory_release() dropped every
 * compressed gfn. */
void zswap_vm_release(struct vm *vm);

/* The most area bytes the VM may take: zswap_max_pct of its memory. */
uint64_t zswap_cap_bytes(const struct vm *vm);
/* Writeback's trigger: the VM's share could not take one more page of
 * half a page, or the area has no free page. */
bool zswap_vm_full(const struct vm *vm);
/* The VM's page compressed longest ago (vmm/zswap/fifo.h); false when it
 * has none in the area. */
bool zswap_oldest(const struct vm *vm, gfn_t *gfn);

/* Where zswap_compress_victims() may send a victim instead of the area,
 * each a function that returns 0 when the page went (NULL: not offered):
 *   share  first, before it is compressed: sharing's share_offer()
 *          (vmm/share/scan.h) merges it if it is like a page already
 *          shared or hinted — a zero page, say — which costs no frame and
 *          no fault when the guest reads it again;
 *   spill  a victim the area will not take (one that compresses to over
 *          half a page, or no longer fits in the VM's share or the
 *          area): host swap's swap_out_gfn() (vmm/swap/swap.h), passed in
 *          states hard and low while the swap disk has room; NULL keeps
 *          it resident.
 * The policy fills them in (vmm/policy/); NULL outlets: the area only. */
typedef int (*zswap_spill_fn)(struct vm *vm, gfn_t gfn);
struct zswap_outlets {
	zswap_spill_fn share;
	zswap_spill_fn spill;
};

/* Compresses one PRIVATE gfn (see the order in zswap.c). */
enum zswap_outcome zswap_compress_gfn(struct vm *vm, gfn_t gfn);
/* After a fault brought gfn back from the area: if it continues a stream
 * of faults on consecutive gfns, decompresses and maps the compressed
 * pages after it too (vmm/zswap/readahead.c). */
void zswap_readahead(struct vm *vm, gfn_t gfn);
/* A victim that stays resident after all (refused, and no outlet took
 * it): its nested mapping made again from the PMAP, read-write as any
 * PRIVATE page, as the guest's next access would have through a fault —
 * minus the exit. Under emulators an exit costs far more than the map
 * (QEMU refills its TLB after each world switch): the clock's refused
 * victims were a good part of the faults an overcommitted run added. */
void zswap_map_back(struct vm *vm, gfn_t gfn);
/* Reads swap_victims= (clock or random; anything else is an option
 * error, status 2): zswap_init() calls it first, area or not. */
void zswap_victims_option(void);
/* swap_victims=random is in force. */
bool zswap_victims_random(void);
/* How victims are chosen, for the boot line. */
const char *zswap_victims_text(void);
/* Chooses up to `count` victims with the clock (or at random, with
 * swap_victims=random) and compresses them.
 * Returns 0, or -E_NOT_SUPPORTED when there is no area. */
int zswap_compress_victims(struct vm *vm, uint64_t count, const struct zswap_outlets *out,
			   struct zswap_report *r);

/* Compaction: moves objects out of sparse zspages into the room left in
 * others of their class (vmm/zswap/area.h), finding each one's owner by
 * walking the VMs' PMAPs and giving the PMAP the new handle, so that
 * whole zspages go back to the area. Pages freed are pages the guests'
 * budget is no longer charged (vmm/mm/memory.h). */
void zswap_compact(struct zswap_compaction *r);
/* Swaps in every stride-th compressed gfn of vm (leaving it unmapped: the
 * next access maps it), for labs and tests that want holes in the area.
 * Returns how many; stops early when no frame is free. */
uint64_t zswap_swap_in_every(struct vm *vm, uint64_t stride);
/* Compacts when that would give back a few pages at least; true if it did. */
bool zswap_compact_if_fragmented(struct zswap_compaction *r);

/* A fault on a COMPRESSED gfn: a frame with its contents, recorded
 * PRIVATE in the PMAP and the frame table (the caller maps it). Returns
 * 0, -E_NO_MEMORY (no frame: the VM waits), or -E_CORRUPT after stopping
 * the VM because its page came back damaged. */
int zswap_swap_in(struct vm *vm, gfn_t gfn, mfn_t *out);
/* A read of a COMPRESSED gfn that leaves it compressed (vm_gpa_read):
 * *page points at a decompressed copy, valid until the next call. 0, or
 * -E_CORRUPT after stopping the VM. */
int zswap_read(struct vm *vm, gfn_t gfn, const uint8_t **page);

/* Background aging of every running VM's pages (clock.c), rate
 * limited; called between time slices. A sweep stops once rdtsc()
 * reaches deadline_tsc and goes on from there next time. */
void zswap_age_step(uint64_t now_ms, uint64_t deadline_tsc);

/* The area, for the checker and the monitor; NULL when there is none. */
const struct zswap_area *zswap_machine_area(void);

/* The invariants of the area against every PMAP (run with the others by vmm/check.c). */
typedef void (*zswap_violation_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zswap_check_invariants(zswap_violation_fn violation);

/* The monitor's `zswap` command: the area, and each VM's share. */
void zswap_print(void);
/* The monitor's `compress` command: what one run of the clock did. */
void zswap_print_report(const struct vm *vm, const struct zswap_report *r);
/* For tests and labs: flips one byte of gfn's compressed data, so that
 * the next swap-in finds it damaged. 0, or -E_INVAL if not COMPRESSED. */
int zswap_damage(struct vm *vm, gfn_t gfn);

#endif
