/* guest/regspy/main.c — a pair of guests that look for CPU state passing
 * from one VM to another.
 *
 *   regspy role=write [ms=400]            plants distinctive values in every
 *       register a guest can set (regs.c, vector.c), then spins for ms
 *       milliseconds with them set, checking they stay its own while the
 *       scheduler runs the other VMs. Exit 1 names a register it lost.
 *   regspy role=read [ms=200] [delay=50]  waits delay ms (the writer plants
 *       meanwhile), then reads every register again and again for ms
 *       milliseconds. Exit 1 with "regspy: leak: REG = ..." for a value
 *       that is neither the reset value nor one it set itself.
 *
 * Neither exits while it spins: only the host's timer takes it off the
 * CPU, so the other VMs run between two of its rounds. The writer also
 * checks that XSETBV refuses bad XCR0 values with #GP. */
#include "guest.h"
#include "features.h"
#include "regs.h"
#include "trap.h"
#include "vector.h"
#include "kernel/cpu_regs.h"
#include "kernel/io.h"
#include "vmm/cpu/xcr0.h"

const char guest_image_name[] = "regspy";

#define DEFAULT_WRITE_MS 400
#define DEFAULT_READ_MS 200
#define DEFAULT_DELAY_MS 50
#define LEN_XSETBV 3 /* 0f 01 d1 */
#define WHAT_MAX 120

enum role { ROLE_MISSING, ROLE_WRITE, ROLE_READ };

static uint64_t deadline(const struct guest_env *env, uint64_t ms) { return rdtsc() + ms * env->tsc_khz; }

static void spin_ms(const struct guest_env *env, uint64_t ms)
{
	for (uint64_t end = deadline(env, ms); rdtsc() < end;)
		cpu_pause();
}

static const char *component_name(unsigned i)
{
	switch (i) {
	case 2: return "YMM_Hi128";
	case 3: return "BNDREGS";
	case 5: return "opmask";
	case 6: return "ZMM_Hi256";
	case 7: return "Hi16_ZMM";
	default: return "other";
	}
}

/* Two lines (a console line holds 160 characters): "regspy: VERB
 * registers: ..." and "regspy: VERB vector state: ...". */
static void list_registers(const char *verb, const struct features *f, uint64_t xcr0)
{
	guest_printf("regspy: %s registers:", verb);
	for (unsigned i = 0; i < scalar_reg_count; i++)
		if (scalar_regs[i].usable(f))
			guest_printf(" %s", scalar_regs[i].name);
	guest_printf("\nregspy: %s vector state: x87 SSE", verb);
	uint64_t components = vector_components(xcr0);
	for (unsigned i = 0; i < 64; i++)
		if (components & BIT(i))
			guest_printf(" %s", component_name(i));
	guest_printf("\n");
}

/* ---- role=write ---- */

static volatile bool xsetbv_gp_seen;

/* A #GP leaves RIP on the XSETBV: resume after it. */
static bool xsetbv_gp(struct trap_frame *tf)
{
	if (tf->vector != VECTOR_GP)
		return false;
	xsetbv_gp_seen = true;
	tf->rip += LEN_XSETBV;
	return true;
}

static bool xsetbv_faults(uint32_t xcr, uint64_t value)
{
	xsetbv_gp_seen = false;
	trap_set_hook(xsetbv_gp);
	xsetbv(xcr, value);
	trap_set_hook(NULL);
	return xsetbv_gp_seen;
}

/* Values hardware refuses (SDM Vol. 2C XSETBV): each must be #GP(0) and
 * leave XCR0 as it was. */
static bool check_xsetbv_refusals(const struct features *f)
{
	struct { const char *what; uint32_t xcr; uint64_t value, unless_offered; } bad[] = {
		{ "XCR0=0 (x87 off)", XCR_XCR0, 0, 0 },
		{ "XCR1", 1, XCR0_X87, 0 },
		{ "bit 63", XCR_XCR0, XCR0_X87 | BIT(63), 0 },
		{ "AVX without SSE", XCR_XCR0, XCR0_X87 | XCR0_AVX, 0 },
		{ "MPX (not offered)", XCR_XCR0, XCR0_X87 | XCR0_MPX, XCR0_MPX },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (f->xcr0 & bad[i].unless_offered)
			continue; /* this CPU offers it: not a refusal */
		if (!xsetbv_faults(bad[i].xcr, bad[i].value)) {
			guest_printf("regspy: XSETBV of %s did not raise #GP\n", bad[i].what);
			return false;
		}
	}
	uint64_t xcr0 = xgetbv(XCR_XCR0);
	guest_printf("regspy: XSETBV raised #GP for every invalid value; XCR0 still %#llx\n", (unsigned long long)xcr0);
	return xcr0 == XCR0_RESET;
}

/* Checks every register, printing each one that changed. */
static bool still_planted(const struct features *f, uint64_t round)
{
	char what[WHAT_MAX];
	bool kept = true;
	for (unsigned i = 0; i < scalar_reg_count; i++) {
		const struct scalar_reg *r = &scalar_regs[i];
		if (!r->usable(f))
			continue;
		uint64_t seen = r->read(), want = scalar_planted(r, f);
		if (seen != want) {
			guest_printf("regspy: lost its own %s: seen %#llx, planted %#llx (round %llu)\n", r->name,
				     (unsigned long long)seen, (unsigned long long)want, (unsigned long long)round);
			kept = false;
		}
	}
	if (!vector_still_planted(f, f->xcr0, what, sizeof(what))) {
		guest_printf("regspy: lost its own %s (round %llu)\n", what, (unsigned long long)round);
		kept = false;
	}
	return kept;
}

static int run_writer(const struct guest_env *env, const struct features *f, uint64_t ms)
{
	if (f->xsave && !check_xsetbv_refusals(f))
		return GUEST_EXIT_FAILED;
	for (unsigned i = 0; i < scalar_reg_count; i++)
		if (scalar_regs[i].usable(f))
			scalar_regs[i].write(scalar_planted(&scalar_regs[i], f));
	vector_plant(f, f->xcr0);
	list_registers("planted", f, f->xcr0);
	uint64_t rounds = 0, end = deadline(env, ms);
	do {
		if (!still_planted(f, rounds))
			return GUEST_EXIT_FAILED;
		rounds++;
	} while (rdtsc() < end);
	guest_printf("regspy: kept every planted value over %llu rounds\n", (unsigned long long)rounds);
	return GUEST_EXIT_OK;
}

/* ---- role=read ---- */

/* Checks every register, printing each one that leaked in. */
static bool no_leak(const struct features *f, uint64_t own_xcr0, uint64_t round)
{
	char what[WHAT_MAX];
	bool clean = true;
	for (unsigned i = 0; i < scalar_reg_count; i++) {
		const struct scalar_reg *r = &scalar_regs[i];
		if (!r->usable(f))
			continue;
		uint64_t seen = r->read(), want = !strcmp(r->name, "XCR0") ? own_xcr0 : r->reset;
		if (seen != want) {
			guest_printf("regspy: leak: %s = %#llx, expected %#llx (round %llu)\n", r->name,
				     (unsigned long long)seen, (unsigned long long)want, (unsigned long long)round);
			clean = false;
		}
	}
	if (!vector_at_reset(f, own_xcr0, what, sizeof(what))) {
		guest_printf("regspy: leak: %s (round %llu)\n", what, (unsigned long long)round);
		clean = false;
	}
	return clean;
}

static int run_reader(const struct guest_env *env, const struct features *f, uint64_t ms, uint64_t delay)
{
	spin_ms(env, delay);
	list_registers("reading", f, f->xcr0);
	/* Round 0 sees every register as the VM was created, XCR0 = x87 only;
	 * then it enables every component so their registers can be read. */
	if (!no_leak(f, XCR0_RESET, 0))
		return GUEST_EXIT_FAILED;
	uint64_t own_xcr0 = f->xsave ? f->xcr0 : XCR0_RESET;
	if (f->xsave)
		xsetbv(XCR_XCR0, own_xcr0);
	uint64_t rounds = 1, end = deadline(env, ms);
	do {
		if (!no_leak(f, own_xcr0, rounds))
			return GUEST_EXIT_FAILED;
		rounds++;
	} while (rdtsc() < end);
	guest_printf("regspy: no leak over %llu rounds\n", (unsigned long long)rounds);
	return GUEST_EXIT_OK;
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "role", "ms", "delay", NULL };
	static const char *const roles[] = { "", "write", "read", NULL };
	guest_args_check(env, known);
	enum role role = guest_arg_choice(env, "role", roles);
	if (role == ROLE_MISSING) {
		guest_printf("regspy: needs role=write or role=read\n");
		return GUEST_EXIT_USAGE;
	}
	if (!env->tsc_khz) {
		guest_printf("regspy: needs memvisor's TSC rate\n");
		return GUEST_EXIT_USAGE;
	}
	struct features f;
	features_read(&f);
	features_enable(&f);
	if (role == ROLE_WRITE)
		return run_writer(env, &f, guest_arg_u64(env, "ms", DEFAULT_WRITE_MS));
	return run_reader(env, &f, guest_arg_u64(env, "ms", DEFAULT_READ_MS), guest_arg_u64(env, "delay", DEFAULT_DELAY_MS));
}
