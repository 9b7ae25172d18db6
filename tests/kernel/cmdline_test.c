/* tests/kernel/cmdline_test.c — the option parser and the boot's options. */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/options.h"
#include "kernel/string.h"

struct sample {
	bool verbose;
	uint64_t size;
	uint64_t count;
	char name[OPT_STRING_MAX];
};

static const struct opt_def sample_table[] = {
	{ "verbose", OPT_FLAG, offsetof(struct sample, verbose), NULL, 0, 0, "" },
	{ "size", OPT_SIZE, offsetof(struct sample, size), "4K", 0, 1ull << 40, "" },
	{ "count", OPT_UINT, offsetof(struct sample, count), "3", 1, 10, "" },
	{ "name", OPT_STRING, offsetof(struct sample, name), "none", 0, 0, "" },
};

static int parse(const char *line, struct sample *s, struct cmdline_error *e)
{
	return cmdline_parse(line, sample_table, ARRAY_SIZE(sample_table), s, e);
}

KTEST(cmdline, defaults_then_values)
{
	struct sample s;
	struct cmdline_error e;
	KT_EXPECT_EQ(t, parse("", &s, &e), 0);
	KT_EXPECT_EQ(t, s.size, 4096);
	KT_EXPECT_EQ(t, s.count, 3);
	KT_EXPECT_STR(t, s.name, "none");
	KT_EXPECT_EQ(t, parse(" verbose size=16M count=0x0a name=\"two words;x\" ", &s, &e), 0);
	KT_EXPECT(t, s.verbose);
	KT_EXPECT_EQ(t, s.size, 16 * MiB);
	KT_EXPECT_EQ(t, s.count, 10);
	KT_EXPECT_STR(t, s.name, "two words;x");
}

KTEST(cmdline, errors_name_the_option)
{
	struct sample s;
	struct cmdline_error e;
	KT_EXPECT_EQ(t, parse("size=1M bogus=1", &s, &e), -E_NOT_FOUND);
	KT_EXPECT_STR(t, e.option, "bogus");
	KT_EXPECT_EQ(t, parse("size=12Q", &s, &e), -E_INVAL);
	KT_EXPECT_STR(t, e.option, "size");
	KT_EXPECT_EQ(t, parse("count=11", &s, &e), -E_RANGE);
	KT_EXPECT_STR(t, e.option, "count");
	KT_EXPECT_EQ(t, parse("verbose=1", &s, &e), -E_INVAL);
	KT_EXPECT_EQ(t, parse("count", &s, &e), -E_INVAL);
	KT_EXPECT_EQ(t, parse("count=2 count=3", &s, &e), -E_EXISTS);
	KT_EXPECT_EQ(t, parse("name=\"open", &s, &e), -E_INVAL);
}

KTEST(cmdline, sizes_with_suffixes)
{
	uint64_t v = 0;
	KT_EXPECT_EQ(t, cmdline_parse_size("64K", &v), 0);
	KT_EXPECT_EQ(t, v, 64 * KiB);
	KT_EXPECT_EQ(t, cmdline_parse_size("5g", &v), 0);
	KT_EXPECT_EQ(t, v, 5 * GiB);
	KT_EXPECT_EQ(t, cmdline_parse_size("99999999999999G", &v), -E_RANGE);
	KT_EXPECT_EQ(t, cmdline_parse_size("M", &v), -E_INVAL);
}

KTEST(cmdline, boot_options_were_applied)
{
	/* This run was started with test=...: the parser must have stored it. */
	KT_EXPECT(t, options.test[0] != 0);
	KT_EXPECT(t, options.tick_hz >= 19 && options.tick_hz <= 1000);
}
