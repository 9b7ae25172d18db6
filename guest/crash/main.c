/* guest/crash/main.c — misbehaves on purpose, to show that memvisor stops
 * this VM only (docs/design.md, "Exits and what stops a VM"). Argument mode=:
 *
 *   triple (default)  a triple fault. With an IDT whose limit is 0, INT3
 *                     finds no gate for vector 3 → #GP; delivering the #GP
 *                     finds no gate either → #DF; delivering the #DF fails
 *                     too → triple fault (SDM Vol. 3A (rev. 084) 6.15,
 *                     interrupt 8), which is a VM exit (VMX: exit reason 2;
 *                     SVM: the SHUTDOWN intercept), or a reset on bare metal.
 *   gpa               a write to a guest-physical address beyond its RAM:
 *                     the guest's own page tables map a gva to that gpa,
 *                     so the access passes the guest MMU and reaches the
 *                     nested tables, where memvisor finds no such memory.
 */
#include "guest.h"

const char guest_image_name[] = "crash";

enum crash_mode { MODE_TRIPLE, MODE_GPA };
static const char *const modes[] = { "triple", "gpa", NULL };
#define BEYOND_GVA 0x0000600000000000ull
#define BEYOND_OFFSET (1 * MiB) /* past the end of RAM */

static void triple_fault(void)
{
	guest_printf("crash: about to triple-fault\n");
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} empty_idt = { 0, 0 };
	__asm__ volatile("lidt %0\n\t"
			 "int3"
			 :
			 : "m"(empty_idt)
			 : "memory");
}

static void touch_beyond_memory(const struct guest_env *env)
{
	gpa_t beyond = { ALIGN_UP(env->memory_bytes, PAGE_SIZE) + BEYOND_OFFSET };
	int err = guest_map((gva_t){ BEYOND_GVA }, beyond, PTE_WRITE);
	if (err) {
		guest_printf("crash: error: guest_map failed with %d\n", err);
		return;
	}
	guest_printf("crash: about to write gpa %#llx, beyond its %llu KiB\n", (unsigned long long)beyond.raw,
		     (unsigned long long)(env->memory_bytes / KiB));
	*(volatile uint64_t *)BEYOND_GVA = 1;
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "mode", NULL };
	guest_args_check(env, known);
	if (guest_arg_choice(env, "mode", modes) == MODE_GPA)
		touch_beyond_memory(env);
	else
		triple_fault();
	/* Only reached if memvisor let the guest go on: say so. */
	guest_printf("crash: error: still running after the fault\n");
	return GUEST_EXIT_FAILED;
}
