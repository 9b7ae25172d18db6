/* guest/runtime/trap.h — the guest's exceptions. Its GDT, IDT and entry
 * stubs are memvisor's own (kernel/gdt.c, kernel/idt.c, kernel/isr.S,
 * compiled again for the guest by guest/guest.mk): the x86 descriptors do
 * not change between a hypervisor and its guests. What an exception then
 * does, trap_dispatch(), is the guest's (trap.c).
 * See: SDM Vol. 3A (rev. 084) 6.12–6.15. */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include "kernel/trap.h" /* struct trap_frame, gdt_init(), idt_init() */

/* Called by kernel/isr.S with interrupts off; returning resumes the
 * interrupted code. */
void trap_dispatch(struct trap_frame *tf);

/* A workload that provokes exceptions on purpose (guest/insn/,
 * guest/regspy/) sees each one first: its hook returns true when it
 * handled it, having changed the frame as it likes (e.g. a RIP to resume
 * at); false leaves it to the runtime. NULL removes the hook. This is the
 * guests' only way to expect an exception: kernel/trap.h's trap_expect()
 * is memvisor's own and is not built into guests. */
typedef bool (*trap_hook_t)(struct trap_frame *tf);
void trap_set_hook(trap_hook_t hook);

#endif
