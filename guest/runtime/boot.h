/* guest/runtime/boot.h — what the loader told us in EAX/EBX (entry.S),
 * whichever of the two boot protocols it used. */
#ifndef GUEST_BOOT_H
#define GUEST_BOOT_H

#include <stdint.h>
#include "vmm/hypercall_abi.h"

struct boot_params {
	uint64_t memory_bytes;              /* RAM is gpa [0, memory_bytes) */
	const char *protocol;               /* "memvisor" or "multiboot"    */
	char args[HC_INFO_ARGS_MAX + 1];    /* multiboot: the key=value words
					     * of its command line; else "" */
};

/* Fills bp from entry.S's EAX/EBX; on an unknown protocol prints why and
 * exits with GUEST_EXIT_FATAL. Must run before frame_init(): under
 * multiboot the boot information lies in what becomes free RAM. */
void boot_decode(uint32_t magic, uint32_t info, struct boot_params *bp);

#endif
