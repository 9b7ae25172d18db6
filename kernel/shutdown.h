/* kernel/shutdown.h — the one way a run ends (kernel/shutdown.c). */
#ifndef MEMVISOR_SHUTDOWN_H
#define MEMVISOR_SHUTDOWN_H

/* Exit statuses. The runner (tools/run) passes them on as its own. */
enum shutdown_status {
	STATUS_OK = 0,          /* everything asked for succeeded      */
	STATUS_TEST_FAILED = 1, /* an in-kernel test failed            */
	STATUS_BAD_OPTION = 2,  /* the command line was wrong          */
	STATUS_PANIC = 3,       /* panic() or an unexpected exception  */
	STATUS_NO_MEMORY = 4,   /* the machine cannot hold what was asked */
	STATUS_GUEST_FAILED = 5,  /* a guest ended with a non-zero status  */
	STATUS_GUEST_STOPPED = 6, /* memvisor had to stop a guest          */
	STATUS_NO_VIRTUALIZATION = 7, /* no usable SVM / VMX on this CPU   */
};

/* Prints "memvisor: shutdown status=N reason=TEXT" on the console and on
 * the debug port 0xe9 (Bochs' port_e9_hack), and stops the machine: QEMU
 * through isa-debug-exit (exit code (N << 1) | 1), Bochs through its
 * shutdown port; elsewhere it halts and the runner reads the line. */
__attribute__((noreturn)) void shutdown(int status, const char *reason);

#endif
