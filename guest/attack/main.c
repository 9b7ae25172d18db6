/* guest/attack/main.c — the adversarial guest's driver (attack.h): picks
 * the kind, runs it, reports.
 *
 * Arguments: kind=NAME (below), rounds=N (how hard: iterations of the
 * random parts; default 2000), seed=N (default: the vm id).
 * Last line:  attack: kind=NAME: N checks, F failed
 */
#include "attack.h"

const char guest_image_name[] = "attack";

#define DEFAULT_ROUNDS 2000
#define FAILED_LINES_MAX 10

struct kind {
	const char *name;
	void (*run)(struct attack *a);
};

static const struct kind kinds[] = {
	{ "hypercalls", attack_hypercalls }, { "balloon", attack_balloon },
	{ "ports", attack_ports },           { "stringio", attack_stringio },
	{ "msr", attack_msr },               { "cr", attack_cr },
	{ "vminsn", attack_vminsn },         { "hlt", attack_hlt },
	{ "exceptions", attack_exceptions }, { "exits", attack_exits },
	{ "pagetables", attack_pagetables }, { "gpa", attack_gpa },
};

void attack_expect(struct attack *a, const char *what, int64_t expected, int64_t seen)
{
	a->checks++;
	if (seen == expected)
		return;
	if (a->failed++ < FAILED_LINES_MAX)
		guest_printf("attack: %s expected %lld seen %lld FAIL\n", what, (long long)expected, (long long)seen);
}

/* Marsaglia's xorshift64: the attack is random but repeatable by seed. */
uint64_t attack_random(struct attack *a)
{
	return a->seed = xorshift64(a->seed);
}

static bool cpu_is_amd(void)
{
	uint32_t eax, b, c, d;
	__asm__ volatile("cpuid" : "=a"(eax), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	return b == 0x68747541u; /* "Auth" of AuthenticAMD */
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "kind", "rounds", "seed", NULL };
	static const char *names[ARRAY_SIZE(kinds) + 1];
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		names[i] = kinds[i].name;
	guest_args_check(env, known);
	const struct kind *k = &kinds[guest_arg_choice(env, "kind", names)];
	struct attack a = { .env = env, .kind = k->name, .amd = cpu_is_amd(),
			    .rounds = guest_arg_u64(env, "rounds", DEFAULT_ROUNDS),
			    .seed = guest_arg_u64(env, "seed", env->vm_id) | 1 };
	if (!env->hypervisor) {
		guest_printf("attack: no hypervisor to attack\n");
		return GUEST_EXIT_OK;
	}
	probe_init();
	guest_printf("attack: kind=%s rounds=%llu\n", k->name, (unsigned long long)a.rounds);
	k->run(&a);
	guest_printf("attack: kind=%s: %llu checks, %llu failed\n", k->name, (unsigned long long)a.checks,
		     (unsigned long long)a.failed);
	return a.failed ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
