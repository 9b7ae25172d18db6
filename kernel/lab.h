/* kernel/lab.h — what a lab skeleton puts where an exercise was.
 *
 * Each lab (docs/labs/) marks its exercise regions in the code with two
 * comments around the solution: "LAB 3.1 sharing: what to write" before
 * it, and "LAB 3.1 end. The skeleton has instead:" after it, followed by
 * the skeleton's lines. `make skeleton LAB=sharing` (tools/labs) writes a
 * copy of the tree with the skeleton lines in place of the solution. There
 * LAB_TODO says once per place that the exercise is not written yet and
 * gives -E_NOT_IMPLEMENTED for the caller to fail with; LAB_MISSING stops
 * memvisor, for code nothing can run without. */
#ifndef MEMVISOR_LAB_H
#define MEMVISOR_LAB_H

#include "kernel/errno.h"
#include "kernel/types.h"

#define LAB_STRINGIFY_(x) #x
#define LAB_STRINGIFY(x) LAB_STRINGIFY_(x)
#define LAB_WHERE __FILE__ ":" LAB_STRINGIFY(__LINE__)

/* Prints "memvisor: lab LAB: not written yet: WHAT (WHERE)" unless *said;
 * sets *said. Returns -E_NOT_IMPLEMENTED. The kernel's is kernel/lab.c;
 * host unit tests link tests/unit/lab_todo.c. */
int lab_todo(const char *lab, const char *what, const char *where, bool *said);

#define LAB_TODO(lab, what)                                    \
	({                                                     \
		static bool lab_said_;                         \
		lab_todo((lab), (what), LAB_WHERE, &lab_said_); \
	})

/* As LAB_TODO, then panic: the exercise is on a path with no way to fail. */
#define LAB_MISSING(lab, what) lab_missing((lab), (what), LAB_WHERE)
__attribute__((noreturn)) void lab_missing(const char *lab, const char *what, const char *where);

#endif
