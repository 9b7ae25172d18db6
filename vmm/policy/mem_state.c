/* vmm/policy/mem_state.c — free memory to memory state, with hysteresis (see
 * mem_state.h). */
#include "vmm/policy/mem_state.h"
#include "kernel/errno.h"
#include "kernel/lab.h"
#include "kernel/printf.h"

static const char *const names[MEM_STATE_COUNT] = { "high", "soft", "hard", "low" };

const char *mem_state_name(enum mem_state s)
{
	return s < MEM_STATE_COUNT ? names[s] : "invalid";
}

static int bad(char *msg, size_t size, const char *why, const char *text)
{
	ksnprintf(msg, size, "'%s' %s (four whole percentages, falling, e.g. 6,4,2,1)", text, why);
	return -E_INVAL;
}

int mem_thresholds_parse(const char *text, struct mem_thresholds *t, char *msg, size_t size)
{
	const char *p = text;
	for (int i = 0; i < MEM_STATE_COUNT; i++) {
		unsigned v = 0;
		int digits = 0;
		for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
			v = v * 10 + (unsigned)(*p - '0');
		if (!digits)
			return bad(msg, size, "is not a list of numbers", text);
		if (v > 100)
			return bad(msg, size, "has a percentage above 100", text);
		if (i > 0 && v >= t->pct[i - 1])
			return bad(msg, size, "does not fall from one state to the next", text);
		t->pct[i] = v;
		if (i < MEM_STATE_COUNT - 1 && *p++ != ',')
			return bad(msg, size, "needs four numbers separated by commas", text);
	}
	if (*p)
		return bad(msg, size, "has something after the fourth number", text);
	if (t->pct[MEM_LOW] == 0)
		return bad(msg, size, "has a low threshold of 0, which would never block", text);
	return 0;
}

/* free/total < pct%, without overflow or division. */
static bool below(uint64_t free, uint64_t total, unsigned pct)
{
	return free * 100 < total * pct;
}

enum mem_state mem_state_next(enum mem_state cur, uint64_t free, uint64_t total, const struct mem_thresholds *t)
{
	/* LAB 6.1 policy: hysteresis. Down: into the lowest state whose
	 * threshold free memory is under (t->pct[state]). Up, only when not
	 * going down: leave a state when free memory reaches the threshold of
	 * the state above it, as far up as that holds. So between two
	 * thresholds the state stays what it was. */
	enum mem_state s = cur;
	while (s < MEM_LOW && below(free, total, t->pct[s + 1]))
		s++;
	if (s != cur)
		return s;
	while (s > MEM_HIGH && !below(free, total, t->pct[s - 1]))
		s--;
	return s;
	/* LAB 6.1 end. The skeleton has instead:
	 *	(void)free, (void)total, (void)t, (void)below;
	 *	LAB_TODO("policy", "mem_state_next");
	 *	return cur;
	 */
}
