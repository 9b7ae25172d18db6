/* boot/efi/modules.c — every regular file in \modules\ on the boot volume
 * becomes a boot_module, read into pages below 4 GiB.
 * See: UEFI 2.9, 13.4 EFI_SIMPLE_FILE_SYSTEM_PROTOCOL, 13.5 EFI_FILE_PROTOCOL
 * (Read() on a directory returns one EFI_FILE_INFO per call, size 0 at the end).
 */
#include "loader.h"

#define MODULES_DIR L"\\modules"

/* One directory entry: EFI_FILE_INFO plus a FAT long name (255 UCS-2 chars). */
#define MODULES_DIRENT_MAX (SIZE_OF_EFI_FILE_INFO + 256 * sizeof(CHAR16))

static EFI_STATUS modules_open_dir(EFI_HANDLE device, EFI_FILE_HANDLE *dir)
{
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root;
	EFI_STATUS status = BS->HandleProtocol(device, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: boot device has no file system (%r): no modules\n", status);
		return EFI_NOT_FOUND;
	}
	status = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: cannot open the boot volume: %r\n", status);
		return status;
	}
	status = root->Open(root, dir, MODULES_DIR, EFI_FILE_MODE_READ, 0);
	root->Close(root);
	if (EFI_ERROR(status) && status != EFI_NOT_FOUND)
		Print(L"memvisor.efi: cannot open %s: %r\n", MODULES_DIR, status);
	return status;
}

/* The module name is the file name without its extension ("hello.elf" is
 * module "hello"), as GRUB's module2 lines name them; it must fit
 * boot_module.name as ASCII. */
static EFI_STATUS modules_set_name(struct boot_module *m, const CHAR16 *name)
{
	UINTN i = 0;
	for (; name[i] != 0; i++) {
		if (i == sizeof(m->name) - 1) {
			Print(L"memvisor.efi: module name %s is longer than %d characters\n",
			      name, (UINT32)sizeof(m->name) - 1);
			return EFI_INVALID_PARAMETER;
		}
		if (name[i] > LOADER_ASCII_MAX) {
			Print(L"memvisor.efi: module name %s is not ASCII\n", name);
			return EFI_INVALID_PARAMETER;
		}
		m->name[i] = (char)name[i];
	}
	m->name[i] = '\0';
	for (UINTN dot = i; dot > 0; dot--) {
		if (m->name[dot - 1] == '.') {
			m->name[dot - 1] = '\0';
			break;
		}
	}
	return EFI_SUCCESS;
}

static EFI_STATUS modules_read_file(EFI_FILE_HANDLE dir, EFI_FILE_INFO *info,
				    struct boot_module *m)
{
	EFI_FILE_HANDLE file;
	EFI_STATUS status = dir->Open(dir, &file, info->FileName, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: cannot open module %s: %r\n", info->FileName, status);
		return status;
	}
	/* AllocatePages(0) is an error; an empty module still gets one page. */
	UINTN pages = info->FileSize ? EFI_SIZE_TO_PAGES(info->FileSize) : 1;
	EFI_PHYSICAL_ADDRESS mpa = LOADER_MAX_ADDRESS;
	status = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &mpa);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: cannot allocate %ld bytes below 4 GiB for module %s: %r\n",
		      info->FileSize, info->FileName, status);
		file->Close(file);
		return status;
	}
	UINTN size = info->FileSize;
	status = file->Read(file, &size, (void *)(UINTN)mpa);
	file->Close(file);
	if (!EFI_ERROR(status) && size != info->FileSize)
		status = EFI_END_OF_FILE;
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: cannot read module %s (%ld of %ld bytes): %r\n",
		      info->FileName, (UINT64)size, info->FileSize, status);
		BS->FreePages(mpa, pages);
		return status;
	}
	m->start = mpa;
	m->end = mpa + info->FileSize;
	return EFI_SUCCESS;
}

/* Like strcmp(). Not gnu-efi's strcmpa(): it returns the difference as an
 * unsigned UINTN, so "less than" cannot be told from "greater than". */
static int modules_name_compare(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* Directory order on FAT is creation order; sort by name so that a run
 * does not depend on how the files were copied. */
static void modules_sort(struct boot_info *bi)
{
	for (UINT32 i = 1; i < bi->module_count; i++) {
		for (UINT32 j = i; j > 0; j--) {
			struct boot_module *a = &bi->modules[j - 1], *b = &bi->modules[j];
			if (modules_name_compare(a->name, b->name) <= 0)
				break;
			struct boot_module t = *a;
			*a = *b;
			*b = t;
		}
	}
}

static EFI_STATUS modules_read_dir(EFI_FILE_HANDLE dir, struct boot_info *bi)
{
	UINT64 buf[MODULES_DIRENT_MAX / sizeof(UINT64) + 1];
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
	for (;;) {
		UINTN size = sizeof(buf);
		EFI_STATUS status = dir->Read(dir, &size, info);
		if (EFI_ERROR(status)) {
			Print(L"memvisor.efi: cannot read directory %s: %r\n", MODULES_DIR, status);
			return status;
		}
		if (size == 0)
			return EFI_SUCCESS;
		if (info->Attribute & EFI_FILE_DIRECTORY)
			continue; /* ".", ".." and subdirectories */
		if (bi->module_count == BOOT_MODULES_MAX) {
			Print(L"memvisor.efi: more than %d files in %s\n", BOOT_MODULES_MAX, MODULES_DIR);
			return EFI_OUT_OF_RESOURCES;
		}
		struct boot_module *m = &bi->modules[bi->module_count];
		status = modules_set_name(m, info->FileName);
		if (!EFI_ERROR(status))
			status = modules_read_file(dir, info, m);
		if (EFI_ERROR(status))
			return status;
		bi->module_count++;
	}
}

EFI_STATUS loader_load_modules(EFI_HANDLE device, struct boot_info *bi)
{
	EFI_FILE_HANDLE dir;
	EFI_STATUS status = modules_open_dir(device, &dir);
	if (status == EFI_NOT_FOUND)
		return EFI_SUCCESS; /* no \modules\ directory: zero modules */
	if (EFI_ERROR(status))
		return status;
	status = modules_read_dir(dir, bi);
	dir->Close(dir);
	if (EFI_ERROR(status))
		return status;
	modules_sort(bi);
	return EFI_SUCCESS;
}

void loader_free_modules(struct boot_info *bi)
{
	for (UINT32 i = 0; i < bi->module_count; i++) {
		struct boot_module *m = &bi->modules[i];
		UINT64 size = m->end - m->start;
		BS->FreePages(m->start, size ? EFI_SIZE_TO_PAGES(size) : 1);
	}
	bi->module_count = 0;
}
