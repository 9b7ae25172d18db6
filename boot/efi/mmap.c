/* boot/efi/mmap.c — leave boot services and turn the final UEFI memory map
 * into boot_info.mmap.
 * See: UEFI 2.9, 7.2 GetMemoryMap() and EFI_MEMORY_TYPE; 7.4 ExitBootServices().
 *
 * Contract with the kernel: the kernel segments, the modules and boot_info
 * itself are EfiLoaderData and are reported as BOOT_MEM_USABLE, like the
 * loader's own code, stack and this map buffer. That is safe only because
 * kernel_main() copies boot_info before it allocates anything, and the
 * kernel excludes its own image and the module ranges from free memory.
 */
#include "loader.h"

/* Extra descriptors to leave room for: allocating the map buffer itself
 * can split a free range, and so can whatever runs before the final call. */
#define MMAP_SLACK_DESCRIPTORS 16
/* Spec 7.4: retry GetMemoryMap()+ExitBootServices() when the key is stale.
 * A stale key twice in a row is normal (a timer event); forever is a bug. */
#define MMAP_EXIT_TRIES 8

struct efi_mmap {
	UINT8 *buf;
	UINTN capacity;   /* bytes allocated */
	UINTN size;       /* bytes returned by GetMemoryMap() */
	UINTN key;
	UINTN desc_size;  /* may exceed sizeof(EFI_MEMORY_DESCRIPTOR) */
	UINT32 desc_version;
};

static EFI_MEMORY_DESCRIPTOR *mmap_desc(const struct efi_mmap *m, UINTN i)
{
	return (EFI_MEMORY_DESCRIPTOR *)(m->buf + i * m->desc_size);
}

static UINT32 mmap_type_to_boot(UINT32 type)
{
	switch (type) {
	case EfiConventionalMemory:
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return BOOT_MEM_USABLE;
	case EfiACPIReclaimMemory: return BOOT_MEM_ACPI_RECLAIMABLE;
	case EfiACPIMemoryNVS: return BOOT_MEM_ACPI_NVS;
	case EfiUnusableMemory: return BOOT_MEM_BAD;
	default: return BOOT_MEM_RESERVED; /* runtime services, MMIO, unknown */
	}
}

/* The spec does not promise an order; sort by address so that neighbours
 * can be merged. Insertion sort: the map is short and nearly sorted. */
static void mmap_sort(struct efi_mmap *m)
{
	UINTN n = m->size / m->desc_size;
	for (UINTN i = 1; i < n; i++) {
		for (UINTN j = i; j > 0; j--) {
			UINT8 *a = (UINT8 *)mmap_desc(m, j - 1), *b = (UINT8 *)mmap_desc(m, j);
			if (((EFI_MEMORY_DESCRIPTOR *)a)->PhysicalStart <=
			    ((EFI_MEMORY_DESCRIPTOR *)b)->PhysicalStart)
				break;
			for (UINTN k = 0; k < m->desc_size; k++) {
				UINT8 t = a[k];
				a[k] = b[k];
				b[k] = t;
			}
		}
	}
}

/* Appends one range, merged with the previous one when it continues it.
 * Returns FALSE when the table is full. */
static BOOLEAN mmap_add(struct boot_info *bi, UINT64 base, UINT64 length, UINT32 type)
{
	struct boot_mem_range *last = bi->mmap_count ? &bi->mmap[bi->mmap_count - 1] : NULL;
	if (last && last->type == type && last->base + last->length == base) {
		last->length += length;
		return TRUE;
	}
	if (bi->mmap_count == BOOT_MMAP_MAX)
		return FALSE;
	bi->mmap[bi->mmap_count++] = (struct boot_mem_range){ base, length, type, 0 };
	return TRUE;
}

/* Fills bi->mmap from a sorted map; returns how many ranges did not fit.
 * Memory the kernel is not told about is memory it never uses, so when
 * the table is too small the RESERVED ranges (no action needed) go first. */
static UINTN mmap_convert(struct boot_info *bi, const struct efi_mmap *m)
{
	UINTN n = m->size / m->desc_size, dropped = 0;
	for (int keep_reserved = 1; keep_reserved >= 0; keep_reserved--) {
		bi->mmap_count = 0;
		dropped = 0;
		for (UINTN i = 0; i < n; i++) {
			const EFI_MEMORY_DESCRIPTOR *d = mmap_desc(m, i);
			UINT32 type = mmap_type_to_boot(d->Type);
			if (type == BOOT_MEM_RESERVED && !keep_reserved)
				continue;
			if (!mmap_add(bi, d->PhysicalStart, d->NumberOfPages << EFI_PAGE_SHIFT, type))
				dropped++;
		}
		if (dropped == 0)
			break;
	}
	return dropped;
}

static EFI_STATUS mmap_get(struct efi_mmap *m)
{
	m->size = m->capacity;
	return BS->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf, &m->key,
				&m->desc_size, &m->desc_version);
}

/* Allocates a buffer large enough for the map plus slack, and fetches the
 * map once so that an overflow of boot_info.mmap is reported while Print()
 * still works. */
static EFI_STATUS mmap_prepare(struct efi_mmap *m, struct boot_info *bi)
{
	m->buf = NULL;
	m->capacity = 0;
	EFI_STATUS status = mmap_get(m); /* asks for the size */
	if (status != EFI_BUFFER_TOO_SMALL) {
		Print(L"memvisor.efi: GetMemoryMap() did not report its size: %r\n", status);
		return EFI_ERROR(status) ? status : EFI_LOAD_ERROR;
	}
	m->capacity = m->size + MMAP_SLACK_DESCRIPTORS * m->desc_size;
	status = BS->AllocatePool(EfiLoaderData, m->capacity, (void **)&m->buf);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: cannot allocate %ld bytes for the memory map: %r\n",
		      (UINT64)m->capacity, status);
		return status;
	}
	status = mmap_get(m);
	if (EFI_ERROR(status)) {
		Print(L"memvisor.efi: GetMemoryMap() failed: %r\n", status);
		BS->FreePool(m->buf);
		return status;
	}
	mmap_sort(m);
	UINTN dropped = mmap_convert(bi, m);
	if (dropped)
		Print(L"memvisor.efi: warning: %ld memory ranges do not fit in %d entries; "
		      L"that memory stays unused\n", (UINT64)dropped, BOOT_MMAP_MAX);
	return EFI_SUCCESS;
}

/* Spec 7.4: after the first ExitBootServices() call only the memory
 * allocation services, GetMemoryMap() among them, may still be used, so
 * the retry loop calls nothing else. After success no boot service and no
 * Print() may be used at all: only mmap_sort()/mmap_convert(), which touch
 * memory the loader owns. */
EFI_STATUS loader_exit_boot_services(EFI_HANDLE image, struct boot_info *bi)
{
	struct efi_mmap m;
	EFI_STATUS status = mmap_prepare(&m, bi);
	if (EFI_ERROR(status))
		return status;
	for (int try = 0; try < MMAP_EXIT_TRIES; try++) {
		status = mmap_get(&m);
		if (EFI_ERROR(status))
			break;
		status = BS->ExitBootServices(image, m.key);
		if (status == EFI_SUCCESS) {
			mmap_sort(&m);
			mmap_convert(bi, &m);
			return EFI_SUCCESS;
		}
		if (status != EFI_INVALID_PARAMETER) /* not a stale key */
			break;
	}
	/* Boot services may be half shut down; this message is best effort. */
	BS->FreePool(m.buf);
	Print(L"memvisor.efi: ExitBootServices() failed: %r\n", status);
	return status;
}
