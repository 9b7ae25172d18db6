/* guest/regspy/vector.h — the x87, SSE, AVX and AVX-512 registers as one
 * save image: role=write loads a planted image with (F)XRSTOR, both roles
 * read the registers back with (F)XSAVE and compare. */
#ifndef REGSPY_VECTOR_H
#define REGSPY_VECTOR_H

#include <stddef.h>
#include "features.h"

/* XSAVE components above SSE that regspy plants and checks: the ones in
 * xcr0, without PKRU (that one is planted as a single register). */
uint64_t vector_components(uint64_t xcr0);

/* Loads distinctive values into every x87 and XMM register and into the
 * components of vector_components(xcr0); xcr0 is the guest's XCR0. */
void vector_plant(const struct features *f, uint64_t xcr0);
/* False, with the first differing register named in `what`, when the
 * registers no longer hold what vector_plant() put there. */
bool vector_still_planted(const struct features *f, uint64_t xcr0, char *what, size_t size);
/* False, naming the register, unless every one is in its initial state:
 * x87 as after FNINIT with zero registers, XMM zero, MXCSR 0x1f80, the
 * components of vector_components(xcr0) zero. */
bool vector_at_reset(const struct features *f, uint64_t xcr0, char *what, size_t size);

#endif
