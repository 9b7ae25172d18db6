/* tools/benchmarks/zswap_bench.c — the page compressor of vmm/zswap/compress.c
 * (compiled with the kernel's code-generation flags: what runs in
 * memvisor) against LZ4_compress_default / LZ4_decompress_safe from
 * Debian's liblz4, on the same real 4 KiB pages in the same run.
 * `make bench` builds and runs it (tools/bench), after
 * tools/benchmarks/zswap-corpus has written the corpus.
 *
 * Usage: zswap_bench LABEL=FILE...   (each FILE: whole 4 KiB pages)
 *
 * Per corpus and codec: the ratio (input bytes over output bytes, every
 * page counted), the pages that would be stored (<= 2048 bytes, the
 * store rule), and compress and decompress MB/s (10^6 bytes of pages per
 * second of CPU time), the best of REPEATS timings with the codecs taking
 * turns.
 * Every page is round-tripped and compared first. Under each corpus's
 * rows and under all pages' rows: memvisor's ratio, compression and
 * decompression MB/s next to LZ4's, and whether each meets its target
 * (ratio at least LZ4's, speeds at least TARGET_SPEED of LZ4's). Exits 1
 * if any target is missed. */
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/zswap/compress.h"

#define PAGE 4096
#define STORE_MAX (PAGE / 2)
#define REPEATS 7
#define MIN_BYTES (64u << 20) /* each timing covers at least this much */
#define TARGET_SPEED 0.9 /* of LZ4's MB/s, compressing and decompressing */
#define TARGET_RATIO 1.0 /* of LZ4's ratio */
#define CORPORA_MAX 16
#define OUT_MAX (COMPRESS_BOUND(PAGE) > LZ4_COMPRESSBOUND(PAGE) ? COMPRESS_BOUND(PAGE) : LZ4_COMPRESSBOUND(PAGE))

struct corpus {
	const char *label;
	uint8_t *pages;
	size_t n;
};

struct figures {
	size_t out_bytes, stored;
	double compress_mbs, decompress_mbs;
};

struct codec {
	const char *name;
	size_t (*compress)(const uint8_t *page, uint8_t *out);
	int (*decompress)(const uint8_t *in, size_t len, uint8_t *page);
};

static struct compress_work work;

static size_t mine_compress(const uint8_t *page, uint8_t *out)
{
	return compress_block(page, PAGE, out, OUT_MAX, &work);
}

static int mine_decompress(const uint8_t *in, size_t len, uint8_t *page)
{
	return decompress_block(in, len, page, PAGE);
}

static size_t lz4_compress(const uint8_t *page, uint8_t *out)
{
	return (size_t)LZ4_compress_default((const char *)page, (char *)out, PAGE, OUT_MAX);
}

static int lz4_decompress(const uint8_t *in, size_t len, uint8_t *page)
{
	return LZ4_decompress_safe((const char *)in, (char *)page, (int)len, PAGE) == PAGE ? 0 : -1;
}

static const struct codec codecs[] = {
	{ "memvisor", mine_compress, mine_decompress },
	{ "lz4", lz4_compress, lz4_decompress },
};
#define CODECS (sizeof(codecs) / sizeof(codecs[0]))

/* CPU time, not wall time: on a shared machine a benchmark that is
 * descheduled would otherwise charge the wait to whichever codec ran. */
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Compresses every page once (sizes kept) and checks the round trip. */
static void first_pass(const struct codec *c, const struct corpus *k, uint8_t *out, size_t *sizes,
		       struct figures *f)
{
	static uint8_t back[PAGE];
	*f = (struct figures){ 0, 0, 0, 0 };
	for (size_t i = 0; i < k->n; i++) {
		const uint8_t *page = k->pages + i * PAGE;
		sizes[i] = c->compress(page, out + i * OUT_MAX);
		if (!sizes[i] || c->decompress(out + i * OUT_MAX, sizes[i], back) || memcmp(back, page, PAGE)) {
			fprintf(stderr, "zswap_bench: %s: page %zu of %s does not round-trip\n", c->name, i, k->label);
			exit(2);
		}
		f->out_bytes += sizes[i];
		f->stored += sizes[i] <= STORE_MAX;
	}
}

/* One timing of all pages through compress (or decompress); seconds per page. */
static double time_once(const struct codec *c, const struct corpus *k, uint8_t *out, const size_t *sizes,
			bool decompress)
{
	static uint8_t scratch[OUT_MAX], back[PAGE];
	size_t rounds = MIN_BYTES / (k->n * PAGE) + 1, sink = 0;
	double t0 = now();
	for (size_t r = 0; r < rounds; r++)
		for (size_t i = 0; i < k->n; i++)
			sink += decompress ? (size_t)c->decompress(out + i * OUT_MAX, sizes[i], back)
					   : c->compress(k->pages + i * PAGE, scratch);
	double t = now() - t0;
	if (sink == (size_t)-1)
		puts(""); /* keeps the work alive */
	return t / (double)(rounds * k->n);
}

static void measure(const struct corpus *k, struct figures f[CODECS])
{
	uint8_t *out[CODECS];
	size_t *sizes[CODECS];
	double best_c[CODECS], best_d[CODECS];
	for (size_t c = 0; c < CODECS; c++) {
		out[c] = malloc(k->n * OUT_MAX);
		sizes[c] = malloc(k->n * sizeof(size_t));
		first_pass(&codecs[c], k, out[c], sizes[c], &f[c]);
		best_c[c] = best_d[c] = 1e30;
	}
	for (int r = 0; r < REPEATS; r++) /* the codecs take turns: drift hits both alike */
		for (size_t c = 0; c < CODECS; c++) {
			double tc = time_once(&codecs[c], k, out[c], sizes[c], false);
			double td = time_once(&codecs[c], k, out[c], sizes[c], true);
			best_c[c] = tc < best_c[c] ? tc : best_c[c];
			best_d[c] = td < best_d[c] ? td : best_d[c];
		}
	for (size_t c = 0; c < CODECS; c++) {
		f[c].compress_mbs = PAGE / best_c[c] / 1e6;
		f[c].decompress_mbs = PAGE / best_d[c] / 1e6;
		free(out[c]);
		free(sizes[c]);
	}
}

/* One target: the figure, LZ4's, and whether mine / LZ4's reaches `target`. */
static bool check(const char *what, double mine, double lz4, double target, int decimals)
{
	bool met = mine >= target * lz4;
	printf("    %-11s %9.*f vs lz4 %9.*f = %5.1f%% (target >= %.0f%%): %s\n", what, decimals, mine, decimals, lz4,
	       100 * mine / lz4, 100 * target, met ? "met" : "MISSED");
	return met;
}

/* Prints both codecs' rows and, under them, each target; true if all met. */
static bool print_row(const struct corpus *k, const struct figures f[CODECS])
{
	for (size_t c = 0; c < CODECS; c++) {
		double ratio = (double)(k->n * PAGE) / (double)f[c].out_bytes;
		printf("%-10s %-9s %7zu %7.3f %7zu %9.0f %9.0f\n", k->label, codecs[c].name, k->n, ratio, f[c].stored,
		       f[c].compress_mbs, f[c].decompress_mbs);
	}
	const struct figures *mine = &f[0], *lz4 = &f[CODECS - 1];
	double bytes = (double)(k->n * PAGE);
	bool ok = check("ratio", bytes / (double)mine->out_bytes, bytes / (double)lz4->out_bytes, TARGET_RATIO, 3);
	ok = check("compress", mine->compress_mbs, lz4->compress_mbs, TARGET_SPEED, 0) && ok;
	return check("decompress", mine->decompress_mbs, lz4->decompress_mbs, TARGET_SPEED, 0) && ok;
}

static int load(const char *arg, struct corpus *k)
{
	const char *eq = strchr(arg, '=');
	FILE *file = eq ? fopen(eq + 1, "rb") : NULL;
	if (!file) {
		fprintf(stderr, "zswap_bench: want LABEL=FILE, cannot read '%s'\n", arg);
		return -1;
	}
	fseek(file, 0, SEEK_END);
	long bytes = ftell(file);
	fseek(file, 0, SEEK_SET);
	k->label = strndup(arg, (size_t)(eq - arg));
	k->n = (size_t)bytes / PAGE;
	k->pages = malloc(k->n * PAGE + 1);
	size_t got = fread(k->pages, PAGE, k->n, file);
	fclose(file);
	return got == k->n && k->n ? 0 : -1;
}

/* All corpora as one, for the verdict. */
static struct corpus join(const struct corpus *ks, int n)
{
	struct corpus all = { "all", NULL, 0 };
	for (int i = 0; i < n; i++)
		all.n += ks[i].n;
	all.pages = malloc(all.n * PAGE);
	for (int i = 0, at = 0; i < n; at += (int)ks[i].n, i++)
		memcpy(all.pages + (size_t)at * PAGE, ks[i].pages, ks[i].n * PAGE);
	return all;
}

int main(int argc, char **argv)
{
	struct corpus ks[CORPORA_MAX];
	int n = 0;
	for (int i = 1; i < argc && n < CORPORA_MAX; i++)
		if (load(argv[i], &ks[n++]))
			return 2;
	if (!n) {
		fprintf(stderr, "usage: %s LABEL=FILE...\n", argv[0]);
		return 2;
	}
	struct figures f[CODECS];
	printf("%-10s %-9s %7s %7s %7s %9s %9s\n", "corpus", "codec", "pages", "ratio", "<=2048", "comp MB/s",
	       "dec MB/s");
	bool ok = true;
	for (int i = 0; i < n; i++) {
		measure(&ks[i], f);
		ok = print_row(&ks[i], f) && ok;
	}
	struct corpus all = join(ks, n);
	measure(&all, f);
	ok = print_row(&all, f) && ok;
	printf("page compressor: %s (targets on each corpus and on all pages: ratio >= %.0f%% of LZ4's, "
	       "compression and decompression >= %.0f%% of LZ4's MB/s)\n",
	       ok ? "all targets met" : "TARGETS MISSED", 100 * TARGET_RATIO, 100 * TARGET_SPEED);
	return ok ? 0 : 1;
}
