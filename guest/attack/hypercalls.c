/* guest/attack/hypercalls.c — kind=hypercalls: random hypercalls, each
 * result checked against what vmm/hypercall_abi.h promises for those
 * arguments. The arguments are drawn from the values that break careless
 * checks: the last byte of memory, one past it, ranges that straddle the
 * end or wrap past 2^64, lengths one over the limit, unknown numbers.
 * Valid writes go only to this guest's own scratch page, so the attacker
 * does not hurt itself; HC_EXIT is never drawn. */
#include "attack.h"

static char text[] = "attack: a valid console write\n";
static uint8_t scratch[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* A gpa a careless hypervisor might accept. */
static uint64_t pick_gpa(struct attack *a, uint64_t valid)
{
	uint64_t mem = a->env->memory_bytes, r = attack_random(a);
	switch (r % 8) {
	case 0: return valid;
	case 1: return mem;
	case 2: return mem - 1;
	case 3: return mem - 8;
	case 4: return UINT64_MAX - (r >> 60);
	case 5: return mem + PAGE_SIZE * (r >> 56);
	case 6: return 1ull << (32 + (r >> 59));
	default: return r;
	}
}

static uint64_t pick_len(struct attack *a, uint64_t valid)
{
	uint64_t r = attack_random(a);
	switch (r % 6) {
	case 0: return valid;
	case 1: return HC_CONSOLE_MAX + 1;
	case 2: return 16;
	case 3: return UINT64_MAX - (r >> 60);
	case 4: return a->env->memory_bytes;
	default: return r >> (r % 64);
	}
}

/* What memvisor must answer for a copy of len bytes at gpa. */
static bool outside(const struct attack *a, uint64_t gpa, uint64_t len)
{
	uint64_t mem = a->env->memory_bytes;
	return len > mem || gpa > mem - len;
}

static void console_write_any(struct attack *a)
{
	uint64_t len = pick_len(a, sizeof(text) - 1), gpa = pick_gpa(a, guest_gpa_of_ptr(text));
	bool ours = gpa == guest_gpa_of_ptr(text) && len <= sizeof(text) - 1;
	if (!ours && !outside(a, gpa, len) && len <= HC_CONSOLE_MAX)
		return; /* inside but not our text: would print our memory */
	int64_t expected = len > HC_CONSOLE_MAX ? -HC_E_INVAL : outside(a, gpa, len) ? -HC_E_FAULT : (int64_t)len;
	attack_expect(a, "console-write", expected, hc_call(HC_CONSOLE_WRITE, gpa, len, attack_random(a), 0));
}

static void get_info(struct attack *a)
{
	uint64_t gpa = pick_gpa(a, guest_gpa_of_ptr(scratch));
	bool fault = outside(a, gpa, sizeof(struct hc_vm_info));
	if (!fault && gpa != guest_gpa_of_ptr(scratch))
		return; /* would overwrite our own memory */
	attack_expect(a, "get-info", fault ? -HC_E_FAULT : 0, hc_call(HC_GET_INFO, gpa, attack_random(a), 0, 0));
	if (!fault)
		attack_expect(a, "get-info-vm-id", a->env->vm_id, ((struct hc_vm_info *)scratch)->vm_id);
}

/* Balloon batches that are wrong before a gfn is read: the header. */
static void balloon_header(struct attack *a, uint64_t nr)
{
	uint64_t r = attack_random(a), count = r % 3 == 0 ? 0 : HC_BALLOON_BATCH_MAX + 1 + (r >> 40);
	uint64_t gpa = r % 3 == 2 ? guest_gpa_of_ptr(scratch) + 1 + (r >> 52) % (PAGE_SIZE - 1) : pick_gpa(a, guest_gpa_of_ptr(scratch));
	int64_t expected = count == 0 ? -HC_E_INVAL : -HC_E_2BIG;
	attack_expect(a, "balloon-header", expected, hc_call(nr, gpa, count, 0, 0));
}

static void balloon_stats(struct attack *a)
{
	uint64_t total = attack_random(a) % (2 * a->env->memory_bytes / PAGE_SIZE);
	uint64_t free = attack_random(a) % (2 * total + 1);
	bool bad = total > a->env->memory_bytes / PAGE_SIZE || free > total;
	attack_expect(a, "balloon-stats", bad ? -HC_E_INVAL : 0, hc_call(HC_BALLOON_STATS, free, total, 0, 0));
}

static void unknown_number(struct attack *a)
{
	uint64_t nr = attack_random(a);
	if (nr >= 1 && nr < HC_NUMBER_END)
		nr += HC_NUMBER_END;
	attack_expect(a, "unknown-number", -HC_E_NOSYS, hc_call(nr, attack_random(a), attack_random(a), 0, 0));
}

void attack_hypercalls(struct attack *a)
{
	for (uint64_t i = 0; i < a->rounds; i++) {
		switch (attack_random(a) % 8) {
		case 0: console_write_any(a); break;
		case 1: get_info(a); break;
		case 2: attack_expect(a, "nop", 0, hc_call(HC_NOP, attack_random(a), 0, 0, 0)); break;
		case 3: balloon_header(a, HC_BALLOON_INFLATE); break;
		case 4: balloon_header(a, HC_BALLOON_DEFLATE); break;
		case 5: balloon_stats(a); break;
		case 6: attack_expect(a, "balloon-target", 0, hc_call(HC_BALLOON_TARGET, 0, 0, 0, 0) < 0); break;
		default: unknown_number(a); break;
		}
	}
}
