/* guest/regspy/vector.c — x87/SSE/AVX/AVX-512 registers through their
 * save images.
 * See: SDM Vol. 1 (rev. 084) 10.5.1 (FXSAVE image, table 10-2), 13.4
 * (XSAVE area: legacy region, header, components), 13.6 (initial
 * configuration of each component), 13.7-13.8 (XSAVE, XRSTOR). */
#include "vector.h"
#include "kernel/cpu_regs.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "vmm/cpu/xcr0.h"
#include "kernel/x86.h"

#define IMAGE_SIZE 4096
#define FCW 0
#define FSW 2
#define FTW 4 /* abridged: one bit per register, 1 = valid */
#define MXCSR 24
#define ST0 32
#define ST_STRIDE 16
#define ST_BYTES 10
#define ST_COUNT 8
#define XMM0 160
#define XMM_BYTES 16
#define XMM_COUNT 16
#define XSTATE_BV 512
#define FIRST_EXTENDED 2 /* components 0 and 1 live in the legacy region */

#define FCW_PLANTED 0x027f   /* 53-bit precision */
#define FTW_ALL_VALID 0xff
#define MXCSR_PLANTED 0x7f80 /* round toward zero */

static uint8_t planted[IMAGE_SIZE] __attribute__((aligned(64)));
static uint8_t seen[IMAGE_SIZE] __attribute__((aligned(64)));

/* BNDCSR is left out: BNDCFGU has reserved bits and BNDSTATUS is written
 * by the CPU, so neither holds an arbitrary pattern (it is still in the
 * image memvisor switches). */
uint64_t vector_components(uint64_t xcr0)
{
	return xcr0 & ~(XCR0_X87 | XCR0_SSE | XCR0_PKRU | XCR0_BNDCSR);
}

/* Where each component lies, from CPUID once: every CPUID exits. */
static struct { uint32_t offset, size; bool known; } layout[64];

static void component(unsigned i, uint32_t *offset, uint32_t *size)
{
	if (!layout[i].known) {
		xsave_component(i, &layout[i].offset, &layout[i].size);
		layout[i].known = true;
	}
	*offset = layout[i].offset;
	*size = layout[i].size;
}

/* Never 0, and different at every offset: a register that shows another
 * VM's byte shows which one it is. */
static uint8_t planted_byte(size_t offset) { return (uint8_t)(0xa5 ^ offset ^ (offset >> 8)) | 1; }

static void fill(uint8_t *image, size_t offset, size_t n)
{
	for (size_t i = 0; i < n; i++)
		image[offset + i] = planted_byte(offset + i);
}

static void put16(uint8_t *image, size_t offset, uint16_t v) { memcpy(image + offset, &v, sizeof(v)); }
static void put32(uint8_t *image, size_t offset, uint32_t v) { memcpy(image + offset, &v, sizeof(v)); }
static uint32_t get32(const uint8_t *image, size_t offset)
{
	uint32_t v;
	memcpy(&v, image + offset, sizeof(v));
	return v;
}
static uint64_t get64(const uint8_t *image, size_t offset)
{
	uint64_t v;
	memcpy(&v, image + offset, sizeof(v));
	return v;
}

static const char *component_name(unsigned i)
{
	switch (i) {
	case 2: return "YMM_Hi128";
	case 5: return "opmask";
	case 6: return "ZMM_Hi256";
	case 7: return "Hi16_ZMM";
	default: return "component";
	}
}

static void read_back(const struct features *f, uint64_t components)
{
	memset(seen, 0, sizeof(seen));
	if (f->xsave)
		xsave(seen, XCR0_X87 | XCR0_SSE | components);
	else
		fxsave(seen);
}

void vector_plant(const struct features *f, uint64_t xcr0)
{
	uint64_t components = vector_components(xcr0);
	memset(planted, 0, sizeof(planted));
	put16(planted, FCW, FCW_PLANTED);
	planted[FTW] = FTW_ALL_VALID;
	put32(planted, MXCSR, MXCSR_PLANTED);
	for (unsigned i = 0; i < ST_COUNT; i++)
		fill(planted, ST0 + i * ST_STRIDE, ST_BYTES);
	fill(planted, XMM0, XMM_COUNT * XMM_BYTES);
	for (unsigned i = FIRST_EXTENDED; i < 64; i++) {
		uint32_t offset, size;
		if (!(components & BIT(i)))
			continue;
		component(i, &offset, &size);
		if (offset + size <= IMAGE_SIZE)
			fill(planted, offset, size);
	}
	if (f->xsave) {
		uint64_t bv = XCR0_X87 | XCR0_SSE | components;
		memcpy(planted + XSTATE_BV, &bv, sizeof(bv));
		xrstor(planted, bv);
	} else {
		fxrstor(planted);
	}
}

/* The first byte in [offset, offset + n) where `seen` differs from `want`
 * (NULL: from zero), or -1. */
static long first_difference(size_t offset, size_t n, const uint8_t *want)
{
	for (size_t i = 0; i < n; i++)
		if (seen[offset + i] != (want ? want[offset + i] : 0))
			return (long)i;
	return -1;
}

/* Compares the registers in `seen` with `want` (NULL: all zero). */
static bool registers_match(const uint8_t *want, uint64_t components, char *what, size_t size)
{
	for (unsigned i = 0; i < ST_COUNT; i++)
		if (first_difference(ST0 + i * ST_STRIDE, ST_BYTES, want) >= 0) {
			ksnprintf(what, size, "ST%u/MM%u", i, i);
			return false;
		}
	for (unsigned i = 0; i < XMM_COUNT; i++)
		if (first_difference(XMM0 + i * XMM_BYTES, XMM_BYTES, want) >= 0) {
			ksnprintf(what, size, "XMM%u = %#llx:%#llx", i,
				  (unsigned long long)get64(seen, XMM0 + i * XMM_BYTES + 8),
				  (unsigned long long)get64(seen, XMM0 + i * XMM_BYTES));
			return false;
		}
	for (unsigned i = FIRST_EXTENDED; i < 64; i++) {
		uint32_t offset, size_i;
		if (!(components & BIT(i)))
			continue;
		component(i, &offset, &size_i);
		uint64_t bv = get64(seen, XSTATE_BV);
		if (!want && !(bv & BIT(i)))
			continue; /* in its initial configuration: all zero (13.6) */
		long at = first_difference(offset, size_i, want);
		if (at >= 0) {
			ksnprintf(what, size, "%s (XSAVE component %u) byte %ld = %#x", component_name(i), i, at,
				  seen[offset + at]);
			return false;
		}
	}
	return true;
}

static bool control_words(uint16_t fcw, uint8_t ftw, uint32_t mxcsr, char *what, size_t size)
{
	uint16_t seen_fcw = (uint16_t)get32(seen, FCW);
	if (seen_fcw != fcw || seen[FTW] != ftw || get32(seen, MXCSR) != mxcsr) {
		ksnprintf(what, size, "FCW/FTW/MXCSR = %#x/%#x/%#x, expected %#x/%#x/%#x", seen_fcw, seen[FTW],
			  get32(seen, MXCSR), fcw, ftw, mxcsr);
		return false;
	}
	return true;
}

bool vector_still_planted(const struct features *f, uint64_t xcr0, char *what, size_t size)
{
	uint64_t components = vector_components(xcr0);
	read_back(f, components);
	return control_words(FCW_PLANTED, FTW_ALL_VALID, MXCSR_PLANTED, what, size) &&
	       registers_match(planted, components, what, size);
}

bool vector_at_reset(const struct features *f, uint64_t xcr0, char *what, size_t size)
{
	uint64_t components = vector_components(xcr0);
	/* FXSAVE writes the whole legacy region whatever the state is in;
	 * XSAVE may skip a component in its initial configuration. */
	memset(seen, 0, sizeof(seen));
	fxsave(seen);
	if (!control_words(FCW_INIT, 0, MXCSR_INIT, what, size) || get32(seen, FSW) & 0xffff) {
		if (get32(seen, FSW) & 0xffff)
			ksnprintf(what, size, "FSW = %#x", get32(seen, FSW) & 0xffff);
		return false;
	}
	if (!registers_match(NULL, 0, what, size))
		return false;
	if (!components)
		return true;
	read_back(f, components);
	return registers_match(NULL, components, what, size);
}
