/* guest/insn/run.c — the instructions under test in asm (run.h). Each
 * block stores where a fault resumes (label 9), where the instruction is
 * (label 1) and, in r8 → done, whether the code after it ran.
 * Encodings: SDM Vol. 2 (rev. 084) appendix A; CPUID 0F A2, RDMSR 0F 32,
 * VMCALL 0F 01 C1, VMMCALL 0F 01 D9 (APM Vol. 3), RDPMC 0F 33. */
#include <stdbool.h>
#include "run.h"
#include "probe.h"
#include "vmm/hypercall_abi.h"
#include "kernel/x86.h"

#define MARK_RBX 0x11u /* registers the trailers would change, */
#define MARK_RCX 0x22u /* preset to values the checks compare  */
#define MARK_RDI 0x33u

const char *const cpuid_form_names[CPUID_FORMS] = {
	[CPUID_2E] = "2e", [CPUID_66] = "66", [CPUID_F3_2E_66] = "f3-2e-66", [CPUID_REX_W] = "rex.w",
	[CPUID_13_PREFIXES] = "13-prefixes",
};

/* Right path: JMP +8 over 8 bytes. Resumed at CPUID's last byte (A2, MOV
 * moffs64, AL) the 8 bytes make the address 0x80000000000008eb, not
 * canonical: a #GP the probe records. */
#define CPUID_ASM(PREFIX)                                                                              \
	__asm__ volatile("leaq 9f(%%rip), %%r11\n\t"                                                   \
			 "movq %%r11, %[resume]\n\t"                                                   \
			 "leaq 1f(%%rip), %%r11\n\t"                                                   \
			 "movq %%r11, %[insn]\n\t"                                                     \
			 "xorl %%r8d, %%r8d\n"                                                         \
			 "1:\t.byte " PREFIX "0x0f, 0xa2\n\t"                                          \
			 ".byte 0xeb, 0x08, 0, 0, 0, 0, 0, 0x80, 0, 0\n\t"                             \
			 "movl $1, %%r8d\n"                                                            \
			 "9:\tmovq %%r8, %[done]"                                                      \
			 : "+a"(r->rax), "=b"(r->rbx), "+c"(r->rcx), "=d"(r->rdx),                     \
			   [resume] "=m"(probe.resume), [insn] "=m"(r->insn_rip), [done] "=m"(r->done) \
			 :                                                                             \
			 : "r8", "r11", "memory", "cc")

void run_cpuid(enum cpuid_form form, struct regs_seen *r)
{
	*r = (struct regs_seen){ .rax = CPUID_HYPERVISOR_BASE, .rcx = 0 };
	switch (form) {
	case CPUID_2E: CPUID_ASM("0x2e, "); break;
	case CPUID_66: CPUID_ASM("0x66, "); break;
	case CPUID_F3_2E_66: CPUID_ASM("0xf3, 0x2e, 0x66, "); break;
	case CPUID_REX_W: CPUID_ASM("0x48, "); break;
	case CPUID_13_PREFIXES: /* 15 bytes: the longest an instruction may be */
		CPUID_ASM("0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, ");
		break;
	case CPUID_FORMS: break;
	}
}

/* Right path: JMP +1 over FF. Resumed inside the instruction the bytes
 * run as code: 32 EB (XOR CH, BL) or D9 EB (FLDPI), then 01 FF (ADD EDI,
 * EDI), or 01 D9 (ADD ECX, EBX): RCX or RDI changes. */
#define TRAILER ".byte 0xeb, 0x01, 0xff\n\t"

#define RDMSR_ASM(PREFIX)                                                                              \
	__asm__ volatile("leaq 9f(%%rip), %%r11\n\t"                                                   \
			 "movq %%r11, %[resume]\n\t"                                                   \
			 "leaq 1f(%%rip), %%r11\n\t"                                                   \
			 "movq %%r11, %[insn]\n\t"                                                     \
			 "xorl %%r8d, %%r8d\n"                                                         \
			 "1:\t.byte " PREFIX "0x0f, 0x32\n\t" TRAILER "movl $1, %%r8d\n"               \
			 "9:\tmovq %%r8, %[done]"                                                      \
			 : "=a"(r->rax), "+b"(r->rbx), "+c"(r->rcx), "=d"(r->rdx), "+D"(r->rdi),       \
			   [resume] "=m"(probe.resume), [insn] "=m"(r->insn_rip), [done] "=m"(r->done) \
			 :                                                                             \
			 : "r8", "r11", "memory", "cc")

void run_rdmsr_efer(int form, struct regs_seen *r)
{
	*r = (struct regs_seen){ .rbx = MARK_RBX, .rcx = MSR_IA32_EFER, .rdi = MARK_RDI };
	if (form == 0)
		RDMSR_ASM("0x2e, ");
	else
		RDMSR_ASM("0x66, 0x48, ");
}

#define HYPERCALL_ASM(BYTES)                                                                           \
	__asm__ volatile("leaq 9f(%%rip), %%r11\n\t"                                                   \
			 "movq %%r11, %[resume]\n\t"                                                   \
			 "leaq 1f(%%rip), %%r11\n\t"                                                   \
			 "movq %%r11, %[insn]\n\t"                                                     \
			 "xorl %%r8d, %%r8d\n"                                                         \
			 "1:\t.byte " BYTES "\n\t" TRAILER "movl $1, %%r8d\n"                          \
			 "9:\tmovq %%r8, %[done]"                                                      \
			 : "+a"(r->rax), "+b"(r->rbx), "+c"(r->rcx), "+d"(r->rdx), "+D"(r->rdi),       \
			   [resume] "=m"(probe.resume), [insn] "=m"(r->insn_rip), [done] "=m"(r->done) \
			 : "S"(0ull)                                                                   \
			 : "r8", "r11", "memory", "cc")

void run_hypercall_nop(bool vmmcall, int form, struct regs_seen *r)
{
	*r = (struct regs_seen){ .rax = HC_NOP, .rbx = MARK_RBX, .rcx = MARK_RCX, .rdi = MARK_RDI };
	if (vmmcall && form == 0)
		HYPERCALL_ASM("0x2e, 0x0f, 0x01, 0xd9");
	else if (vmmcall)
		HYPERCALL_ASM("0x2e, 0x3e, 0x0f, 0x01, 0xd9");
	else if (form == 0)
		HYPERCALL_ASM("0x2e, 0x0f, 0x01, 0xc1");
	else
		HYPERCALL_ASM("0x2e, 0x3e, 0x0f, 0x01, 0xc1");
}

/* POPF sets TF: the trap comes after the instruction that follows it,
 * the CPUID (SDM Vol. 3A 18.3.1.4), so the #DB's RIP is label 2. */
void run_cpuid_single_step(struct regs_seen *r)
{
	*r = (struct regs_seen){ 0 };
	__asm__ volatile("leaq 9f(%%rip), %%r11\n\t"
			 "movq %%r11, %[resume]\n\t"
			 "leaq 1f(%%rip), %%r11\n\t"
			 "movq %%r11, %[insn]\n\t"
			 "leaq 2f(%%rip), %%r11\n\t"
			 "movq %%r11, %[next]\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "xorl %%ecx, %%ecx\n\t"
			 "pushfq\n\t"
			 "orq $0x100, (%%rsp)\n\t"
			 "popfq\n"
			 "1:\tcpuid\n"
			 "2:\tnop\n\t"
			 "nop\n\t"
			 "pushfq\n\t"
			 "andq $~0x100, (%%rsp)\n\t"
			 "popfq\n"
			 "9:"
			 : [resume] "=m"(probe.resume), [insn] "=m"(r->insn_rip), [next] "=m"(r->next_rip)
			 :
			 : "rax", "rbx", "rcx", "rdx", "r11", "memory", "cc");
}

uint64_t run_in32(uint16_t port, uint64_t rax)
{
	__asm__ volatile("inl %%dx, %%eax" : "+a"(rax) : "d"(port));
	return rax;
}

uint64_t run_in8(uint16_t port, uint64_t rax)
{
	__asm__ volatile("inb %%dx, %%al" : "+a"(rax) : "d"(port));
	return rax;
}

/* One instruction INSN (operands in RAX, RCX) that may fault. */
#define SIMPLE_ASM(INSN)                                                                               \
	__asm__ volatile("leaq 9f(%%rip), %%r11\n\t"                                                   \
			 "movq %%r11, %[resume]\n\t"                                                   \
			 "leaq 1f(%%rip), %%r11\n\t"                                                   \
			 "movq %%r11, %[insn]\n\t"                                                     \
			 "xorl %%r8d, %%r8d\n"                                                         \
			 "1:\t" INSN "\n\t"                                                            \
			 "movl $1, %%r8d\n"                                                            \
			 "9:\tmovq %%r8, %[done]"                                                      \
			 : "+a"(r->rax), "+c"(r->rcx), "+d"(r->rdx), [resume] "=m"(probe.resume),      \
			   [insn] "=m"(r->insn_rip), [done] "=m"(r->done)                              \
			 :                                                                             \
			 : "r8", "r11", "memory", "cc")

void run_wbinvd(struct regs_seen *r)
{
	*r = (struct regs_seen){ 0 };
	SIMPLE_ASM("wbinvd");
}

void run_invd(struct regs_seen *r)
{
	*r = (struct regs_seen){ 0 };
	SIMPLE_ASM("invd");
}

void run_rdpmc(uint32_t counter, struct regs_seen *r)
{
	*r = (struct regs_seen){ .rcx = counter };
	SIMPLE_ASM("rdpmc");
}

void run_write_cr0(uint64_t value, struct regs_seen *r)
{
	*r = (struct regs_seen){ .rax = value };
	SIMPLE_ASM("movq %%rax, %%cr0");
}

void run_write_cr4(uint64_t value, struct regs_seen *r)
{
	*r = (struct regs_seen){ .rax = value };
	SIMPLE_ASM("movq %%rax, %%cr4");
}
