/* guest/runtime/multiboot.h — the part of Multiboot v1 a guest uses to boot
 * standalone under plain QEMU (-kernel) for development.
 * See: Multiboot Specification 0.6.96, 3.1 (header), 3.2 (machine state),
 * 3.3 (boot information format). Shared by entry.S and boot.c. */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC 0x1badb002     /* in the image, first 8 KiB  */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002 /* in EAX at the entry point  */
#define MULTIBOOT_HEADER_MEMORY_INFO 0x2      /* header flag bit 1: we want mem_* */

#define MULTIBOOT_INFO_MEMORY 0x1  /* info flag bit 0: mem_lower/mem_upper valid */
#define MULTIBOOT_INFO_CMDLINE 0x4 /* info flag bit 2: cmdline valid             */

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stddef.h>

/* Boot information (3.3), up to the fields we read. Addresses are
 * physical and below 4 GiB: multiboot v1 is a 32-bit protocol. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;   /* KiB of RAM below 1 MiB                      */
	uint32_t mem_upper;   /* KiB of RAM from 1 MiB up to the first hole  */
	uint32_t boot_device;
	uint32_t cmdline;     /* physical address of a NUL-terminated string */
};
_Static_assert(offsetof(struct multiboot_info, mem_upper) == 8, "Multiboot 3.3");
_Static_assert(offsetof(struct multiboot_info, cmdline) == 16, "Multiboot 3.3");
#endif

#endif
