/* kernel/printf.c — kvsnprintf(), the one formatter everything prints with.
 * Pure code: no hardware, no globals, so tests/unit checks it against the
 * host's own snprintf. */
#include "kernel/printf.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len;         /* characters produced so far, even past size */
	printf_sink sink;   /* NULL: keep what fits in buf (kvsnprintf)    */
	void *ctx;
	size_t held;        /* with a sink: characters in buf not yet sunk */
};

enum {
	FLAG_LEFT = 1 << 0,  /* '-' */
	FLAG_ZERO = 1 << 1,  /* '0' */
	FLAG_PLUS = 1 << 2,  /* '+' */
	FLAG_SPACE = 1 << 3, /* ' ' */
	FLAG_ALT = 1 << 4,   /* '#' */
};

struct spec {
	unsigned flags;
	int width;
	int precision; /* -1: none given */
};

static void put(struct out *o, char c)
{
	if (o->sink) {
		if (o->held == o->size) {
			o->sink(o->ctx, o->buf, o->held);
			o->held = 0;
		}
		o->buf[o->held++] = c;
	} else if (o->len + 1 < o->size) {
		o->buf[o->len] = c;
	}
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void emit_string(struct out *o, const struct spec *s, const char *str)
{
	if (!str)
		str = "(null)";
	int len = 0;
	while (str[len] && (s->precision < 0 || len < s->precision))
		len++;
	if (!(s->flags & FLAG_LEFT))
		pad(o, ' ', s->width - len);
	for (int i = 0; i < len; i++)
		put(o, str[i]);
	if (s->flags & FLAG_LEFT)
		pad(o, ' ', s->width - len);
}

/* Integers: [sign][prefix][zeros][digits], padded to width. */
static void emit_number(struct out *o, const struct spec *s, uint64_t v, bool negative,
			unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (s->precision == 0 && n == 1 && tmp[0] == '0')
		n = 0; /* C11 7.21.6.1: zero with precision 0 prints no digits */

	char sign = negative ? '-' : (s->flags & FLAG_PLUS) ? '+' : (s->flags & FLAG_SPACE) ? ' ' : 0;
	int plen = 0;
	while (prefix && prefix[plen])
		plen++;
	int zeros = s->precision > n ? s->precision - n : 0;
	/* C11 7.21.6.1: '#' with %o raises the precision just enough that the
	 * first digit is a 0 (so 0 stays "0" and 8 becomes "010"). */
	if ((s->flags & FLAG_ALT) && base == 8 && !zeros && (n == 0 || tmp[n - 1] != '0'))
		zeros = 1;
	int body = (sign ? 1 : 0) + plen + zeros + n;
	bool zero_pad = (s->flags & FLAG_ZERO) && !(s->flags & FLAG_LEFT) && s->precision < 0;
	if (zero_pad && s->width > body)
		zeros += s->width - body, body = s->width;

	if (!(s->flags & FLAG_LEFT))
		pad(o, ' ', s->width - body);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (s->flags & FLAG_LEFT)
		pad(o, ' ', s->width - body);
}

static const char *parse_flags(const char *f, struct spec *s)
{
	for (;; f++) {
		switch (*f) {
		case '-': s->flags |= FLAG_LEFT; break;
		case '0': s->flags |= FLAG_ZERO; break;
		case '+': s->flags |= FLAG_PLUS; break;
		case ' ': s->flags |= FLAG_SPACE; break;
		case '#': s->flags |= FLAG_ALT; break;
		default: return f;
		}
	}
}

static const char *parse_int(const char *f, int *out, va_list *ap)
{
	if (*f == '*') {
		*out = va_arg(*ap, int);
		return f + 1;
	}
	int v = 0;
	while (*f >= '0' && *f <= '9')
		v = v * 10 + (*f++ - '0');
	*out = v;
	return f;
}

/* Length modifiers, as the number of 'l's they amount to on LP64. */
static const char *parse_length(const char *f, int *longs, int *shorts)
{
	*longs = *shorts = 0;
	for (;; f++) {
		if (*f == 'l') (*longs)++;
		else if (*f == 'h') (*shorts)++;
		else if (*f == 'z' || *f == 'j' || *f == 't') *longs = 1;
		else return f;
	}
}

static uint64_t fetch_unsigned(va_list *ap, int longs, int shorts)
{
	if (longs)
		return longs == 1 ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned long long);
	unsigned v = va_arg(*ap, unsigned);
	return shorts >= 2 ? (uint8_t)v : shorts == 1 ? (uint16_t)v : v;
}

static int64_t fetch_signed(va_list *ap, int longs, int shorts)
{
	if (longs)
		return longs == 1 ? va_arg(*ap, long) : va_arg(*ap, long long);
	int v = va_arg(*ap, int);
	return shorts >= 2 ? (int8_t)v : shorts == 1 ? (int16_t)v : v;
}

static void emit_conversion(struct out *o, struct spec *s, char conv, int longs, int shorts, va_list *ap)
{
	bool alt = s->flags & FLAG_ALT;
	if (conv != 'd' && conv != 'i') /* C11 7.21.6.1: '+' and ' ' are for signed conversions */
		s->flags &= ~(unsigned)(FLAG_PLUS | FLAG_SPACE);
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = fetch_signed(ap, longs, shorts);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		emit_number(o, s, mag, v < 0, 10, false, 0);
		break;
	}
	case 'u': emit_number(o, s, fetch_unsigned(ap, longs, shorts), false, 10, false, 0); break;
	case 'o': emit_number(o, s, fetch_unsigned(ap, longs, shorts), false, 8, false, 0); break;
	case 'x':
	case 'X': {
		uint64_t v = fetch_unsigned(ap, longs, shorts);
		const char *prefix = alt && v ? (conv == 'X' ? "0X" : "0x") : 0;
		emit_number(o, s, v, false, 16, conv == 'X', prefix);
		break;
	}
	case 'p': {
		/* Always 0x and 16 digits: addresses line up in dumps. */
		struct spec ps = { s->flags & FLAG_LEFT, s->width, 16 };
		emit_number(o, &ps, (uintptr_t)va_arg(*ap, void *), false, 16, false, "0x");
		break;
	}
	case 'c': { /* not through emit_string: a NUL character is still one character */
		char c = (char)va_arg(*ap, int);
		if (!(s->flags & FLAG_LEFT))
			pad(o, ' ', s->width - 1);
		put(o, c);
		if (s->flags & FLAG_LEFT)
			pad(o, ' ', s->width - 1);
		break;
	}
	case 's': emit_string(o, s, va_arg(*ap, const char *)); break;
	case '%': put(o, '%'); break;
	default: /* unknown conversion: show it rather than guess */
		put(o, '%');
		put(o, conv);
		break;
	}
}

static void format(struct out *o_out, const char *fmt, va_list ap_in)
{
	struct out o = *o_out;
	va_list ap;
	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		struct spec s = { 0, 0, -1 };
		fmt = parse_flags(fmt + 1, &s);
		fmt = parse_int(fmt, &s.width, &ap);
		if (s.width < 0) { /* C11: a negative '*' width means '-' */
			s.flags |= FLAG_LEFT;
			s.width = -s.width;
		}
		if (*fmt == '.') {
			fmt = parse_int(fmt + 1, &s.precision, &ap);
			if (s.precision < 0)
				s.precision = -1;
		}
		int longs, shorts;
		fmt = parse_length(fmt, &longs, &shorts);
		if (!*fmt)
			break;
		emit_conversion(&o, &s, *fmt++, longs, shorts, &ap);
	}
	va_end(ap);
	*o_out = o;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0, 0, 0, 0 };
	format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int kvprintf_to(printf_sink sink, void *ctx, char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0, sink, ctx, 0 };
	if (!size)
		return 0;
	format(&o, fmt, ap);
	if (o.held)
		sink(ctx, buf, o.held);
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
