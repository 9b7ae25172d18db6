/* guest/hello/main.c — the smallest guest: says who and where it is.
 * Proves the boot protocol, HC_GET_INFO and the console. */
#include "guest.h"

const char guest_image_name[] = "hello";

int main(const struct guest_env *env)
{
	static const char *const no_args[] = { NULL };
	guest_args_check(env, no_args);
	guest_printf("hello: hello from vm %u (%s), %llu KiB of RAM, hypervisor=%s\n", env->vm_id,
		     env->name, (unsigned long long)(env->memory_bytes / KiB), env->hypervisor_name);
	return GUEST_EXIT_OK;
}
