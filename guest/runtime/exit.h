/* guest/runtime/exit.h — how a guest ends: a status on the exit port.
 * The statuses every guest uses; the hypervisor (or QEMU's isa-debug-exit,
 * which turns status s into exit code 2*s+1) reports them. */
#ifndef GUEST_EXIT_H
#define GUEST_EXIT_H

#define GUEST_EXIT_OK 0     /* the workload did what it checks              */
#define GUEST_EXIT_FAILED 1 /* a check inside the workload failed           */
#define GUEST_EXIT_USAGE 2  /* a bad key=value argument                      */
#define GUEST_EXIT_FATAL 3  /* an exception or a runtime error (no memory…)  */

#ifndef __ASSEMBLY__
#include <stdint.h>

/* Writes status to GUEST_EXIT_PORT, then halts forever with interrupts
 * off (should the port do nothing, e.g. QEMU without isa-debug-exit). */
__attribute__((noreturn)) void guest_exit(uint32_t status);
/* Prints "GUEST: error: WHAT failed (ERR)" and exits with GUEST_EXIT_FATAL:
 * a runtime call the workload cannot go on without failed. */
__attribute__((noreturn)) void guest_die(const char *guest, const char *what, int err);
#endif

#endif
