/* guest/regspy/features.h — what this CPU lets a guest set, from CPUID,
 * and turning it on in the guest's own CR0/CR4.
 * See: SDM Vol. 2A CPUID; Vol. 3A 2.5 (CR0, CR4). */
#ifndef REGSPY_FEATURES_H
#define REGSPY_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

struct features {
	bool xsave;      /* CPUID.1:ECX.XSAVE        */
	bool fsgsbase;   /* CPUID.7.0:EBX.FSGSBASE   */
	bool pku;        /* CPUID.7.0:ECX.PKU        */
	uint64_t xcr0;   /* CPUID.0Dh.0:EDX:EAX: components XSETBV accepts */
};

void features_read(struct features *f);
/* x87/SSE usable, XGETBV/XSETBV, RD/WR{FS,GS}BASE, RDPKRU/WRPKRU: each as far as f allows. */
void features_enable(const struct features *f);

/* Where component i lies in the standard XSAVE image (CPUID.0Dh.i). */
void xsave_component(unsigned i, uint32_t *offset, uint32_t *size);
/* Bytes of the XSAVE image for the current XCR0 (CPUID.0Dh.0:EBX). */
uint32_t xsave_size(void);

#endif
