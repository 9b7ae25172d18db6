/* vmm/guests_option.h — the guests= option (vmm/guests_option.c). */
#ifndef MEMVISOR_VMM_GUESTS_OPTION_H
#define MEMVISOR_VMM_GUESTS_OPTION_H

/* Parses guests= into vms[] (name, image, memory size, memvisor's own
 * salt=/share= words, the guest's arguments). A malformed item is an
 * option error: the message names it, and memvisor stops. */
void guests_option_parse(const char *option);

/* "option 'guests': MESSAGE", then memvisor stops (options_error()). */
__attribute__((noreturn, format(printf, 1, 2))) void guests_option_error(const char *fmt, ...);

#endif
