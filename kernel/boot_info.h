/* kernel/boot_info.h — what every boot path hands to kernel_main().
 *
 * Two loaders fill this in: boot/multiboot2.c (GRUB, BIOS or UEFI) and the
 * GNU-EFI loader in boot/efi/loader.c. After kernel_main() starts, nothing
 * knows how the machine booted except the `boot` string it prints.
 * The structure is plain data with fixed-size arrays so that a loader can
 * build it in one allocation and the kernel can copy it before it reuses
 * the loader's memory.
 */
#ifndef MEMVISOR_BOOT_INFO_H
#define MEMVISOR_BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC 0x6d656d7669736f72ull /* "memvisor" */
#define BOOT_CMDLINE_MAX 1024
#define BOOT_MMAP_MAX 256
#define BOOT_MODULES_MAX 16
#define BOOT_MODULE_NAME_MAX 64
#define BOOT_NAME_MAX 24

/* Memory-map range types, normalised from multiboot2 (spec 3.6.8) and the
 * UEFI memory map (UEFI 2.9, 7.2 EFI_MEMORY_TYPE). */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,          /* free RAM once the loader is done    */
	BOOT_MEM_RESERVED = 2,        /* firmware, MMIO, anything unknown   */
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_range {
	uint64_t base;   /* machine physical address (mpa) */
	uint64_t length; /* bytes */
	uint32_t type;   /* enum boot_mem_type */
	uint32_t reserved;
};

struct boot_module {
	uint64_t start; /* mpa of the first byte */
	uint64_t end;   /* mpa one past the last byte */
	char name[BOOT_MODULE_NAME_MAX]; /* module command line or file name */
};

struct boot_info {
	uint64_t magic;                /* BOOT_INFO_MAGIC */
	char boot[BOOT_NAME_MAX];      /* "multiboot2/bios", "multiboot2/uefi", "uefi" */
	char cmdline[BOOT_CMDLINE_MAX];
	/* Characters of the command line the loader was given. Above
	 * BOOT_CMDLINE_MAX - 1, cmdline holds only its start and the kernel
	 * refuses to boot (kernel/main.c) rather than run a different line. */
	uint32_t cmdline_length;
	uint32_t mmap_count;
	uint32_t module_count;
	struct boot_mem_range mmap[BOOT_MMAP_MAX];
	struct boot_module modules[BOOT_MODULES_MAX];
};

/* The one entry point every boot path ends in (kernel/main.c). */
void kernel_main(const struct boot_info *bi);

/* kernel_main()'s own copy, valid for the whole run. */
extern const struct boot_info *boot_info;

#endif
