/* guest/insn/probe.h — running one instruction on purpose and seeing what
 * came of it: the exception it raised (if any), where, and whether the
 * code after it ran. The asm of each check (checks.c) stores the address
 * a fault resumes at in probe.resume; the trap hook here records the
 * first exception and resumes there (a #DB, a trap, resumes where it was
 * raised, with RFLAGS.TF cleared). */
#ifndef GUEST_INSN_PROBE_H
#define GUEST_INSN_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/x86.h"

#define VECTOR_NO_TRAP 0xffu /* probe.vector when nothing was raised */

struct probe {
	uint64_t resume; /* where a fault resumes (written by each check's asm) */
	unsigned traps;  /* exceptions taken since probe_arm()                */
	uint64_t vector, error, rip, dr6; /* of the first one                  */
};
extern volatile struct probe probe;

/* Installs the hook (once) and forgets the previous check's exceptions. */
void probe_arm(void);
/* Exceptions go back to the runtime's handling (fatal). */
void probe_disarm(void);

#endif
