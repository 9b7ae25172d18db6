/* guest/runtime/addr.h — the guest's two address kinds, as distinct types
 * (kernel/types.h, docs/memory-words.md): gva, which the guest's own page tables
 * (paging.c) translate, and gpa, what the guest believes is RAM. A gva
 * where a gpa is wanted is a compile error. */
#ifndef GUEST_ADDR_H
#define GUEST_ADDR_H

#include "kernel/types.h"

static inline gpa_t gpa_of(uint64_t raw) { return (gpa_t){ raw }; }
static inline gva_t gva_of(uint64_t raw) { return (gva_t){ raw }; }
static inline gva_t gva_of_ptr(const volatile void *p) { return gva_of((uintptr_t)p); }
static inline gfn_t gpa_to_gfn(gpa_t a) { return (gfn_t){ a.raw >> PAGE_SHIFT }; }
static inline gpa_t gfn_to_gpa(gfn_t f) { return gpa_of(f.raw << PAGE_SHIFT); }

/* RAM is identity-mapped (gva == gpa) in every table the runtime builds,
 * so the runtime reaches a frame it owns through this pointer. Mappings
 * made with guest_map() at other gvas are extra views of the same RAM. */
static inline void *gpa_to_ptr(gpa_t a) { return (void *)(uintptr_t)a.raw; }

#endif
