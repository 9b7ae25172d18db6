/* boot/efi/loader.c — efi_main() of build/memvisor.efi: fill a boot_info,
 * leave boot services, call the kernel's efi_kernel_entry (boot/entry.S).
 * See: UEFI 2.9, 7.4 ExitBootServices(); 2.3.4 x64 calling convention.
 *
 *   LoadOptions ─► cmdline    \modules\* ─► modules    ELF ─► 0x100000...
 *                        \          |           /
 *                         boot_info (below 4 GiB)
 *                                   │  ExitBootServices, final memory map
 *                                   ▼
 *                     efi_kernel_entry(RDI = boot_info)   never returns
 */
#include "loader.h"

/* boot/entry.S efi_kernel_entry: RDI = boot_info. Everything here is built
 * with the SysV ABI except the firmware calls (ms_abi, see loader.h); spell
 * it out so that no build flag can change how the kernel is called. */
typedef void (__attribute__((sysv_abi)) *kernel_entry_fn)(struct boot_info *bi);

static EFI_STATUS boot_info_alloc(struct boot_info **bi)
{
	EFI_PHYSICAL_ADDRESS mpa = LOADER_MAX_ADDRESS;
	EFI_STATUS status = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData,
					      EFI_SIZE_TO_PAGES(sizeof(**bi)), &mpa);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: cannot allocate boot_info below 4 GiB: %r\n", status);
		return status;
	}
	*bi = (struct boot_info *)(UINTN)mpa;
	ZeroMem(*bi, sizeof(**bi));
	(*bi)->magic = BOOT_INFO_MAGIC;
	CopyMem((*bi)->boot, "uefi", sizeof("uefi"));
	return EFI_SUCCESS;
}

static void boot_info_free(struct boot_info *bi)
{
	BS->FreePages((EFI_PHYSICAL_ADDRESS)(UINTN)bi, EFI_SIZE_TO_PAGES(sizeof(*bi)));
}

/* Everything before ExitBootServices(); on failure nothing stays allocated,
 * so the shell can simply run memvisor.efi again. */
static EFI_STATUS loader_prepare(EFI_HANDLE image_handle, EFI_LOADED_IMAGE *image, struct boot_info *bi,
				 struct loader_kernel *kernel)
{
	EFI_STATUS status = loader_read_cmdline(image_handle, image, bi->cmdline, sizeof(bi->cmdline));
	if (EFI_ERROR(status))
		return status; /* a line that does not fit is refused here */
	bi->cmdline_length = (uint32_t)strlena((CHAR8 *)bi->cmdline);
	status = loader_load_modules(image->DeviceHandle, bi);
	if (EFI_ERROR(status)) {
		loader_free_modules(bi);
		return status;
	}
	status = loader_load_kernel(kernel);
	if (EFI_ERROR(status))
		loader_free_modules(bi);
	return status;
}

/* Called by gnu-efi's crt0 (_start), which converts the firmware's ms_abi
 * call into this SysV one and applies the image's relocations first. */
EFI_STATUS efi_main(EFI_HANDLE image_handle, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image_handle, systab);
	EFI_LOADED_IMAGE *image;
	EFI_STATUS status = BS->HandleProtocol(image_handle, &LoadedImageProtocol, (void **)&image);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: no EFI_LOADED_IMAGE_PROTOCOL on our own image: %r\n", status);
		return status;
	}
	struct boot_info *bi;
	status = boot_info_alloc(&bi);
	if (EFI_ERROR(status))
		return status;
	struct loader_kernel kernel;
	status = loader_prepare(image_handle, image, bi, &kernel);
	if (EFI_ERROR(status)) {
		boot_info_free(bi);
		return status;
	}
	Print(L"memvisor.efi: kernel 0x%lx-0x%lx, %d modules, cmdline '%a'\n",
	      kernel.start, kernel.end, bi->module_count, bi->cmdline);

	status = loader_exit_boot_services(image_handle, bi);
	if (EFI_ERROR(status)) {
		loader_free_kernel(&kernel);
		loader_free_modules(bi);
		boot_info_free(bi);
		return status;
	}
	/* No boot services and no Print() from here on. */
	kernel_entry_fn kernel_entry = (kernel_entry_fn)(UINTN)kernel.entry;
	kernel_entry(bi);
	for (;;) /* not reached: efi_kernel_entry never returns */
		__asm__ volatile("cli; hlt");
}
