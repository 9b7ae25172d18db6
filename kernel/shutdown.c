/* kernel/shutdown.c — end the run with one final status line. */
#include "shutdown.h"
#include "io.h"
#include "printf.h"
#include "serial.h"

/* QEMU: -device isa-debug-exit,iobase=0xf4,iosize=4 (see tools/run). */
#define QEMU_DEBUG_EXIT_PORT 0xf4
/* Bochs: writing "Shutdown" to this port ends the simulation (iodev/unmapped.cc). */
#define BOCHS_SHUTDOWN_PORT 0x8900

void shutdown(int status, const char *reason)
{
	irq_disable();
	kprintf("memvisor: shutdown status=%d reason=%s\n", status, reason);
	serial_flush(); /* Bochs stops at once on its shutdown port */
	outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)status);
	for (const char *p = "Shutdown"; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	for (;;)
		cpu_halt();
}
