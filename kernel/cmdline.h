/* kernel/cmdline.h — `key=value` command-line parsing against an option table.
 *
 * Pure code (compiled hosted by tests/unit). The table says each option's
 * name, type, default (as text, parsed by the same code) and help line; the
 * parser fills a caller-owned structure through each option's offset.
 */
#ifndef MEMVISOR_CMDLINE_H
#define MEMVISOR_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum opt_type {
	OPT_FLAG,   /* bool: present or not; takes no value                 */
	OPT_SIZE,   /* uint64_t bytes: 4096, 64K, 16M, 2G                    */
	OPT_UINT,   /* uint64_t: decimal or 0x-hex                           */
	OPT_STRING, /* char[OPT_STRING_MAX]; "double quotes" may hold spaces */
};

/* A string option's room: a boot command line holds at most 1023 characters
 * (multiboot2's buffer), so one value can take nearly all of it. */
#define OPT_STRING_MAX 1024
#define CMDLINE_ERROR_MAX 160

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t offset;            /* where the value goes in the options struct */
	const char *default_text; /* NULL for flags */
	uint64_t min, max;        /* inclusive bounds for OPT_SIZE and OPT_UINT */
	const char *help;
};

struct cmdline_error {
	char option[48];                /* the option named in the message */
	char message[CMDLINE_ERROR_MAX];
};

/* Sets every option to its default, then applies `line`. Returns 0, or
 * -E_* with *err saying which option and what is wrong. */
int cmdline_parse(const char *line, const struct opt_def *defs, size_t ndefs, void *out,
		  struct cmdline_error *err);

/* Parses a decimal or 0x-hex number; returns 0 or -E_INVAL / -E_RANGE. */
int cmdline_parse_number(const char *text, uint64_t *out);

/* Parses "16M"-style sizes; returns 0 or -E_INVAL / -E_RANGE (overflow). */
int cmdline_parse_size(const char *text, uint64_t *bytes);

#endif
