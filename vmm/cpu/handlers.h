/* vmm/cpu/handlers.h — the exits whose instruction vmm/cpu/ emulates whole,
 * called by the core's dispatch (vmm/exit.c). */
#ifndef MEMVISOR_VMM_CPU_HANDLERS_H
#define MEMVISOR_VMM_CPU_HANDLERS_H

#include "vmm/vm.h"

/* CPUID: the host's answer with hardware virtualisation and performance
 * monitoring hidden, and memvisor's own leaves (vmm/cpu/cpuid.c). */
void handle_cpuid(struct vcpu *vcpu, const struct exit_record *exit);
/* XSETBV: a checked write of XCR0 (vmm/cpu/xsetbv.c). */
void handle_xsetbv(struct vcpu *vcpu, const struct exit_record *exit);

#endif
