/* guest/insn/run.h — each instruction under test, wrapped in asm that
 * shows whether execution went on at the right place (run.c).
 *
 * After the instruction under test comes a short "trailer": the right
 * path jumps over its bytes and sets `done`; a hypervisor that resumes
 * inside the instruction runs those bytes as code instead, which changes a
 * register the check compares (or faults, and the probe records it). */
#ifndef GUEST_INSN_RUN_H
#define GUEST_INSN_RUN_H

#include <stdint.h>

struct regs_seen {
	uint64_t rax, rbx, rcx, rdx, rdi;
	uint64_t done;     /* 1 if the code after the instruction ran         */
	uint64_t insn_rip; /* the address of the instruction under test       */
	uint64_t next_rip; /* the address of the instruction after it         */
};

/* CPUID leaf 0x40000000 with legacy/REX prefixes in front. */
enum cpuid_form { CPUID_2E, CPUID_66, CPUID_F3_2E_66, CPUID_REX_W, CPUID_13_PREFIXES, CPUID_FORMS };
void run_cpuid(enum cpuid_form form, struct regs_seen *r);
extern const char *const cpuid_form_names[CPUID_FORMS];

/* RDMSR of IA32_EFER: 2E 0F 32, and 66 REX.W 0F 32. */
void run_rdmsr_efer(int form, struct regs_seen *r);
/* HC_NOP through a 2E/3E-prefixed VMMCALL (vmmcall true) or VMCALL. */
void run_hypercall_nop(bool vmmcall, int form, struct regs_seen *r);

/* CPUID with RFLAGS.TF set by the POPF before it. */
void run_cpuid_single_step(struct regs_seen *r);

/* IN EAX/AL, DX from port with RAX = rax_before; returns the new RAX. */
uint64_t run_in32(uint16_t port, uint64_t rax_before);
uint64_t run_in8(uint16_t port, uint64_t rax_before);

void run_wbinvd(struct regs_seen *r);
void run_invd(struct regs_seen *r);
void run_rdpmc(uint32_t counter, struct regs_seen *r);
/* MOV to CR0 / CR4 of value. */
void run_write_cr0(uint64_t value, struct regs_seen *r);
void run_write_cr4(uint64_t value, struct regs_seen *r);

#endif
