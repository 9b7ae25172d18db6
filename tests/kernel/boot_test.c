/* tests/kernel/boot_test.c — what the loader handed over. */
#include "kernel/boot_info.h"
#include "kernel/ktest.h"
#include "kernel/mem.h"
#include "kernel/mmu.h"
#include "kernel/string.h"



/* boot/selftest-module.txt, which both loaders pass as module "selftest". */
static const char selftest_text[] = "memvisor selftest module\n";

KTEST(boot, names_its_boot_path)
{
	const char *b = boot_info->boot;
	KT_EXPECT(t, !strcmp(b, "multiboot2/bios") || !strcmp(b, "multiboot2/uefi") || !strcmp(b, "uefi"));
}

KTEST(boot, memory_map_has_usable_ram_above_1m)
{
	uint64_t usable = 0;
	for (uint32_t i = 0; i < boot_info->mmap_count; i++)
		if (boot_info->mmap[i].type == BOOT_MEM_USABLE && boot_info->mmap[i].base >= 1 * MiB)
			usable += boot_info->mmap[i].length;
	KT_EXPECT(t, usable >= 16 * MiB);
	KT_EXPECT(t, machine_frames.usable * PAGE_SIZE <= usable + 1 * MiB);
}

KTEST(boot, selftest_module_arrives_intact)
{
	const struct boot_module *m = NULL;
	for (uint32_t i = 0; i < boot_info->module_count; i++)
		if (!strcmp(boot_info->modules[i].name, "selftest"))
			m = &boot_info->modules[i];
	KT_EXPECT(t, m != NULL);
	if (!m)
		return;
	KT_EXPECT_EQ(t, m->end - m->start, sizeof(selftest_text) - 1);
	KT_EXPECT(t, !memcmp(mpa_to_virt(mpa(m->start)), selftest_text, sizeof(selftest_text) - 1));
}
