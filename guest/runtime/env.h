/* guest/runtime/env.h — what a workload is told about its VM: struct
 * guest_env, filled from HC_GET_INFO (vmm/hypercall_abi.h) under memvisor
 * or from the boot registers when the guest runs standalone. */
#ifndef GUEST_ENV_H
#define GUEST_ENV_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm/hypercall_abi.h"

struct guest_env {
	uint64_t memory_bytes;           /* the guest's RAM: gpa [0, memory_bytes) */
	uint32_t vm_id;                  /* 1, 2, ... under memvisor; 0 standalone */
	bool hypervisor;                 /* running under memvisor                 */
	const char *hypervisor_name;     /* "memvisor" or "none"                   */
	char name[HC_INFO_NAME_MAX + 1]; /* e.g. "memtest"                         */
	char args[HC_INFO_ARGS_MAX + 1]; /* "key=value key=value ..."              */
	uint64_t tsc_khz;                /* TSC ticks per ms (0: unknown)          */
};

/* Fills env. Under memvisor asks HC_GET_INFO (and ends the guest with
 * GUEST_EXIT_FATAL if that fails); standalone uses boot_memory_bytes, the
 * image's own name and boot_args. */
void env_init(struct guest_env *env, uint64_t boot_memory_bytes, const char *boot_args);

/* The value of key=VALUE in env->args, or dflt when the key is absent.
 * VALUE: decimal or 0x-hex, optionally followed by K, M or G (binary
 * multiples: 16M = 16 MiB). A malformed VALUE is not replaced by the
 * default: the guest says what is wrong and exits with GUEST_EXIT_USAGE. */
uint64_t guest_arg_u64(const struct guest_env *env, const char *key, uint64_t dflt);

/* The index in `choices` (NULL-terminated) of key=WORD, or 0 (the first,
 * the default) when the key is absent. Any other WORD: the guest lists the
 * choices and exits with GUEST_EXIT_USAGE. */
unsigned guest_arg_choice(const struct guest_env *env, const char *key, const char *const choices[]);

/* Exits with GUEST_EXIT_USAGE, naming the word, if env->args holds a
 * word that is not key=value with a key from `known` (NULL-terminated):
 * a typo such as "tuoch=1M" must not silently run with defaults. */
void guest_args_check(const struct guest_env *env, const char *const known[]);

#endif
