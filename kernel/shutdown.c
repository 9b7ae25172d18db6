/* kernel/shutdown.c — end the run with one final status line.
 *
 * The status leaves the machine on two channels: the serial console (what a
 * student reads, shared with the guests' console lines) and a device no
 * guest can reach, because every port a guest touches is intercepted by
 * memvisor (SVM IOPM, APM Vol. 2 15.10.1; VMX unconditional I/O exiting,
 * SDM Vol. 3C 25.1.3). tools/run takes the status from the device and
 * checks the console line against it. */
#include "kernel/shutdown.h"
#include "kernel/io.h"
#include "kernel/printf.h"
#include "kernel/serial.h"

/* QEMU: -device isa-debug-exit,iobase=0xf4,iosize=4 (see tools/run). */
#define QEMU_DEBUG_EXIT_PORT 0xf4
/* Bochs: port_e9_hack prints every byte written here on its stdout; QEMU's
 * isa-debugcon listens here too. Nothing else on a PC uses it. */
#define DEBUG_CONSOLE_PORT 0xe9
/* Bochs: writing "Shutdown" to this port ends the simulation (iodev/unmapped.cc). */
#define BOCHS_SHUTDOWN_PORT 0x8900
#define STATUS_LINE_MAX 96

/* A leading newline: whatever the emulator printed before (Bochs' debugger
 * prompt) does not share the line. */
static void debug_console_write(const char *line)
{
	outb(DEBUG_CONSOLE_PORT, '\n');
	for (const char *p = line; *p; p++)
		outb(DEBUG_CONSOLE_PORT, (uint8_t)*p);
}

void shutdown(int status, const char *reason)
{
	char line[STATUS_LINE_MAX];
	irq_disable();
	ksnprintf(line, sizeof(line), "memvisor: shutdown status=%d reason=%s\n", status, reason);
	kprintf("%s", line);
	serial_flush(); /* Bochs stops at once on its shutdown port */
	debug_console_write(line);
	outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)status);
	for (const char *p = "Shutdown"; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	for (;;)
		cpu_halt();
}
