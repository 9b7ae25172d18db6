/* tests/unit/lab_todo.c — kernel/lab.h's lab_todo for the host unit tests:
 * in a lab skeleton the code under test may reach an exercise not written
 * yet, and the test's output should say which. */
#include <stdio.h>
#include <stdlib.h>

#include "kernel/lab.h"

int lab_todo(const char *lab, const char *what, const char *where, bool *said)
{
	if (!*said)
		fprintf(stderr, "lab %s: not written yet: %s (%s)\n", lab, what, where);
	*said = true;
	return -E_NOT_IMPLEMENTED;
}

void lab_missing(const char *lab, const char *what, const char *where)
{
	fprintf(stderr, "lab %s: not written yet: %s (%s); the test cannot go on\n", lab, what, where);
	abort();
}
