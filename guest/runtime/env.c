/* guest/runtime/env.c — env_init(): the workload's view of its VM, from
 * HC_GET_INFO (vmm/hypercall_abi.h §2) or, standalone, from the boot. */
#include "guest.h" /* guest_image_name: each workload names itself */

/* Aligned to its own (power-of-two rounded) size so that it never
 * straddles a page: the hypervisor then writes it through one mapping. */
static struct hc_vm_info env_info __attribute__((aligned(256)));
_Static_assert(sizeof(struct hc_vm_info) <= 256, "env_info alignment");

/* The ABI's strings need not be NUL-terminated when they fill the field. */
static void copy_field(char *dst, const char *src, size_t field_size)
{
	size_t n = 0;
	while (n < field_size && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void env_from_hypervisor(struct guest_env *env, uint64_t boot_memory_bytes)
{
	gpa_t info_gpa;
	if (guest_virt_to_phys(gva_of_ptr(&env_info), &info_gpa)) {
		guest_printf("guest: error: HC_GET_INFO buffer is not mapped\n");
		guest_exit(GUEST_EXIT_FATAL);
	}
	int64_t ret = hc_call(HC_GET_INFO, info_gpa.raw, 0, 0, 0);
	if (ret < 0) {
		guest_printf("guest: error: HC_GET_INFO failed with %lld\n", (long long)ret);
		guest_exit(GUEST_EXIT_FATAL);
	}
	if (env_info.abi_version != HC_ABI_VERSION)
		guest_printf("guest: warning: hypervisor ABI version %u, guest built for %u\n",
			     env_info.abi_version, HC_ABI_VERSION);
	/* Two sources for one fact: if they disagree, one side has a bug. */
	if (env_info.memory_bytes != boot_memory_bytes)
		guest_printf("guest: warning: HC_GET_INFO says %llu bytes of RAM, the boot registers %llu\n",
			     (unsigned long long)env_info.memory_bytes,
			     (unsigned long long)boot_memory_bytes);
	env->memory_bytes = env_info.memory_bytes;
	env->vm_id = env_info.vm_id;
	env->hypervisor = true;
	env->hypervisor_name = CPUID_HYPERVISOR_SIGNATURE;
	copy_field(env->name, env_info.name, HC_INFO_NAME_MAX);
	copy_field(env->args, env_info.args, HC_INFO_ARGS_MAX);
	env->tsc_khz = env_info.tsc_khz;
}

void env_init(struct guest_env *env, uint64_t boot_memory_bytes, const char *boot_args)
{
	if (hc_present()) {
		env_from_hypervisor(env, boot_memory_bytes);
		return;
	}
	env->memory_bytes = boot_memory_bytes;
	env->vm_id = 0;
	env->hypervisor = false;
	env->hypervisor_name = "none";
	env->tsc_khz = 0;
	str_copy(env->name, guest_image_name, sizeof(env->name));
	str_copy(env->args, boot_args, sizeof(env->args));
}
