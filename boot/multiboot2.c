/* boot/multiboot2.c — turn GRUB's multiboot2 information into a boot_info.
 * See: Multiboot2 specification 1.0, section 3.6 (boot information format).
 * Runs in long mode on the early page tables (boot/entry.S), which
 * identity-map the first 4 GiB, where GRUB puts the information.
 */
#include "kernel/boot_info.h"
#include "kernel/string.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB2_TAG_ALIGN 8

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_EFI64_SYSTEM_TABLE = 12,
};

enum mb2_mmap_type { /* spec 3.6.8 */
	MB2_MEM_AVAILABLE = 1,
	MB2_MEM_ACPI_RECLAIMABLE = 3,
	MB2_MEM_NVS = 4,
	MB2_MEM_BADRAM = 5,
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start;
	uint32_t mod_end;
	char cmdline[];
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
};

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

static struct boot_info mb2_boot_info;

static uint32_t mb2_type_to_boot(uint32_t type)
{
	switch (type) {
	case MB2_MEM_AVAILABLE: return BOOT_MEM_USABLE;
	case MB2_MEM_ACPI_RECLAIMABLE: return BOOT_MEM_ACPI_RECLAIMABLE;
	case MB2_MEM_NVS: return BOOT_MEM_ACPI_NVS;
	case MB2_MEM_BADRAM: return BOOT_MEM_BAD;
	default: return BOOT_MEM_RESERVED;
	}
}

static void mb2_read_mmap(struct boot_info *bi, const struct mb2_tag_mmap *t)
{
	const uint8_t *p = (const uint8_t *)(t + 1);
	const uint8_t *end = (const uint8_t *)t + t->tag.size;
	for (; p + t->entry_size <= end && bi->mmap_count < BOOT_MMAP_MAX; p += t->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		struct boot_mem_range *r = &bi->mmap[bi->mmap_count++];
		r->base = e->base_addr;
		r->length = e->length;
		r->type = mb2_type_to_boot(e->type);
	}
}

static void mb2_read_module(struct boot_info *bi, const struct mb2_tag_module *t)
{
	if (bi->module_count >= BOOT_MODULES_MAX)
		return;
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->start = t->mod_start;
	m->end = t->mod_end;
	str_copy(m->name, t->cmdline, sizeof(m->name));
}

/* GRUB passes the kernel's arguments only; a leading path (as some loaders
 * give) is dropped so that the first word is always an option. GRUB also
 * escapes the quoting characters it saw (" ' and \ arrive as \" \' \\):
 * undo that, so that name="two words" means the same on every boot path.
 * Characters past the buffer are counted, not kept: cmdline_length tells
 * the kernel that the line did not fit. */
static void mb2_read_cmdline(struct boot_info *bi, const char *s)
{
	if (s[0] == '/') {
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	size_t o = 0;
	for (; *s; s++, o++) {
		if (s[0] == '\\' && (s[1] == '"' || s[1] == '\'' || s[1] == '\\'))
			s++;
		if (o + 1 < sizeof(bi->cmdline))
			bi->cmdline[o] = *s;
	}
	bi->cmdline[o + 1 < sizeof(bi->cmdline) ? o : sizeof(bi->cmdline) - 1] = 0;
	bi->cmdline_length = (uint32_t)o;
}

__attribute__((noreturn)) void multiboot2_main(uint32_t magic, uint32_t mbi_mpa);

void multiboot2_main(uint32_t magic, uint32_t mbi_mpa)
{
	struct boot_info *bi = &mb2_boot_info;
	bi->magic = BOOT_INFO_MAGIC;
	str_copy(bi->boot, "multiboot2/bios", sizeof(bi->boot));
	if (magic != MB2_BOOTLOADER_MAGIC)
		str_copy(bi->boot, "multiboot2/bad-magic", sizeof(bi->boot));

	/* Fixed part: total_size, reserved; then 8-byte aligned tags. */
	const uint8_t *base = (const uint8_t *)(uintptr_t)mbi_mpa;
	uint32_t total = *(const uint32_t *)base;
	for (const uint8_t *p = base + 8; p < base + total;) {
		const struct mb2_tag *tag = (const void *)p;
		if (tag->type == MB2_TAG_END)
			break;
		if (tag->type == MB2_TAG_CMDLINE)
			mb2_read_cmdline(bi, (const char *)(tag + 1));
		else if (tag->type == MB2_TAG_MODULE)
			mb2_read_module(bi, (const void *)tag);
		else if (tag->type == MB2_TAG_MMAP)
			mb2_read_mmap(bi, (const void *)tag);
		else if (tag->type == MB2_TAG_EFI64_SYSTEM_TABLE)
			str_copy(bi->boot, "multiboot2/uefi", sizeof(bi->boot));
		p += (tag->size + MB2_TAG_ALIGN - 1) & ~(uint32_t)(MB2_TAG_ALIGN - 1);
	}
	kernel_main(bi);
	for (;;)
		__asm__ volatile("cli; hlt");
}
