/* guest/crash/main.c — triple-faults on purpose, to show that memvisor
 * stops this VM only (DESIGN.md §4: "triple fault / shutdown (kills that
 * VM only)").
 *
 * How (SDM Vol. 3A (rev. 084) 6.15, interrupt 8): with an IDT whose limit
 * is 0, INT3 finds no gate for vector 3 → #GP; delivering the #GP finds no
 * gate either → #DF; delivering the #DF fails too → triple fault, which
 * is a VM exit (VMX: exit reason 2; SVM: the SHUTDOWN intercept), or a
 * reset on bare metal. */
#include "guest.h"

const char guest_image_name[] = "crash";

int main(const struct guest_env *env)
{
	static const char *const no_args[] = { NULL };
	guest_args_check(env, no_args);
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

	/* Only reached if the CPU did not shut down: say so. */
	guest_printf("crash: error: still running after the triple fault\n");
	return GUEST_EXIT_FAILED;
}
