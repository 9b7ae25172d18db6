/* vmm/balloon/plan.c — parsing balloon targets (see plan.h). */
#include "vmm/balloon/plan.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printf.h"

#define WORD_MAX 32 /* a VM name or a target; longer is a mistake */
#define ITEM_SEPARATOR ','
#define STEP_SEPARATOR ':'

int balloon_parse_pages(const char *text, uint64_t *pages)
{
	uint64_t bytes;
	if (!cmdline_parse_number(text, pages))
		return 0;
	int err = cmdline_parse_size(text, &bytes);
	if (err)
		return err;
	if (bytes % PAGE_SIZE)
		return -E_INVAL;
	*pages = bytes / PAGE_SIZE;
	return 0;
}

/* Copies the word at *p up to a separator into word; advances *p past it
 * and says which separator ended it (0 at the end of the text). */
static int next_word(const char **p, char *word, char *ended_by)
{
	size_t n = 0;
	for (; **p && **p != ITEM_SEPARATOR && **p != STEP_SEPARATOR; (*p)++) {
		if (n + 1 >= WORD_MAX) {
			word[n] = 0; /* what fitted, for the message */
			return -E_INVAL;
		}
		word[n++] = **p;
	}
	word[n] = 0;
	*ended_by = **p;
	if (**p)
		(*p)++;
	return 0;
}

static int bad(char *msg, size_t size, const char *what, const char *word)
{
	ksnprintf(msg, size, "%s'%s' (want VM:TARGET[:TARGET...],..., a TARGET in pages or 16M-style)", what, word);
	return -E_INVAL;
}

static bool same_word(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* One VM:TARGET[:TARGET...] item; *p is at its start. */
static int parse_item(const char **p, struct balloon_plan *plan, char *msg, size_t size)
{
	char word[WORD_MAX], sep;
	if (next_word(p, word, &sep) || !word[0] || word[0] == ' ' || sep != STEP_SEPARATOR)
		return bad(msg, size, "expected a VM and its targets at ", word);
	if (plan->nvms == BALLOON_PLAN_VMS)
		return bad(msg, size, "more VMs than memvisor runs at ", word);
	for (uint32_t i = 0; i < plan->nvms; i++)
		if (same_word(plan->vms[i].vm, word))
			return bad(msg, size, "a second schedule for ", word);
	struct balloon_plan_vm *v = &plan->vms[plan->nvms++];
	size_t n = 0;
	for (; word[n] && n < HC_INFO_NAME_MAX; n++)
		v->vm[n] = word[n];
	v->vm[n] = 0;
	v->nsteps = 0;
	do {
		if (next_word(p, word, &sep) || balloon_parse_pages(word, &v->steps[v->nsteps]))
			return bad(msg, size, "not a target: ", word);
		if (++v->nsteps == BALLOON_PLAN_STEPS && sep == STEP_SEPARATOR) {
			ksnprintf(msg, size, "more than %u targets for '%s'", BALLOON_PLAN_STEPS, v->vm);
			return -E_INVAL;
		}
	} while (sep == STEP_SEPARATOR);
	return 0;
}

int balloon_plan_parse(const char *text, struct balloon_plan *plan, char *msg, size_t size)
{
	plan->nvms = 0;
	for (const char *p = text; *p;) {
		int err = parse_item(&p, plan, msg, size);
		if (err)
			return err;
	}
	return 0;
}
