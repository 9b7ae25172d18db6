/* guest/runtime/boot.c — decode the boot protocol: memvisor's
 * (vmm/hypercall_abi.h §1) or Multiboot v1 (Multiboot Specification 0.6.96,
 * 3.2 and 3.3), so one image runs under memvisor and under plain QEMU. */
#include "boot.h"
#include "console.h"
#include "exit.h"
#include "multiboot.h"
#include "kernel/types.h"

#define MULTIBOOT_HIGH_MEMORY_START_KIB 1024 /* mem_upper counts from 1 MiB */

static bool is_key_value(const char *w, size_t len)
{
	for (size_t i = 1; i < len; i++)
		if (w[i] == '=')
			return true;
	return false;
}

/* QEMU passes "KERNEL-PATH -append text": keep only the key=value words,
 * which are the guest's arguments, as memvisor's guests= would give them. */
static void copy_key_values(char *dst, size_t size, const char *cmdline)
{
	size_t n = 0;
	while (*cmdline) {
		while (*cmdline == ' ')
			cmdline++;
		size_t len = 0;
		while (cmdline[len] && cmdline[len] != ' ')
			len++;
		if (len && is_key_value(cmdline, len) && n + (n ? 1 : 0) + len < size) {
			if (n)
				dst[n++] = ' ';
			for (size_t i = 0; i < len; i++)
				dst[n++] = cmdline[i];
		}
		cmdline += len;
	}
	dst[n] = 0;
}

static void decode_multiboot(uint32_t info, struct boot_params *bp)
{
	/* Paging is on, but entry.S identity-maps the first 1 GiB, where
	 * loaders put the boot information. */
	const struct multiboot_info *mbi = (const struct multiboot_info *)(uintptr_t)info;
	if (!(mbi->flags & MULTIBOOT_INFO_MEMORY)) {
		guest_printf("guest: error: the multiboot loader gave no memory size\n");
		guest_exit(GUEST_EXIT_FATAL);
	}
	bp->protocol = "multiboot";
	bp->memory_bytes = ((uint64_t)mbi->mem_upper + MULTIBOOT_HIGH_MEMORY_START_KIB) * KiB;
	if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
		copy_key_values(bp->args, sizeof(bp->args), (const char *)(uintptr_t)mbi->cmdline);
}

void boot_decode(uint32_t magic, uint32_t info, struct boot_params *bp)
{
	bp->args[0] = 0;
	if (magic == GUEST_BOOT_MAGIC) {
		bp->protocol = "memvisor";
		bp->memory_bytes = (uint64_t)info * KiB;
	} else if (magic == MULTIBOOT_BOOTLOADER_MAGIC) {
		decode_multiboot(info, bp);
	} else {
		guest_printf("guest: error: unknown boot protocol: EAX=0x%x, want 0x%x (memvisor) "
			     "or 0x%x (multiboot)\n", magic, GUEST_BOOT_MAGIC, MULTIBOOT_BOOTLOADER_MAGIC);
		guest_exit(GUEST_EXIT_FATAL);
	}
}
