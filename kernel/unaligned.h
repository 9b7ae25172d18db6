/* kernel/unaligned.h — loads from byte buffers at any alignment, in the
 * machine's order (little-endian on x86, SDM Vol. 1 1.3.1). Through
 * __builtin_memcpy: one MOV in practice, and no alignment or aliasing
 * assumption the C standard would not allow. Needs no libc: the kernel,
 * the guests and hosted tests use it. */
#ifndef MEMVISOR_UNALIGNED_H
#define MEMVISOR_UNALIGNED_H

#include <stdint.h>

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

#endif
