/* guest/runtime/args.c — key=value arguments from struct guest_env (env.h).
 * Words are separated by spaces; keys are matched whole ("touch" does not
 * match "touchy=1"). */
#include "env.h"
#include "console.h"
#include "exit.h"
#include "kernel/string.h"
#include "kernel/types.h"

#define ARG_SEPARATOR ' '
#define DECIMAL 10
#define HEXADECIMAL 16

static size_t word_length(const char *w)
{
	size_t n = 0;
	while (w[n] && w[n] != ARG_SEPARATOR)
		n++;
	return n;
}

static const char *skip_separators(const char *p)
{
	while (*p == ARG_SEPARATOR)
		p++;
	return p;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint64_t suffix_multiplier(char c)
{
	switch (c) {
	case 'K': case 'k': return KiB;
	case 'M': case 'm': return MiB;
	case 'G': case 'g': return GiB;
	default: return 0;
	}
}

/* Parses s[0..len): digits, then at most one suffix. False if malformed
 * or if the value does not fit in 64 bits. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned base = DECIMAL;
	size_t i = 0;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = HEXADECIMAL;
		i = 2;
	}
	uint64_t v = 0;
	size_t first_digit = i;
	for (; i < len; i++) {
		int d = digit_value(s[i]);
		if (d < 0 || (unsigned)d >= base)
			break;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return false;
		v = v * base + (unsigned)d;
	}
	if (i == first_digit)
		return false;
	if (i < len) {
		uint64_t m = suffix_multiplier(s[i]);
		if (!m || i + 1 != len || v > UINT64_MAX / m)
			return false;
		v *= m;
	}
	*out = v;
	return true;
}

/* The value of `key` in args and its length, or NULL. */
static const char *arg_find(const char *args, const char *key, size_t *len)
{
	size_t key_len = strlen(key);
	for (const char *w = skip_separators(args); *w; w = skip_separators(w + word_length(w))) {
		if (word_length(w) > key_len && !strncmp(w, key, key_len) && w[key_len] == '=') {
			*len = word_length(w) - key_len - 1;
			return w + key_len + 1;
		}
	}
	return NULL;
}

uint64_t guest_arg_u64(const struct guest_env *env, const char *key, uint64_t dflt)
{
	size_t len;
	const char *value = arg_find(env->args, key, &len);
	if (!value)
		return dflt;
	uint64_t v;
	if (!parse_u64(value, len, &v)) {
		guest_printf("guest: bad argument %s=%.*s: want a number such as 4096, 0x1000, 64K or 16M\n",
			     key, (int)len, value);
		guest_exit(GUEST_EXIT_USAGE);
	}
	return v;
}

unsigned guest_arg_choice(const struct guest_env *env, const char *key, const char *const choices[])
{
	size_t len;
	const char *value = arg_find(env->args, key, &len);
	if (!value)
		return 0;
	for (unsigned i = 0; choices[i]; i++)
		if (strlen(choices[i]) == len && !strncmp(choices[i], value, len))
			return i;
	guest_printf("guest: bad argument %s=%.*s: want one of", key, (int)len, value);
	for (unsigned i = 0; choices[i]; i++)
		guest_printf(" %s", choices[i]);
	guest_printf("\n");
	guest_exit(GUEST_EXIT_USAGE);
}

static bool key_is_known(const char *w, size_t key_len, const char *const known[])
{
	for (unsigned i = 0; known[i]; i++)
		if (strlen(known[i]) == key_len && !strncmp(w, known[i], key_len))
			return true;
	return false;
}

static void print_known(const char *const known[])
{
	if (!known[0])
		guest_printf(" none");
	for (unsigned i = 0; known[i]; i++)
		guest_printf(" %s", known[i]);
	guest_printf("\n");
}

void guest_args_check(const struct guest_env *env, const char *const known[])
{
	for (const char *w = skip_separators(env->args); *w; w = skip_separators(w + word_length(w))) {
		size_t len = word_length(w), key_len = 0;
		while (key_len < len && w[key_len] != '=')
			key_len++;
		if (key_len < len && key_len > 0 && key_is_known(w, key_len, known))
			continue;
		guest_printf("guest: unknown argument \"%.*s\"; %s takes:", (int)len, w, env->name);
		print_known(known);
		guest_exit(GUEST_EXIT_USAGE);
	}
}
