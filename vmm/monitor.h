/* vmm/monitor.h — the monitor shell on the serial console (vmm/monitor.c). */
#ifndef MEMVISOR_VMM_MONITOR_H
#define MEMVISOR_VMM_MONITOR_H

#include "kernel/types.h"

enum monitor_result {
	MONITOR_STAY,     /* the command is done: next command       */
	MONITOR_CONTINUE, /* leave the monitor, run the guests (on)  */
	MONITOR_QUIT,     /* end the run now                         */
};

/* Runs one command line; prints its output or a one-line error. */
enum monitor_result monitor_command(char *line);
/* Runs "cmd;cmd;..." (script=); returns MONITOR_QUIT if one said quit. */
enum monitor_result monitor_script(const char *script);
/* Prompts "memvisor> " and runs commands until continue or quit. */
enum monitor_result monitor_interactive(const char *why);
/* True when a byte waits on the serial port (a person wants the prompt). */
bool monitor_key_waiting(void);

#endif
