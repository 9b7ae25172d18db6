/* guest/regspy/regs.h — the single registers regspy plants and watches:
 * each with its value at reset (what a fresh VM must read) and the value
 * role=write plants (what no other VM may ever read). */
#ifndef REGSPY_REGS_H
#define REGSPY_REGS_H

#include "features.h"

struct scalar_reg {
	const char *name;
	bool (*usable)(const struct features *f);
	uint64_t (*read)(void);
	void (*write)(uint64_t v);
	uint64_t reset;   /* SDM Vol. 3A 10.1 table 10-1, memvisor's boot state */
	uint64_t planted; /* role=write's value; XCR0's comes from CPUID       */
};

extern const struct scalar_reg scalar_regs[];
extern const unsigned scalar_reg_count;

/* The value role=write plants in r on this CPU. */
uint64_t scalar_planted(const struct scalar_reg *r, const struct features *f);

#endif
