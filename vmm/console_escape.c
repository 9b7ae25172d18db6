/* vmm/console_escape.c — printable ASCII only (see console_escape.h). */
#include "vmm/console_escape.h"

#define ASCII_FIRST_PRINTABLE 0x20 /* ' ' */
#define ASCII_LAST_PRINTABLE 0x7e  /* '~' */

static size_t escape_byte(char *e, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	if (c == '\\') {
		e[0] = e[1] = '\\';
		return 2;
	}
	if (c >= ASCII_FIRST_PRINTABLE && c <= ASCII_LAST_PRINTABLE) {
		e[0] = (char)c;
		return 1;
	}
	e[0] = '\\';
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 0xf];
	return 4;
}

size_t console_escape(char *out, size_t out_size, const char *in, size_t len)
{
	size_t o = 0;
	if (!out_size)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char e[CONSOLE_ESCAPE_MAX_PER_BYTE];
		size_t n = escape_byte(e, (unsigned char)in[i]);
		if (o + n + 1 > out_size)
			break;
		for (size_t k = 0; k < n; k++)
			out[o++] = e[k];
	}
	out[o] = 0;
	return o;
}
