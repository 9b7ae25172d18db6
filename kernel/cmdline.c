/* kernel/cmdline.c — the command-line parser (see cmdline.h).
 *
 * Grammar:  line   := { space } { option { space } }
 *           option := name [ "=" value ]
 *           value  := bare-word | '"' any-but-quote '"'
 */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printf.h"
#include "kernel/string.h"

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int fail(struct cmdline_error *err, const char *name, size_t name_len, int code,
		const char *fmt, const char *arg)
{
	if (name_len >= sizeof(err->option))
		name_len = sizeof(err->option) - 1;
	memcpy(err->option, name, name_len);
	err->option[name_len] = 0;
	ksnprintf(err->message, sizeof(err->message), fmt, arg);
	return -code;
}

static int parse_digits(const char *s, size_t len, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	if (!len)
		return -E_INVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d;
		char c = s[i];
		if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
		else return -E_INVAL;
		if (v > (UINT64_MAX - d) / base)
			return -E_RANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int parse_uint(const char *s, size_t len, uint64_t *out)
{
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, len - 2, 16, out);
	return parse_digits(s, len, 10, out);
}

static unsigned size_shift(char suffix)
{
	switch (suffix) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	default: return 0;
	}
}

static int parse_size_n(const char *s, size_t len, uint64_t *bytes)
{
	unsigned shift = len ? size_shift(s[len - 1]) : 0;
	uint64_t v;
	int rc = parse_digits(s, shift ? len - 1 : len, 10, &v);
	if (rc)
		return rc;
	if (shift && v > (UINT64_MAX >> shift))
		return -E_RANGE;
	*bytes = v << shift;
	return 0;
}

int cmdline_parse_number(const char *text, uint64_t *out)
{
	return parse_uint(text, strlen(text), out);
}

int cmdline_parse_size(const char *text, uint64_t *bytes)
{
	return parse_size_n(text, strlen(text), bytes);
}

static const struct opt_def *find_def(const struct opt_def *defs, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(defs[i].name) == len && !strncmp(defs[i].name, name, len))
			return &defs[i];
	return NULL;
}

/* Stores one value; `value` is not NUL-terminated. */
static int apply(const struct opt_def *d, const char *value, size_t len, void *out, struct cmdline_error *err)
{
	char *field = (char *)out + d->offset;
	size_t nl = strlen(d->name);
	char shown[64];
	size_t shown_len = len < sizeof(shown) - 1 ? len : sizeof(shown) - 1;
	memcpy(shown, value, shown_len);
	shown[shown_len] = 0;

	if (d->type == OPT_STRING) {
		if (len >= OPT_STRING_MAX) {
			char room[24];
			ksnprintf(room, sizeof(room), "%d", OPT_STRING_MAX - 1);
			return fail(err, d->name, nl, E_RANGE, "value is longer than %s characters", room);
		}
		memcpy(field, value, len);
		field[len] = 0;
		return 0;
	}
	uint64_t v;
	int rc = d->type == OPT_SIZE ? parse_size_n(value, len, &v) : parse_uint(value, len, &v);
	if (rc == -E_INVAL && d->type == OPT_SIZE)
		return fail(err, d->name, nl, E_INVAL,
			    "'%s' is not a size (a number with an optional K, M or G suffix)", shown);
	if (rc == -E_INVAL)
		return fail(err, d->name, nl, E_INVAL, "'%s' is not a number", shown);
	if (rc || v < d->min || v > d->max) {
		char range[CMDLINE_ERROR_MAX]; /* room for a 63-character value and both bounds */
		ksnprintf(range, sizeof(range), "'%s' is out of range (%llu to %llu)", shown,
			  (unsigned long long)d->min, (unsigned long long)d->max);
		return fail(err, d->name, nl, E_RANGE, "%s", range);
	}
	*(uint64_t *)field = v;
	return 0;
}

static int set_defaults(const struct opt_def *defs, size_t n, void *out, struct cmdline_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (defs[i].type == OPT_FLAG) {
			*(bool *)((char *)out + defs[i].offset) = false;
			continue;
		}
		const char *dt = defs[i].default_text ? defs[i].default_text : "";
		int rc = apply(&defs[i], dt, strlen(dt), out, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* One option starting at *pp; advances *pp past it. `seen` has one byte
 * per table entry so that an option given twice is an error. */
static int parse_one(const char **pp, const struct opt_def *defs, size_t n, void *out, bool *seen,
		     struct cmdline_error *err)
{
	const char *name = *pp, *p = *pp;
	while (*p && !is_space(*p) && *p != '=')
		p++;
	size_t nl = (size_t)(p - name);
	const struct opt_def *d = find_def(defs, n, name, nl);
	if (!d)
		return fail(err, name, nl, E_NOT_FOUND, "unknown option (the option 'help' lists them all)", 0);
	if (seen[d - defs])
		return fail(err, name, nl, E_EXISTS, "given more than once", 0);
	seen[d - defs] = true;

	if (*p != '=') {
		*pp = p;
		if (d->type != OPT_FLAG)
			return fail(err, name, nl, E_INVAL, "needs a value (%s=...)", d->name);
		*(bool *)((char *)out + d->offset) = true;
		return 0;
	}
	if (d->type == OPT_FLAG)
		return fail(err, name, nl, E_INVAL, "takes no value", 0);
	const char *v = ++p;
	if (*p == '"') {
		v = ++p;
		while (*p && *p != '"')
			p++;
		if (!*p)
			return fail(err, name, nl, E_INVAL, "missing closing '\"'", 0);
		*pp = p + 1;
		if (**pp && !is_space(**pp))
			return fail(err, name, nl, E_INVAL, "text after closing '\"'", 0);
		return apply(d, v, (size_t)(p - v), out, err);
	}
	while (*p && !is_space(*p))
		p++;
	*pp = p;
	return apply(d, v, (size_t)(p - v), out, err);
}

#define CMDLINE_MAX_OPTIONS 64

int cmdline_parse(const char *line, const struct opt_def *defs, size_t ndefs, void *out,
		  struct cmdline_error *err)
{
	bool seen[CMDLINE_MAX_OPTIONS] = { false };
	if (ndefs > CMDLINE_MAX_OPTIONS)
		return fail(err, "", 0, E_RANGE, "too many options in the table", 0);
	int rc = set_defaults(defs, ndefs, out, err);
	if (rc)
		return rc;
	for (const char *p = line;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			return 0;
		if (*p == '=')
			return fail(err, "", 0, E_INVAL, "'=' without an option name", 0);
		rc = parse_one(&p, defs, ndefs, out, seen, err);
		if (rc)
			return rc;
	}
}
