/* vmm/share/table.h — page sharing's hash table: from a page's content hash
 * (and its VM's share salt) to either a *hint* — a private page that had
 * this hash when the scanner last saw it — or a *shared frame* with these
 * contents. The scheme is ESX's (Waldspurger, "Memory Resource Management
 * in VMware ESX Server", OSDI 2002, section 4.2): a page nobody else has
 * stays private and writable, remembered only as a hint; the second page
 * with the same contents turns the hint into a shared frame.
 *
 *   key (hash, salt) ─► slot: HINT  (vm, gfn)   may be stale: the page may
 *                                               have changed since
 *                             FRAME (mfn, zero) read-only to every user,
 *                                               so never stale
 *
 * Open addressing with linear probing; a removal shifts the entries behind
 * it back (no tombstones). At most one entry per key. Pure code over
 * caller-provided storage (tests/unit runs it hosted).
 */
#ifndef MEMVISOR_VMM_SHARE_TABLE_H
#define MEMVISOR_VMM_SHARE_TABLE_H

#include "kernel/types.h"

enum share_kind {
	SHARE_EMPTY = 0,
	SHARE_HINT,  /* a private page seen with this hash      */
	SHARE_FRAME, /* a shared, read-only frame with it        */
};

struct share_entry {
	uint64_t hash;
	uint64_t salt;  /* only VMs with this salt may use the entry */
	uint64_t gfn;   /* HINT: the page's guest frame              */
	uint64_t mfn;   /* FRAME: the shared machine frame           */
	uint32_t vm_id; /* HINT: the page's VM                       */
	uint8_t kind;   /* enum share_kind                           */
	bool zero;      /* FRAME: every byte is zero                 */
};

/* Inserts stop at this load: linear probing slows down sharply past it. */
#define SHARE_TABLE_LOAD_PCT 75
#define SHARE_TABLE_MIN_SLOTS 16

struct share_table {
	struct share_entry *slots;
	uint32_t nslots; /* a power of two */
	uint32_t hints, frames;
};

/* Slots for a table that may see `pages` guest pages: a power of two with
 * room for each page once at half load. */
uint32_t share_table_slots_for(uint64_t pages);
void share_table_init(struct share_table *t, struct share_entry *slots, uint32_t nslots);

/* The entry for (hash, salt), or NULL. */
struct share_entry *share_table_find(struct share_table *t, uint64_t hash, uint64_t salt);

/* Add an entry for a key that has none. Return it, or NULL when the table
 * is at its load limit (share_table_purge_hints() makes room). */
struct share_entry *share_table_add_hint(struct share_table *t, uint64_t hash, uint64_t salt, uint32_t vm_id,
					 gfn_t gfn);
struct share_entry *share_table_add_frame(struct share_table *t, uint64_t hash, uint64_t salt, mfn_t frame,
					  bool zero);

/* Turns a hint into the shared frame that replaces it (same key). */
void share_table_hint_to_frame(struct share_table *t, struct share_entry *e, mfn_t frame, bool zero);
/* Makes a hint name another page (the old one went stale). */
void share_table_rehint(struct share_entry *e, uint32_t vm_id, gfn_t gfn);

/* Removes the entry e points at; e (and pointers into the table) then
 * point at whatever moved into that slot. */
void share_table_remove(struct share_table *t, struct share_entry *e);
/* Drops every hint (they are only hints: the next pass finds the pages
 * again). Returns how many went. */
uint32_t share_table_purge_hints(struct share_table *t);

#endif
