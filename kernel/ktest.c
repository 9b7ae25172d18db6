/* kernel/ktest.c — runs the KTEST()s and prints KTAP version 1. */
#include "kernel/ktest.h"
#include "kernel/printf.h"
#include "kernel/string.h"

extern const struct ktest _ktest_start[], _ktest_end[];

#define SUITE_NAME_MAX 32

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("    # %s:%d: %s\n", file, line, msg);
	t->failures++;
}

/* True when `name` is one of the comma-separated words in `list`. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *end = p;
		while (*end && *end != ',')
			end++;
		if ((size_t)(end - p) == n && !strncmp(p, name, n))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

static bool selected(const char *selection, const char *suite)
{
	return !strcmp(selection, "all") || in_list(selection, suite);
}

/* The first test of each suite stands for the suite in iteration. */
static bool first_of_suite(const struct ktest *k)
{
	for (const struct ktest *p = _ktest_start; p < k; p++)
		if (!strcmp(p->suite, k->suite))
			return false;
	return true;
}

static bool is_suite(const char *name, size_t len)
{
	for (const struct ktest *k = _ktest_start; k < _ktest_end; k++)
		if (strlen(k->suite) == len && !strncmp(k->suite, name, len))
			return true;
	return false;
}

const char *ktest_find_unknown(const char *selection, char *bad, size_t bad_size)
{
	if (!strcmp(selection, "all"))
		return NULL;
	for (const char *p = selection;;) {
		const char *end = p;
		while (*end && *end != ',')
			end++;
		if (!is_suite(p, (size_t)(end - p))) {
			size_t n = MIN((size_t)(end - p), bad_size - 1);
			memcpy(bad, p, n);
			bad[n] = 0;
			return bad;
		}
		if (!*end)
			return NULL;
		p = end + 1;
	}
}

void ktest_list_suites(char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = 0;
	for (const struct ktest *k = _ktest_start; k < _ktest_end; k++)
		if (first_of_suite(k) && used < size)
			used += (size_t)ksnprintf(buf + used, size - used, "%s%s", used ? ", " : "", k->suite);
}

static unsigned count_suites(const char *selection)
{
	unsigned n = 0;
	for (const struct ktest *k = _ktest_start; k < _ktest_end; k++)
		n += first_of_suite(k) && selected(selection, k->suite);
	return n;
}

/* Runs one suite as a KTAP subtest; returns its failed-test count. */
static unsigned run_suite(const char *suite, unsigned number, unsigned *passed)
{
	unsigned tests = 0, failed = 0, index = 0;
	for (const struct ktest *k = _ktest_start; k < _ktest_end; k++)
		tests += !strcmp(k->suite, suite);
	kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", suite, tests);
	for (const struct ktest *k = _ktest_start; k < _ktest_end; k++) {
		if (strcmp(k->suite, suite))
			continue;
		struct ktest_ctx ctx = { 0, NULL };
		k->run(&ctx);
		index++;
		if (ctx.failures) {
			failed++;
			kprintf("    not ok %u %s\n", index, k->name);
		} else if (ctx.skip_reason) {
			kprintf("    ok %u %s # SKIP %s\n", index, k->name, ctx.skip_reason);
		} else {
			(*passed)++;
			kprintf("    ok %u %s\n", index, k->name);
		}
	}
	kprintf("%s %u %s\n", failed ? "not ok" : "ok", number, suite);
	return failed;
}

unsigned ktest_run(const char *selection, unsigned *passed)
{
	unsigned failed = 0, number = 0;
	*passed = 0;
	kprintf("KTAP version 1\n1..%u\n", count_suites(selection));
	for (const struct ktest *k = _ktest_start; k < _ktest_end; k++)
		if (first_of_suite(k) && selected(selection, k->suite))
			failed += run_suite(k->suite, ++number, passed);
	return failed;
}
