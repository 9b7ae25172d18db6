/* guest/attack/attack.h — the adversarial guest: one kind of attack per
 * instance (kind=NAME), each trying what an x86 program may try against
 * the hypervisor beneath it, and checking every answer it gets.
 *
 * A kind either ends by itself — every refusal was the one the ABI or the
 * architecture promises, exit 0 (a wrong answer: exit 1) — or it does
 * something memvisor must not let through, and memvisor stops this VM
 * with a named reason (the system tests say which). The VMs beside it
 * (memtest, twins) verify their own memory meanwhile. */
#ifndef GUEST_ATTACK_H
#define GUEST_ATTACK_H

#include "guest.h"
#include "trap.h"

struct attack {
	const struct guest_env *env;
	const char *kind;
	uint64_t seed, rounds;
	uint64_t checks, failed;
	bool amd; /* the CPU vendor: which VM instructions are the other's */
};

/* Records one check; prints it when it failed (and the first few). */
void attack_expect(struct attack *a, const char *what, int64_t expected, int64_t seen);
uint64_t attack_random(struct attack *a);

/* The kinds (hypercalls.c, ports.c, cpu.c, memory.c). Each returns when
 * it is done; the kinds meant to be stopped do not return. */
void attack_hypercalls(struct attack *a);
void attack_balloon(struct attack *a);
void attack_ports(struct attack *a);
void attack_stringio(struct attack *a);
void attack_msr(struct attack *a);
void attack_cr(struct attack *a);
void attack_vminsn(struct attack *a);
void attack_hlt(struct attack *a);
void attack_exceptions(struct attack *a);
void attack_exits(struct attack *a);
void attack_pagetables(struct attack *a);
void attack_gpa(struct attack *a);

/* Provoking an exception on purpose (probe.c):
 *
 *	probe_arm(VECTOR_GP);
 *	__asm__ volatile(PROBE_START "mov %0, %%cr0" PROBE_END :: "r"(v) : PROBE_CLOBBERS);
 *	bool raised = probe_disarm();
 *
 * If the exception comes, execution goes on at PROBE_END with the
 * registers as they were at the fault. */
#define PROBE_START "leaq 1f(%%rip), %%r11\n\tmovq %%r11, probe_resume(%%rip)\n\t"
#define PROBE_END "\n1:\n\t"
#define PROBE_CLOBBERS "r11", "memory"
extern uint64_t probe_resume;
void probe_init(void);
void probe_arm(uint64_t vector);
/* True if the armed exception came; disarms. */
bool probe_disarm(void);

#endif
