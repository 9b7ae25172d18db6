/* vmm/guests_option.h — the guests= option (vmm/guests_option.c). */
#ifndef MEMVISOR_VMM_GUESTS_OPTION_H
#define MEMVISOR_VMM_GUESTS_OPTION_H

#include "kernel/types.h"

/* Parses guests= into vms[] (name, image, memory size, memvisor's own
 * salt=/share= and shares=/reservation=/limit= words, the guest's arguments). A malformed item is an
 * option error: the message names it, and memvisor stops. */
void guests_option_parse(const char *option);

/* The VMs' reservations against the guests' budget (guest_mem, in
 * pages, once known): more than it is an option error. */
void guests_option_check_reservations(uint64_t budget);

/* "option 'guests': MESSAGE", then memvisor stops (options_error()). */
__attribute__((noreturn, format(printf, 1, 2))) void guests_option_error(const char *fmt, ...);

#endif
