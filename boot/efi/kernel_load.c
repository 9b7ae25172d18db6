/* boot/efi/kernel_load.c — check the embedded kernel ELF and copy its
 * PT_LOAD segments to their physical addresses (p_paddr).
 * See: ELF-64 Object File Format 1.5 (file header, program header);
 *      UEFI 2.9, 7.2 AllocatePages() with AllocateAddress.
 */
#include "loader.h"
#include <elf.h>

extern const UINT8 kernel_elf_start[], kernel_elf_end[];

/* Returns why the file header is unusable, or NULL if it is fine. */
static const CHAR16 *kernel_check_header(const Elf64_Ehdr *eh, UINT64 size)
{
	if (size < sizeof(*eh) || CompareMem(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return L"bad magic, not an ELF file";
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return L"not ELFCLASS64";
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return L"not little-endian (ELFDATA2LSB)";
	if (eh->e_machine != EM_X86_64)
		return L"e_machine is not EM_X86_64";
	if (eh->e_type != ET_EXEC)
		return L"e_type is not ET_EXEC";
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return L"e_phentsize is not sizeof(Elf64_Phdr)";
	if (eh->e_phoff > size || eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf64_Phdr))
		return L"program headers lie outside the file";
	return NULL;
}

/* Returns why a PT_LOAD segment is unusable, or NULL if it is fine. */
static const CHAR16 *kernel_check_segment(const Elf64_Phdr *ph, UINT64 size)
{
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return L"segment data lies outside the file";
	/* e_entry is called on the firmware's identity map (UEFI 2.9, 2.3.4). */
	if (ph->p_vaddr != ph->p_paddr)
		return L"p_vaddr differs from p_paddr (kernel not linked at its load address)";
	if (ph->p_filesz > ph->p_memsz)
		return L"p_filesz is larger than p_memsz";
	/* The early page tables in boot/entry.S map only the first 4 GiB. */
	if (ph->p_paddr > LOADER_MAX_ADDRESS || ph->p_memsz > LOADER_MAX_ADDRESS + 1 - ph->p_paddr)
		return L"segment does not lie below 4 GiB";
	return NULL;
}

/* Checks everything and computes the page-aligned span of all PT_LOAD
 * segments, before anything is allocated. */
static const CHAR16 *kernel_check(const Elf64_Ehdr *eh, UINT64 size, struct loader_kernel *k)
{
	const CHAR16 *why = kernel_check_header(eh, size);
	if (why)
		return why;
	const Elf64_Phdr *ph = (const void *)((const UINT8 *)eh + eh->e_phoff);
	BOOLEAN entry_ok = FALSE;
	k->start = ~0ull;
	k->end = 0;
	for (UINTN i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		why = kernel_check_segment(&ph[i], size);
		if (why)
			return why;
		if (ph[i].p_paddr < k->start)
			k->start = ph[i].p_paddr & ~(UINT64)EFI_PAGE_MASK;
		if (ph[i].p_paddr + ph[i].p_memsz > k->end)
			k->end = ph[i].p_paddr + ph[i].p_memsz;
		if ((ph[i].p_flags & PF_X) && eh->e_entry - ph[i].p_paddr < ph[i].p_memsz)
			entry_ok = TRUE;
	}
	if (k->end == 0)
		return L"no PT_LOAD segment";
	if (!entry_ok)
		return L"e_entry is not inside an executable PT_LOAD segment";
	k->end = (k->end + EFI_PAGE_MASK) & ~(UINT64)EFI_PAGE_MASK;
	k->entry = eh->e_entry;
	return NULL;
}

/* One allocation covers all segments: two segments may share a page, and
 * AllocateAddress would refuse the second. The kernel runs at virtual ==
 * physical address (linker.ld), so p_paddr is also where it was linked. */
EFI_STATUS loader_load_kernel(struct loader_kernel *k)
{
	const Elf64_Ehdr *eh = (const void *)kernel_elf_start;
	UINT64 size = (UINT64)(kernel_elf_end - kernel_elf_start);
	const CHAR16 *why = kernel_check(eh, size, k);
	if (why) {
		Print(L"memvisor.efi: embedded kernel ELF is invalid: %s\n", why);
		return EFI_LOAD_ERROR;
	}
	EFI_PHYSICAL_ADDRESS mpa = k->start;
	/* LoaderCode: firmware that maps LoaderData no-execute must still let
	 * efi_kernel_entry run on its page tables. */
	EFI_STATUS status = BS->AllocatePages(AllocateAddress, EfiLoaderCode,
					      EFI_SIZE_TO_PAGES(k->end - k->start), &mpa);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: cannot allocate kernel segments at 0x%lx-0x%lx: %r\n",
		      k->start, k->end, status);
		return status;
	}
	ZeroMem((void *)(UINTN)k->start, k->end - k->start); /* .bss and gaps */
	const Elf64_Phdr *ph = (const void *)(kernel_elf_start + eh->e_phoff);
	for (UINTN i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			CopyMem((void *)(UINTN)ph[i].p_paddr, (void *)(kernel_elf_start + ph[i].p_offset),
				ph[i].p_filesz);
	}
	return EFI_SUCCESS;
}

void loader_free_kernel(const struct loader_kernel *k)
{
	BS->FreePages(k->start, EFI_SIZE_TO_PAGES(k->end - k->start));
}
