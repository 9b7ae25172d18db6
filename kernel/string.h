/* kernel/string.h — the few string and memory helpers the kernel needs.
 * memset/memcpy/memcmp/memmove keep their C names: the compiler emits
 * calls to them even in freestanding code. */
#ifndef MEMVISOR_STRING_H
#define MEMVISOR_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Copies at most size-1 bytes and always terminates (like strlcpy). */
size_t str_copy(char *dst, const char *src, size_t size);

#endif
