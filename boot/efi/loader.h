/* boot/efi/loader.h — the pieces of the GNU-EFI loader (build/memvisor.efi).
 *
 *   loader.c       efi_main(): the order of the steps below, and the jump
 *   cmdline.c      LoadOptions (UCS-2)        ──► boot_info.cmdline
 *   modules.c      \modules\* on the boot volume ──► boot_info.modules
 *   kernel_load.c  embedded kernel ELF        ──► PT_LOAD segments at p_paddr
 *   kernel_blob.S  the kernel ELF itself (.incbin build/memvisor.elf)
 *   mmap.c         ExitBootServices, final UEFI map ──► boot_info.mmap
 *
 * Every function prints its own "memvisor.efi: ..." message on failure
 * (it knows what failed) and returns the EFI status; efi_main() only
 * cleans up and hands the status back to the firmware.
 */
#ifndef MEMVISOR_EFI_LOADER_H
#define MEMVISOR_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include "kernel/boot_info.h"

/* The Makefile builds with -DGNU_EFI_USE_MS_ABI: EFIAPI is then
 * __attribute__((ms_abi)) and firmware calls are plain C calls that the
 * compiler type-checks. Without it they would silently use SysV. */
#ifndef HAVE_USE_MS_ABI
#error "build boot/efi/ with -DGNU_EFI_USE_MS_ABI"
#endif

/* boot/entry.S identity-maps only the first 4 GiB before kernel_main()
 * builds its own tables, so everything the kernel reads first lives below. */
#define LOADER_MAX_ADDRESS 0xFFFFFFFFull

/* UCS-2 code units up to here are ASCII; the kernel sees only ASCII. */
#define LOADER_ASCII_MAX 0x7f

/* The kernel's physical footprint, [start, end) page-aligned, and entry. */
struct loader_kernel {
	EFI_PHYSICAL_ADDRESS start;
	EFI_PHYSICAL_ADDRESS end;
	EFI_PHYSICAL_ADDRESS entry;
};

EFI_STATUS loader_read_cmdline(EFI_HANDLE image_handle, const EFI_LOADED_IMAGE *image, char *cmdline,
			       UINTN size);
EFI_STATUS loader_load_modules(EFI_HANDLE device, struct boot_info *bi);
void loader_free_modules(struct boot_info *bi);
EFI_STATUS loader_load_kernel(struct loader_kernel *kernel);
void loader_free_kernel(const struct loader_kernel *kernel);
EFI_STATUS loader_exit_boot_services(EFI_HANDLE image, struct boot_info *bi);

#endif
