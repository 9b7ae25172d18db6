/* kernel/types.h — fixed-width integers, bit helpers and the address types.
 *
 * memvisor deals with three kinds of address (docs/memory-words.md):
 *   gva  guest virtual   — translated by the guest's own page tables
 *   gpa  guest physical  — translated by the nested tables (EPT/NPT) and PMAP
 *   mpa  machine physical — real RAM
 * Each kind is a one-member struct, so passing a gpa where an mpa is wanted
 * is a compile error rather than a silent bug. Frame numbers (gfn, mfn) are
 * addresses shifted right by PAGE_SHIFT.
 */
#ifndef MEMVISOR_TYPES_H
#define MEMVISOR_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/x86.h" /* PAGE_SHIFT, PAGE_SIZE */

#define BIT(n) (1ull << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* The whole pages that `bytes` takes. */
#define PAGES_FOR_BYTES(bytes) (ALIGN_UP((bytes), PAGE_SIZE) >> PAGE_SHIFT)
/* `pct` percent of `whole`, rounded down (the *_pct options). */
#define PERCENT_OF(whole, pct) ((whole) * (pct) / 100)
#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

typedef struct { uint64_t raw; } mpa_t; /* machine physical address */
typedef struct { uint64_t raw; } mfn_t; /* machine frame number     */
typedef struct { uint64_t raw; } gpa_t; /* guest physical address   */
typedef struct { uint64_t raw; } gfn_t; /* guest frame number       */
typedef struct { uint64_t raw; } gva_t; /* guest virtual address    */

static inline mpa_t mpa(uint64_t raw) { return (mpa_t){ raw }; }
static inline mfn_t mfn(uint64_t raw) { return (mfn_t){ raw }; }
static inline mpa_t mfn_to_mpa(mfn_t f) { return mpa(f.raw << PAGE_SHIFT); }
static inline mfn_t mpa_to_mfn(mpa_t a) { return mfn(a.raw >> PAGE_SHIFT); }

#endif
