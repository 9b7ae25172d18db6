/* vmm/mm/guest_image.c — validate a guest ELF64 and page it in on demand.
 * See: System V ABI, ELF-64 object file format (file and program headers).
 *
 * The image is not copied into the guest at boot. Its module stays in
 * machine memory as the "backing store"; a guest frame inside a segment is
 * filled from it at the first nested page fault (vmm/mm/memory.c), so a VM
 * truly starts with no machine memory of its own. */
#include "vmm/mm/guest_image.h"
#include "kernel/errno.h"
#include "kernel/mmu.h"
#include "kernel/printf.h"
#include "kernel/string.h"

#define ELF_MAGIC 0x464c457fu /* "\x7fELF" little-endian */
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EM_X86_64 62
#define PT_LOAD 1

struct elf64_ehdr {
	uint32_t magic;
	uint8_t class, data, version, osabi;
	uint8_t pad[8];
	uint16_t type, machine;
	uint32_t version2;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF-64 header");

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF-64 program header");

static int bad(char *msg, size_t size, const char *what, uint64_t value)
{
	ksnprintf(msg, size, what, (unsigned long long)value);
	return -E_INVAL;
}

static int check_segment(struct vm *vm, const struct elf64_phdr *ph, uint64_t image_size, char *msg, size_t size)
{
	if (ph->filesz > ph->memsz || ph->offset > image_size || ph->filesz > image_size - ph->offset)
		return bad(msg, size, "segment at gpa %#llx lies outside the file", ph->paddr);
	if (ph->paddr < GUEST_IMAGE_MIN_GPA || ph->memsz > vm->mem_bytes || ph->paddr > vm->mem_bytes - ph->memsz)
		return bad(msg, size, "segment at gpa %#llx does not fit in the guest's memory", ph->paddr);
	if (vm->nsegs == GUEST_SEGMENTS_MAX)
		return bad(msg, size, "more than %llu loadable segments", GUEST_SEGMENTS_MAX);
	vm->segs[vm->nsegs++] = (struct guest_segment){ ph->paddr, ph->filesz, ph->memsz, ph->offset };
	return 0;
}

int guest_image_load(struct vm *vm, const struct boot_module *m, char *msg, size_t size)
{
	uint64_t image_size = m->end - m->start;
	const struct elf64_ehdr *eh = mpa_to_virt(mpa(m->start));
	vm->image = m;
	vm->nsegs = 0;
	if (image_size < sizeof(*eh) || eh->magic != ELF_MAGIC)
		return bad(msg, size, "not an ELF file (%llu bytes)", image_size);
	if (eh->class != ELFCLASS64 || eh->data != ELFDATA2LSB || eh->machine != EM_X86_64)
		return bad(msg, size, "not a little-endian x86-64 ELF64 file (machine %llu)", eh->machine);
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff > image_size ||
	    (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > image_size - eh->phoff)
		return bad(msg, size, "program headers lie outside the file (%llu of them)", eh->phnum);
	const struct elf64_phdr *ph = (const void *)((const uint8_t *)eh + eh->phoff);
	for (uint16_t i = 0; i < eh->phnum; i++) {
		int rc = ph[i].type == PT_LOAD ? check_segment(vm, &ph[i], image_size, msg, size) : 0;
		if (rc)
			return rc;
	}
	if (!vm->nsegs)
		return bad(msg, size, "no loadable segments%.0llu", 0);
	if (eh->entry < GUEST_IMAGE_MIN_GPA || eh->entry >= vm->mem_bytes || eh->entry > 0xffffffffull)
		return bad(msg, size, "entry point %#llx is not a 32-bit address inside the guest", eh->entry);
	vm->entry = eh->entry;
	return 0;
}

bool guest_image_fill(const struct vm *vm, gfn_t gfn, uint8_t *page)
{
	uint64_t lo = gfn.raw << PAGE_SHIFT, hi = lo + PAGE_SIZE;
	const uint8_t *file = mpa_to_virt(mpa(vm->image->start));
	bool any = false;
	for (uint32_t i = 0; i < vm->nsegs; i++) {
		const struct guest_segment *s = &vm->segs[i];
		uint64_t from = MAX(lo, s->gpa), to = MIN(hi, s->gpa + s->filesz);
		if (from < to) {
			memcpy(page + (from - lo), file + s->offset + (from - s->gpa), to - from);
			any = true;
		}
	}
	return any;
}

uint64_t guest_image_pages(const struct vm *vm)
{
	uint64_t pages = 0;
	for (uint32_t i = 0; i < vm->nsegs; i++) {
		const struct guest_segment *s = &vm->segs[i];
		pages += (ALIGN_UP(s->gpa + s->memsz, PAGE_SIZE) - ALIGN_DOWN(s->gpa, PAGE_SIZE)) >> PAGE_SHIFT;
	}
	return pages;
}
