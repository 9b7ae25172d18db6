/* kernel/lab.c — the kernel's messages for lab exercises not written yet
 * (see lab.h). */
#include "kernel/lab.h"
#include "kernel/panic.h"
#include "kernel/printf.h"

int lab_todo(const char *lab, const char *what, const char *where, bool *said)
{
	if (!*said)
		kprintf("memvisor: lab %s: not written yet: %s (%s)\n", lab, what, where);
	*said = true;
	return -E_NOT_IMPLEMENTED;
}

void lab_missing(const char *lab, const char *what, const char *where)
{
	panic("lab %s: not written yet: %s (%s); memvisor cannot go on without it", lab, what, where);
}
