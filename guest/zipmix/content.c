/* guest/zipmix/content.c — page contents by kind (content.h). Seeding is
 * the SplitMix64 finalizer (Steele, Lea, Flood, OOPSLA 2014), then
 * Marsaglia's xorshift64 (13, 7, 17) for each value, as memtest does. */
#include "content.h"
#include "kernel/random.h"

#define LINE_MAX 72        /* text: a line ends at the first phrase past this */
#define RECORD_BYTES 32
#define RECORD_FLAGS 4     /* records: flags take one of 4 values           */
#define TICK_STEP 1000     /* records: times advance about this much        */
#define TICK_JITTER 16
#define ZERO_EVERY 4       /* same-filled: every 4th page holds zeros       */

/* Text repeats itself the way prose and logs do: phrases, not letters. */
static const char *const words[] = {
	"the guest touched the page", "memvisor compressed it", "a nested page fault",
	"brought it back", "from the swap area", "in reserved machine memory",
	"the clock hand passed", "the accessed bit was set", "so the page stayed",
	"and the frame was freed", "half a page or less", "same-filled pages",
	"keep only their value", "the PMAP is the truth", "the nested tables a cache",
	"while cold pages exist", "the hot set survives", "every checksum verifies",
};
static const char *const names[] = { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel" };
#define WORDS (sizeof(words) / sizeof(words[0]))
#define NAMES (sizeof(names) / sizeof(names[0]))

static uint64_t next(uint64_t *x) { return *x = xorshift64(*x); }

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fill_text(uint8_t *page, uint64_t *x)
{
	unsigned column = 0;
	for (unsigned at = 0; at < ZIPMIX_PAGE;) {
		const char *w = words[next(x) % WORDS];
		for (; *w && at < ZIPMIX_PAGE; w++, column++)
			page[at++] = (uint8_t)*w;
		if (at < ZIPMIX_PAGE)
			page[at++] = column > LINE_MAX ? '\n' : ' ';
		column = column > LINE_MAX ? 0 : column + 1;
	}
}

static void fill_records(uint8_t *page, uint64_t *x, uint64_t index)
{
	uint64_t time = index * ZIPMIX_PAGE * TICK_STEP;
	for (unsigned r = 0; r < ZIPMIX_PAGE / RECORD_BYTES; r++) {
		uint8_t *rec = page + r * RECORD_BYTES;
		uint64_t v = next(x);
		time += TICK_STEP + v % TICK_JITTER;
		put64(rec, index * (ZIPMIX_PAGE / RECORD_BYTES) + r); /* id */
		put64(rec + 8, (v >> 8) % RECORD_FLAGS);               /* flags */
		put64(rec + 16, time);                                 /* time */
		const char *name = names[(v >> 16) % NAMES];
		for (unsigned i = 0; i < 8; i++)                       /* name */
			rec[24 + i] = *name ? (uint8_t)*name++ : 0;
	}
}

void zipmix_fill(uint8_t *page, enum zipmix_kind kind, uint64_t seed, uint64_t index)
{
	uint64_t x = xorshift64_seed(splitmix64_mix(seed * SPLITMIX64_GAMMA + index * ZIPMIX_KINDS + kind));
	switch (kind) {
	case ZIPMIX_TEXT: fill_text(page, &x); return;
	case ZIPMIX_RECORDS: fill_records(page, &x, index); return;
	case ZIPMIX_SAME: {
		uint64_t value = index % ZERO_EVERY ? x : 0;
		for (unsigned at = 0; at < ZIPMIX_PAGE; at += 8)
			put64(page + at, value);
		return;
	}
	case ZIPMIX_RANDOM:
	case ZIPMIX_KINDS:
		break;
	}
	for (unsigned at = 0; at < ZIPMIX_PAGE; at += 8)
		put64(page + at, next(&x));
}

const char *zipmix_kind_name(enum zipmix_kind kind)
{
	static const char *const kind_names[ZIPMIX_KINDS] = { "text", "records", "random", "same" };
	return kind < ZIPMIX_KINDS ? kind_names[kind] : "?";
}
