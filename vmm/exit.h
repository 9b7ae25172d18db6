/* vmm/exit.h — what the core does with each neutral exit (vmm/exit.c). */
#ifndef MEMVISOR_VMM_EXIT_H
#define MEMVISOR_VMM_EXIT_H

#include "vmm/cpu/handlers.h"
#include "vmm/vm.h"

void exit_dispatch(struct vcpu *vcpu, const struct exit_record *exit);

/* Handlers living in their own files: here those of the root; the
 * instructions vmm/cpu/ emulates whole are vmm/cpu/handlers.h's. */
void handle_io(struct vcpu *vcpu, const struct exit_record *exit);
void handle_hypercall(struct vcpu *vcpu, const struct exit_record *exit);

/* The guest's console (vmm/pio.c): a line is printed when it ends. */
void vm_console_putc(struct vm *vm, char c);
void vm_uart_drain(struct vm *vm);

#endif
