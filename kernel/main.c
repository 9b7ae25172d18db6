/* kernel/main.c — kernel_main(): where every boot path arrives. */
#include "boot_info.h"
#include "printf.h"
#include "serial.h"
#include "shutdown.h"
#include "string.h"

static struct boot_info boot_info_copy;

void kernel_main(const struct boot_info *bi)
{
	serial_init();
	/* Copy first: the loader's memory becomes free RAM below. */
	memcpy(&boot_info_copy, bi, sizeof(boot_info_copy));
	bi = &boot_info_copy;
	kprintf("memvisor: boot=%s cmdline='%s'\n", bi->boot, bi->cmdline);
	kprintf("memvisor: %u memory ranges, %u modules\n", bi->mmap_count, bi->module_count);
	for (uint32_t i = 0; i < bi->mmap_count; i++)
		kprintf("  %016llx-%016llx type %u\n", (unsigned long long)bi->mmap[i].base,
			(unsigned long long)(bi->mmap[i].base + bi->mmap[i].length), bi->mmap[i].type);
	shutdown(STATUS_OK, "idle");
}
