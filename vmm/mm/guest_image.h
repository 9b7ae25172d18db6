/* vmm/mm/guest_image.h — reading a guest's ELF image (a boot module). */
#ifndef MEMVISOR_VMM_GUEST_IMAGE_H
#define MEMVISOR_VMM_GUEST_IMAGE_H

#include "vmm/vm.h"

/* Checks the ELF and records its segments and entry in vm. Returns 0, or
 * -E_INVAL after writing what is wrong into msg. */
int guest_image_load(struct vm *vm, const struct boot_module *m, char *msg, size_t msg_size);

/* Copies the image bytes that belong to guest frame gfn into page (which
 * the caller zeroed). Returns true when any image byte lies in that frame. */
bool guest_image_fill(const struct vm *vm, gfn_t gfn, uint8_t *page);

/* Guest frames the loaded image's segments span (code, data and bss). */
uint64_t guest_image_pages(const struct vm *vm);

#endif
