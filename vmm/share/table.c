/* vmm/share/table.c — the hash table of page sharing (see table.h).
 * Removal is Knuth's algorithm R for linear probing (TAOCP vol. 3, 6.4):
 * each later entry of the run moves into the hole unless its home slot
 * lies cyclically between the hole and where it sits. */
#include "vmm/share/table.h"

#define SALT_MIX 0x9e3779b97f4a7c15ull /* spreads salts over the slots */

uint32_t share_table_slots_for(uint64_t pages)
{
	uint64_t n = SHARE_TABLE_MIN_SLOTS;
	while (n < 2 * pages && n < BIT(31))
		n <<= 1;
	return (uint32_t)n;
}

void share_table_init(struct share_table *t, struct share_entry *slots, uint32_t nslots)
{
	t->slots = slots;
	t->nslots = nslots;
	t->hints = t->frames = 0;
	for (uint32_t i = 0; i < nslots; i++)
		slots[i] = (struct share_entry){ .kind = SHARE_EMPTY };
}

static uint32_t home(const struct share_table *t, uint64_t hash, uint64_t salt)
{
	return (uint32_t)((hash ^ (salt * SALT_MIX)) & (t->nslots - 1));
}

struct share_entry *share_table_find(struct share_table *t, uint64_t hash, uint64_t salt)
{
	uint32_t mask = t->nslots - 1;
	for (uint32_t i = home(t, hash, salt);; i = (i + 1) & mask) {
		struct share_entry *e = &t->slots[i];
		if (e->kind == SHARE_EMPTY)
			return NULL;
		if (e->hash == hash && e->salt == salt)
			return e;
	}
}

/* A free slot on (hash, salt)'s probe path, or NULL at the load limit.
 * The caller has checked that the key has no entry yet. */
static struct share_entry *claim(struct share_table *t, uint64_t hash, uint64_t salt)
{
	uint64_t used = (uint64_t)t->hints + t->frames;
	if ((used + 1) * 100 > (uint64_t)t->nslots * SHARE_TABLE_LOAD_PCT)
		return NULL;
	uint32_t mask = t->nslots - 1, i = home(t, hash, salt);
	while (t->slots[i].kind != SHARE_EMPTY)
		i = (i + 1) & mask;
	t->slots[i] = (struct share_entry){ .hash = hash, .salt = salt };
	return &t->slots[i];
}

struct share_entry *share_table_add_hint(struct share_table *t, uint64_t hash, uint64_t salt, uint32_t vm_id,
					 gfn_t gfn)
{
	struct share_entry *e = claim(t, hash, salt);
	if (!e)
		return NULL;
	e->kind = SHARE_HINT;
	e->vm_id = vm_id;
	e->gfn = gfn.raw;
	t->hints++;
	return e;
}

struct share_entry *share_table_add_frame(struct share_table *t, uint64_t hash, uint64_t salt, mfn_t frame,
					  bool zero)
{
	struct share_entry *e = claim(t, hash, salt);
	if (!e)
		return NULL;
	e->kind = SHARE_FRAME;
	e->mfn = frame.raw;
	e->zero = zero;
	t->frames++;
	return e;
}

void share_table_hint_to_frame(struct share_table *t, struct share_entry *e, mfn_t frame, bool zero)
{
	t->hints--;
	t->frames++;
	*e = (struct share_entry){ .hash = e->hash, .salt = e->salt, .mfn = frame.raw, .kind = SHARE_FRAME,
				   .zero = zero };
}

void share_table_rehint(struct share_entry *e, uint32_t vm_id, gfn_t gfn)
{
	e->vm_id = vm_id;
	e->gfn = gfn.raw;
}

/* True if `slot` lies cyclically in (hole, at]: the entry at `at`, whose
 * home is `slot`, may not move back to `hole`. */
static bool between(uint32_t hole, uint32_t slot, uint32_t at)
{
	return hole <= at ? (hole < slot && slot <= at) : (hole < slot || slot <= at);
}

void share_table_remove(struct share_table *t, struct share_entry *e)
{
	uint32_t mask = t->nslots - 1, hole = (uint32_t)(e - t->slots);
	if (e->kind == SHARE_HINT)
		t->hints--;
	else if (e->kind == SHARE_FRAME)
		t->frames--;
	for (uint32_t at = (hole + 1) & mask; t->slots[at].kind != SHARE_EMPTY; at = (at + 1) & mask) {
		const struct share_entry *next = &t->slots[at];
		if (between(hole, home(t, next->hash, next->salt), at))
			continue;
		t->slots[hole] = *next;
		hole = at;
	}
	t->slots[hole] = (struct share_entry){ .kind = SHARE_EMPTY };
}

uint32_t share_table_purge_hints(struct share_table *t)
{
	uint32_t before = t->hints;
	/* A removal may move a later hint into a slot already passed (when
	 * the run wraps around the end), hence the outer loop. */
	while (t->hints)
		for (uint32_t i = 0; i < t->nslots; i++)
			while (t->slots[i].kind == SHARE_HINT)
				share_table_remove(t, &t->slots[i]);
	return before;
}
