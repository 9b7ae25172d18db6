/* vmm/policy/mem_state.h — the machine's memory state, from free memory, as ESX
 * defines it (docs/background.md, "Memory states"):
 *
 *   state  reclamation that runs           default threshold (% free)
 *   high   page sharing only               6
 *   soft   + ballooning                    4
 *   hard   + compression                   2
 *   low    + VMs needing a frame wait      1
 *
 * With hysteresis, so that the state does not flap around a threshold:
 * going down, a state is entered when free memory falls below its own
 * threshold; going up, it is left only when free memory climbs back to the
 * threshold of the state above it.
 *
 *   free %   0      1      2      4      6         100
 *   down:    |  low |  hard |  soft |    high      |
 *   up:      low → hard at 2, hard → soft at 4, soft → high at 6
 *
 * Pure code (tests/unit runs it hosted).
 */
#ifndef MEMVISOR_VMM_MEM_STATE_H
#define MEMVISOR_VMM_MEM_STATE_H

#include "kernel/types.h"

enum mem_state { MEM_HIGH, MEM_SOFT, MEM_HARD, MEM_LOW, MEM_STATE_COUNT };

/* Thresholds in percent of the memory the guests may use. */
struct mem_thresholds {
	unsigned pct[MEM_STATE_COUNT]; /* high, soft, hard, low: strictly decreasing */
};

#define MEM_THRESHOLDS_DEFAULT "6,4,2,1"

/* Parses "6,4,2,1". Returns 0, or -E_INVAL with a message in msg. */
int mem_thresholds_parse(const char *text, struct mem_thresholds *t, char *msg, size_t msg_size);

/* The state after `cur` given free and total pages. */
enum mem_state mem_state_next(enum mem_state cur, uint64_t free, uint64_t total, const struct mem_thresholds *t);

const char *mem_state_name(enum mem_state s);

#endif
