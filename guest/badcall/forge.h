/* guest/badcall/forge.h — badcall's other modes: lines that pretend to be
 * memvisor's (mode=forge) and a flood of HC_MARK (mode=marks). */
#ifndef GUEST_BADCALL_FORGE_H
#define GUEST_BADCALL_FORGE_H

#include "guest.h"

/* Prints memvisor's status and summary lines as its own console text, plain
 * and behind terminal escapes, through COM1 and HC_CONSOLE_WRITE; then
 * computes for ms milliseconds so the run goes on well after them. */
int badcall_forge(const struct guest_env *env, uint64_t ms);

/* Makes HC_MARK count times (marks 1..count). */
int badcall_marks(uint64_t count);

#endif
