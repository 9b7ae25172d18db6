/* guest/hello/main.c — the smallest guest: says who and where it is.
 * Proves the boot protocol, HC_GET_INFO and the console. */
#include "guest.h"
#include "kernel/io.h"
#include "kernel/x86.h"

/* What CPUID tells a guest about the machine it runs on: the hypervisor bit
 * (leaf 1 ECX bit 31) is set, and neither VMX (leaf 1 ECX bit 5) nor SVM
 * (leaf 8000_0001h ECX bit 2) shows through. */
static void report_cpuid(void)
{
	uint32_t a, b, c1, d, c_ext, max_ext;
	cpuid(CPUID_FEATURES, 0, &a, &b, &c1, &d);
	cpuid(CPUID_EXT_MAX, 0, &max_ext, &b, &c_ext, &d);
	c_ext = 0;
	if (max_ext >= CPUID_EXT_FEATURES)
		cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c_ext, &d);
	guest_printf("hello: cpuid hypervisor=%u vmx=%u svm=%u\n", !!(c1 & CPUID1_ECX_HYPERVISOR),
		     !!(c1 & CPUID1_ECX_VMX), !!(c_ext & CPUID_EXT_ECX_SVM));
}

const char guest_image_name[] = "hello";

int main(const struct guest_env *env)
{
	static const char *const no_args[] = { NULL };
	guest_args_check(env, no_args);
	guest_printf("hello: hello from vm %u (%s), %llu KiB of RAM, hypervisor=%s\n", env->vm_id,
		     env->name, (unsigned long long)(env->memory_bytes / KiB), env->hypervisor_name);
	report_cpuid();
	return GUEST_EXIT_OK;
}
