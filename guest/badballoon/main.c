/* guest/badballoon/main.c — balloon batches memvisor must refuse whole,
 * and a guest that touches a page it gave away (vmm/hypercall_abi.h §5).
 * A hypervisor that trusts a batch frees frames the guest still uses, or
 * frees half a batch before it finds the bad gfn: this guest checks that
 * every bad batch gets its error and changes nothing (its pages keep their
 * contents), that deflated and touched pages read as zeros, and that the
 * balloon stops at its cap.
 *
 * One line per check:  badballoon: CHECK expected E seen S ok|FAIL
 * then:  badballoon: N checks, F failed; R batches refused;
 *        inflated I pages, deflated D, touched T ballooned
 * (the system test compares the last figures with memvisor's stats).
 * Exit status GUEST_EXIT_OK only if every check passed.
 *
 * mode=compressed: inflating pages memvisor compressed after the guest
 * touched them (ABI §5: taken, their compressed copies dropped). The guest
 * fills COMPRESSED_PAGES pages with one value each, makes HC_MARK 1 (a
 * script compresses the VM's pages there: script_at=mark:badballoon:1),
 * inflates them without reading them again, makes HC_MARK 2 (its stats
 * line shows the balloon and the compressed count), and deflates them. */
#include "guest.h"

const char guest_image_name[] = "badballoon";

#define TEST_PAGES 8      /* pages with known contents, P0..P7        */
#define CAP_STEP 64       /* pages per batch while filling to the cap */
#define PAGE_WORDS (PAGE_SIZE / sizeof(uint64_t))
#define COMPRESSED_PAGES 64

static uint64_t batch[HC_BALLOON_BATCH_MAX] __attribute__((aligned(PAGE_SIZE)));

struct badballoon {
	unsigned checks, failed, refused;
	uint64_t inflated, deflated, touched;
	uint64_t npages, batch_gpa;
	uint64_t page[TEST_PAGES]; /* gfns */
	uint64_t sum[TEST_PAGES];
};

static void expect(struct badballoon *b, const char *check, int64_t expected, int64_t seen)
{
	bool ok = seen == expected;
	b->checks++;
	b->failed += !ok;
	guest_printf("badballoon: %s expected %lld seen %lld %s\n", check, (long long)expected, (long long)seen,
		     ok ? "ok" : "FAIL");
}

/* One balloon hypercall, counted as memvisor should count it. */
static int64_t call(struct badballoon *b, enum hypercall_number op, uint64_t batch_gpa, uint64_t n)
{
	int64_t rc = hc_call(op, batch_gpa, n, 0, 0);
	b->refused += rc < 0;
	if (rc > 0 && op == HC_BALLOON_INFLATE)
		b->inflated += (uint64_t)rc;
	if (rc > 0 && op == HC_BALLOON_DEFLATE)
		b->deflated += (uint64_t)rc;
	return rc;
}

/* Sends gfns[0..n), copied into the batch page, as op. */
static int64_t send(struct badballoon *b, enum hypercall_number op, const uint64_t *gfns, uint64_t n)
{
	for (uint64_t i = 0; i < n && i < HC_BALLOON_BATCH_MAX; i++)
		batch[i] = gfns[i];
	return call(b, op, b->batch_gpa, n);
}

static volatile uint64_t *words_of(uint64_t gfn)
{
	return gpa_to_ptr(gfn_to_gpa((gfn_t){ gfn }));
}

/* Pages P0..P7 from the allocator, each with contents of its own. */
static void make_pages(struct badballoon *b)
{
	for (unsigned p = 0; p < TEST_PAGES; p++) {
		gpa_t frame;
		if (frame_alloc(&frame)) {
			guest_printf("badballoon: error: no frame for the test pages\n");
			guest_exit(GUEST_EXIT_FATAL);
		}
		b->page[p] = gpa_to_gfn(frame).raw;
		volatile uint64_t *w = words_of(b->page[p]);
		for (uint64_t i = 0; i < PAGE_WORDS; i++)
			w[i] = (p + 1) * SPLITMIX64_GAMMA ^ i;
		b->sum[p] = checksum_page(w);
	}
}

/* How many of P[first..TEST_PAGES) lost their contents. */
static int64_t pages_changed(const struct badballoon *b, unsigned first)
{
	int64_t changed = 0;
	for (unsigned p = first; p < TEST_PAGES; p++)
		changed += checksum_page(words_of(b->page[p])) != b->sum[p];
	return changed;
}

static int64_t nonzero_words(uint64_t gfn)
{
	int64_t n = 0;
	for (uint64_t i = 0; i < PAGE_WORDS; i++)
		n += words_of(gfn)[i] != 0;
	return n;
}

/* Count and batch address: refused before memvisor reads the batch. */
static void check_headers(struct badballoon *b, uint64_t memory_bytes)
{
	enum { ONE_WORD = sizeof(uint64_t), FAR_AWAY = 62 };
	batch[0] = b->page[0];
	expect(b, "inflate-empty-batch", -HC_E_INVAL, call(b, HC_BALLOON_INFLATE, b->batch_gpa, 0));
	expect(b, "inflate-count-one-too-many", -HC_E_2BIG,
	       call(b, HC_BALLOON_INFLATE, b->batch_gpa, HC_BALLOON_BATCH_MAX + 1));
	/* count * 8 wraps to a small length: checking bytes instead of the
	 * count would let it through. */
	expect(b, "inflate-count-huge", -HC_E_2BIG, call(b, HC_BALLOON_INFLATE, b->batch_gpa, UINT64_MAX));
	expect(b, "inflate-batch-unaligned", -HC_E_INVAL, call(b, HC_BALLOON_INFLATE, b->batch_gpa + ONE_WORD, 1));
	expect(b, "inflate-batch-beyond-memory", -HC_E_FAULT, call(b, HC_BALLOON_INFLATE, memory_bytes, 1));
	expect(b, "inflate-batch-far-away", -HC_E_FAULT, call(b, HC_BALLOON_INFLATE, 1ull << FAR_AWAY, 1));
	expect(b, "deflate-batch-beyond-memory", -HC_E_FAULT, call(b, HC_BALLOON_DEFLATE, memory_bytes, 1));
}

/* Each batch holds good gfns too: none of them may be ballooned after. */
static void check_gfns(struct badballoon *b)
{
	const uint64_t *p = b->page;
	uint64_t beyond[] = { p[0], p[1], b->npages };
	expect(b, "inflate-gfn-beyond-memory", -HC_E_FAULT, send(b, HC_BALLOON_INFLATE, beyond, 3));
	uint64_t huge[] = { p[0], UINT64_MAX };
	expect(b, "inflate-gfn-huge", -HC_E_FAULT, send(b, HC_BALLOON_INFLATE, huge, 2));
	uint64_t twice[] = { p[0], p[1], p[0] };
	expect(b, "inflate-gfn-twice", -HC_E_INVAL, send(b, HC_BALLOON_INFLATE, twice, 3));
	/* The last page of RAM: this small guest never touches it. */
	uint64_t untouched[] = { p[0], b->npages - 1 };
	expect(b, "inflate-gfn-untouched", -HC_E_PERM, send(b, HC_BALLOON_INFLATE, untouched, 2));
	expect(b, "pages-intact-after-refused-batches", 0, pages_changed(b, 0));
}

/* Inflate, deflate and touch, with the state checks in between. */
static void check_states(struct badballoon *b)
{
	const uint64_t *p = b->page;
	expect(b, "inflate-two-pages", 2, send(b, HC_BALLOON_INFLATE, p, 2));
	uint64_t again[] = { p[2], p[0] };
	expect(b, "inflate-gfn-ballooned-already", -HC_E_PERM, send(b, HC_BALLOON_INFLATE, again, 2));
	expect(b, "deflate-gfn-not-ballooned", -HC_E_PERM, send(b, HC_BALLOON_DEFLATE, &p[2], 1));
	uint64_t twice[] = { p[0], p[0] };
	expect(b, "deflate-gfn-twice", -HC_E_INVAL, send(b, HC_BALLOON_DEFLATE, twice, 2));
	expect(b, "deflate-one-page", 1, send(b, HC_BALLOON_DEFLATE, p, 1));
	expect(b, "deflated-page-reads-zero", 0, nonzero_words(p[0]));
	/* P1 is still ballooned: touching it is a driver bug memvisor survives. */
	b->touched++;
	expect(b, "touched-ballooned-page-reads-zero", 0, nonzero_words(p[1]));
	expect(b, "deflate-touched-page", -HC_E_PERM, send(b, HC_BALLOON_DEFLATE, &p[1], 1));
	expect(b, "other-pages-intact", 0, pages_changed(b, 2));
}

/* Fills a batch with n fresh, touched pages from the allocator. */
static bool fresh_pages(uint64_t *gfns, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		gpa_t frame;
		if (frame_alloc(&frame))
			return false;
		*(volatile uint64_t *)gpa_to_ptr(frame) = frame.raw;
		gfns[i] = gpa_to_gfn(frame).raw;
	}
	return true;
}

/* The cap: batches until one is refused, then exactly to the cap, then
 * everything back. The balloon's pages are remembered in `held`. */
static void check_cap(struct badballoon *b)
{
	static uint64_t held[HC_BALLOON_BATCH_MAX * 4], step[CAP_STEP];
	uint64_t size = 0;
	int64_t rc = 0;
	while (size + CAP_STEP <= ARRAY_SIZE(held) && fresh_pages(step, CAP_STEP) &&
	       (rc = send(b, HC_BALLOON_INFLATE, step, CAP_STEP)) == CAP_STEP) {
		memcpy(&held[size], step, sizeof(step));
		size += CAP_STEP;
	}
	expect(b, "inflate-beyond-the-cap", -HC_E_NOSPC, rc);
	/* step[] still holds the refused pages: take as many as fit. */
	uint64_t room = 0;
	while (room < CAP_STEP && send(b, HC_BALLOON_INFLATE, &step[room], 1) == 1) {
		held[size + room] = step[room];
		room++;
	}
	size += room;
	guest_printf("badballoon: the balloon took %llu pages before its cap\n", (unsigned long long)size);
	expect(b, "one-page-beyond-the-cap", -HC_E_NOSPC, send(b, HC_BALLOON_INFLATE, &step[room], 1));
	uint64_t back = 0;
	for (uint64_t i = 0; i < size; i += HC_BALLOON_BATCH_MAX) {
		int64_t n = send(b, HC_BALLOON_DEFLATE, &held[i], MIN(size - i, HC_BALLOON_BATCH_MAX));
		back += n > 0 ? (uint64_t)n : 0;
	}
	expect(b, "deflate-everything", (int64_t)size, (int64_t)back);
}

/* mode=compressed (see the top of this file). */
static void check_compressed(struct badballoon *b)
{
	static uint64_t gfns[COMPRESSED_PAGES];
	for (uint64_t i = 0; i < COMPRESSED_PAGES; i++) {
		gpa_t frame;
		if (frame_alloc(&frame)) {
			guest_printf("badballoon: error: no frame for the compressed pages\n");
			guest_exit(GUEST_EXIT_FATAL);
		}
		gfns[i] = gpa_to_gfn(frame).raw;
		for (uint64_t w = 0; w < PAGE_WORDS; w++)
			words_of(gfns[i])[w] = (i + 1) * SPLITMIX64_GAMMA; /* one value: always stored */
	}
	expect(b, "mark-before-compression", 0, hc_call(HC_MARK, 1, 0, 0, 0));
	expect(b, "inflate-compressed-pages", COMPRESSED_PAGES, send(b, HC_BALLOON_INFLATE, gfns, COMPRESSED_PAGES));
	expect(b, "mark-after-inflate", 0, hc_call(HC_MARK, 2, 0, 0, 0));
	expect(b, "deflate-them", COMPRESSED_PAGES, send(b, HC_BALLOON_DEFLATE, gfns, COMPRESSED_PAGES));
	int64_t nonzero = 0;
	for (uint64_t i = 0; i < COMPRESSED_PAGES; i++)
		nonzero += nonzero_words(gfns[i]);
	expect(b, "deflated-pages-read-zero", 0, nonzero);
}

int main(const struct guest_env *env)
{
	static const char *const known[] = { "mode", NULL };
	static const char *const modes[] = { "checks", "compressed", NULL };
	enum { MODE_CHECKS, MODE_COMPRESSED };
	guest_args_check(env, known);
	unsigned mode = guest_arg_choice(env, "mode", modes);
	if (!env->hypervisor) {
		guest_printf("badballoon: no hypervisor, nothing to check\n");
		return GUEST_EXIT_OK;
	}
	struct badballoon b = { .npages = env->memory_bytes / PAGE_SIZE };
	gpa_t batch_gpa;
	guest_virt_to_phys(gva_of_ptr(batch), &batch_gpa);
	b.batch_gpa = batch_gpa.raw;
	if (mode == MODE_COMPRESSED) {
		check_compressed(&b);
		guest_printf("badballoon: %u checks, %u failed\n", b.checks, b.failed);
		return b.failed ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
	}
	make_pages(&b);
	check_headers(&b, env->memory_bytes);
	check_gfns(&b);
	check_states(&b);
	check_cap(&b);
	guest_printf("badballoon: %u checks, %u failed; %u batches refused; inflated %llu pages, "
		     "deflated %llu, touched %llu ballooned\n",
		     b.checks, b.failed, b.refused, (unsigned long long)b.inflated, (unsigned long long)b.deflated,
		     (unsigned long long)b.touched);
	return b.failed ? GUEST_EXIT_FAILED : GUEST_EXIT_OK;
}
