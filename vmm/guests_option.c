/* vmm/guests_option.c — the guests= option: NAME:SIZE[:key=value...],...
 * into the VM table (vmm/vm.h), each name a boot module (the guest image). */
#include "vmm/guests_option.h"
#include "vmm/vm.h"
#include "vmm/policy/alloc.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mmu.h"
#include "kernel/options.h"
#include "kernel/printf.h"
#include "kernel/string.h"

/* Guest RAM starts below the image (at gpa 0) and must hold it. */
#define GUEST_MEM_MIN (2 * MiB)
#define GUEST_MEM_MAX (64 * GiB)
/* The largest salt= (vm->share.salt, vmm/share/per_vm.h). */
#define SALT_MAX 0xffffffffull

static const struct boot_module *find_image(const char *name)
{
	for (uint32_t i = 0; i < boot_info->module_count; i++)
		if (!strcmp(boot_info->modules[i].name, name))
			return &boot_info->modules[i];
	return NULL;
}

static void list_images(char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < boot_info->module_count && used < size; i++)
		if (strcmp(boot_info->modules[i].name, "selftest"))
			used += (size_t)ksnprintf(buf + used, size - used, "%s%s", used ? ", " : "",
						  boot_info->modules[i].name);
}

void guests_option_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	options_error("guests", msg);
}

/* guests=NAME:SIZE:... words that are memvisor's, not the guest's:
 *   salt=N      share pages only with VMs whose salt is N too (default 0)
 *   share=off   never share this VM's pages (share=on is the default)
 * (vmm/share/per_vm.h). Returns 1 when `word` was one of them, 0 when it
 * is the guest's, or -E_INVAL with msg saying what is wrong. */
static int parse_share_arg(struct vm *vm, const char *word, char *msg, size_t size)
{
	if (!strncmp(word, "salt=", 5)) {
		uint64_t salt;
		if (cmdline_parse_number(word + 5, &salt) || salt > SALT_MAX) {
			ksnprintf(msg, size, "salt=%s: expected a number from 0 to %llu", word + 5, SALT_MAX);
			return -E_INVAL;
		}
		vm->share.salt = salt;
		return 1;
	}
	if (!strncmp(word, "share=", 6)) {
		if (strcmp(word + 6, "on") && strcmp(word + 6, "off")) {
			ksnprintf(msg, size, "%s: expected share=on or share=off", word);
			return -E_INVAL;
		}
		vm->share.off = !strcmp(word + 6, "off");
		return 1;
	}
	return 0;
}

/* The key=value words after NAME:SIZE, ':'-separated. memvisor's own
 * (salt=, share=: parse_share_arg(); shares=, reservation=, limit=:
 * alloc_parse_word(), vmm/policy/alloc.h) stay here; the rest go to the guest
 * (HC_GET_INFO), space-separated, whole or not at all: words that do not
 * fit in vm->args are an error, never cut. */
static void parse_guest_args(struct vm *vm, const char *spec, char *args)
{
	size_t used = 0;
	vm->args[0] = 0;
	for (char *word = args; word && *word;) {
		char *end = word, msg[96];
		while (*end && *end != ':')
			end++;
		bool last = !*end;
		*end = 0;
		int mine = parse_share_arg(vm, word, msg, sizeof(msg));
		if (!mine)
			mine = alloc_parse_word(&vm->alloc, word, vm->mem_bytes, msg, sizeof(msg));
		if (mine < 0)
			guests_option_error("%s: %s", spec, msg);
		if (!mine) {
			size_t from = used;
			used += (used ? 1 : 0) + strlen(word);
			if (used < sizeof(vm->args))
				ksnprintf(vm->args + from, sizeof(vm->args) - from, "%s%s", from ? " " : "", word);
		}
		word = last ? end : end + 1;
	}
	if (used >= sizeof(vm->args))
		guests_option_error("%s: the guest's arguments are %llu characters, the limit is %u", spec,
			     (unsigned long long)used, (unsigned)sizeof(vm->args) - 1);
}

/* Splits `spec` (one NAME:SIZE[:args] item, NUL-terminated) into vm. */
static void parse_guest(struct vm *vm, char *spec)
{
	char *size = spec, *args = NULL;
	while (*size && *size != ':')
		size++;
	if (!*size)
		guests_option_error("'%s' needs a memory size (NAME:SIZE, e.g. %s:16M)", spec, spec);
	*size++ = 0;
	for (char *p = size; *p; p++)
		if (*p == ':') {
			*p = 0;
			args = p + 1;
			break;
		}
	char images[128];
	vm->image = find_image(spec);
	if (!vm->image || !strcmp(spec, "selftest")) {
		list_images(images, sizeof(images));
		guests_option_error("no guest image '%s' (images: %s)", spec, images);
	}
	str_copy(vm->name, spec, sizeof(vm->name));
	if (cmdline_parse_size(size, &vm->mem_bytes))
		guests_option_error("'%s' is not a size for %s (a number with an optional K, M or G suffix)", size, spec);
	if (vm->mem_bytes < GUEST_MEM_MIN || vm->mem_bytes > GUEST_MEM_MAX || vm->mem_bytes % PAGE_SIZE)
		guests_option_error("%s:%s: memory must be a multiple of 4K between 2M and 64G", spec, size);
	alloc_defaults(&vm->alloc, vm->mem_bytes);
	parse_guest_args(vm, spec, args);
	char msg[128];
	if (alloc_check_vm(&vm->alloc, vm->mem_bytes, msg, sizeof(msg)))
		guests_option_error("%s: %s", spec, msg);
}

void guests_option_check_reservations(uint64_t budget)
{
	uint64_t reserved = 0;
	char msg[128];
	for (uint32_t i = 0; i < vm_count; i++)
		reserved += vms[i].alloc.reservation;
	if (alloc_check_reservations(reserved, budget, msg, sizeof(msg)))
		guests_option_error("%s", msg);
}

void guests_option_parse(const char *option)
{
	char buf[OPT_STRING_MAX];
	str_copy(buf, option, sizeof(buf));
	for (char *item = buf; *item;) {
		char *end = item;
		while (*end && *end != ',')
			end++;
		bool last = !*end;
		*end = 0;
		if (vm_count == VM_MAX)
			guests_option_error("more than %d guests", VM_MAX);
		struct vm *vm = &vms[vm_count];
		vm->id = ++vm_count;
		parse_guest(vm, item);
		item = last ? end : end + 1;
	}
}
