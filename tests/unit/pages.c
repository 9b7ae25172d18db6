/* tests/unit/pages.c — random and real test pages (see pages.h). */
#include "tests/unit/pages.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define XORSHIFT_STAR 0x2545f4914f6cdd1dull /* Vigna's xorshift64* multiplier */
#define PIECE_MAX 300
#define RECORD 8
#define ELF_MAGIC "\177ELF"

uint64_t pages_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * XORSHIFT_STAR;
}

static size_t piece(uint8_t *page, size_t at, uint64_t *state)
{
	size_t n = 1 + pages_rand(state) % PIECE_MAX;
	n = n < TEST_PAGE - at ? n : TEST_PAGE - at;
	unsigned kind = (unsigned)(pages_rand(state) % 4);
	if (kind == 1 && at) { /* copy from back there, maybe overlapping */
		size_t dist = 1 + pages_rand(state) % (pages_rand(state) % 2 ? at : (at < 16 ? at : 16));
		for (size_t i = 0; i < n; i++)
			page[at + i] = page[at + i - dist];
	} else if (kind == 2) { /* a run of one byte */
		memset(page + at, (int)(pages_rand(state) & 0xff), n);
	} else if (kind == 3 && at >= RECORD) { /* records: one byte changes */
		for (size_t i = 0; i < n; i++)
			page[at + i] = (uint8_t)(page[at + i - RECORD] + (i % RECORD == 0));
	} else {
		for (size_t i = 0; i < n; i++)
			page[at + i] = (uint8_t)pages_rand(state);
	}
	return n;
}

void pages_random(uint8_t *page, uint64_t *state)
{
	for (size_t at = 0; at < TEST_PAGE;)
		at += piece(page, at, state);
}

static size_t read_file(const char *path, uint8_t *buf, size_t max, int want_elf)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, max, f);
	fclose(f);
	if (want_elf && (n < 4 || memcmp(buf, ELF_MAGIC, 4)))
		return 0;
	return n;
}

static size_t read_dir(const char *dir, uint8_t *buf, size_t max, int want_elf)
{
	struct dirent **names;
	int count = scandir(dir, &names, NULL, alphasort);
	size_t used = 0;
	for (int i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (used < max && names[i]->d_name[0] != '.')
			used += read_file(path, buf + used, max - used, want_elf);
		free(names[i]);
	}
	free(names);
	return used;
}

size_t pages_real_corpus(uint8_t *buf, size_t max)
{
	size_t text = max / 4, used = read_dir("/usr/share/common-licenses", buf, text, 0);
	if (used < text)
		used += read_dir("/usr/include", buf + used, text - used, 0);
	return used + read_dir("/usr/bin", buf + used, max - used, 1);
}
