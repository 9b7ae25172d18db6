/* vmm/zswap/compress.c — the page codec: greedy LZ77 with a one-probe hash
 * table and a repeat-offset code (format and rationale in compress.h).
 * Greedy, not lazy: looking one byte further for a better match gained
 * about 2% on real pages but cost a third of the speed (measured with
 * tools/benchmarks/zswap_bench.c). The decoder's speed comes from fixed
 * 8-byte copies (LZ4's "wild copies", Collet's lz4.c) inside margins of
 * its own buffers, described in compress.h, and from few branches on
 * data: the search tests its two candidates before one branch, the
 * decoder reads a match's fields before it looks at R. Each choice here
 * was measured with the benchmark against LZ4 in the same run (README,
 * "Benchmarks", lists what each bought).
 *
 * Byte order: the 32/64-bit loads below compare bytes by equality and
 * count equal bytes from the lowest address up, which is x86's
 * little-endian order. __builtin_memcpy with a constant size compiles to
 * one unaligned load or store, even in the kernel's -fno-builtin build. */
#include "vmm/zswap/compress.h"
#include "kernel/errno.h"
#include "kernel/unaligned.h"

#define MIN_MATCH 4           /* shortest match that carries an offset word    */
#define MIN_REP_MATCH 4       /* shortest match that reuses the last offset: 3-byte
                                 repeats saved binaries 0.6% of their size and cost
                                 the decoder 3% more sequences, each dearer than that */
#define WINDOW 4096           /* offsets are 12 bits: the whole page            */
#define TOKEN_LIT_SHIFT 4
#define TOKEN_REP BIT(3)
#define TOKEN_MMM_MASK 7u
#define LIT_FIELD_MAX 15u     /* LLLL = 15: extension bytes follow              */
#define REP_LITERALS 1u       /* R=1: the one literal count it has (LLLL is length) */
#define MATCH_FIELD_MAX 127u  /* MHI:MMM or LLLL:MMM = 127: extension bytes follow */
#define MHI_SHIFT 3           /* MHI (or R=1's LLLL) holds match-length bits 6..3 */
#define OFFSET_WORD_MHI_SHIFT 12
#define OFFSET_WORD_MASK 0xfffu
#define EXT_CONTINUE 255u     /* an extension byte of 255 means "more follow"   */
#define SEARCH_TAIL 8         /* the last bytes go as literals: room for 8-byte loads */
#define SKIP_SHIFT 4          /* after 16 misses in a row step 2, after 32 step 3 ... (LZ4's
                                 acceleration, twice as eager: incompressible data is passed
                                 over fast; 7% faster on binaries for 2% of their ratio) */
#define OFFSET_COST 2         /* bytes an offset word costs over a repeat-offset match */
#define MIN_GAIN 2            /* a match must save 2 bytes: a 4-byte match with an offset
                                 word saves 1 but costs the decoder a whole sequence; passing
                                 them over decodes real pages ~10% faster for ~1% of ratio */
#define NEW_MATCH_MIN (MIN_MATCH + 1) /* a new offset saves MIN_GAIN from here */
#define REP_BYTES_MASK ((uint32_t)((1ull << (8 * MIN_REP_MATCH)) - 1))
#define REP_AT 1              /* the repeat offset is tried this far past a match's end  */
#define FIRST_REP 1            /* the repeat offset before any match (ip starts at 1)  */
_Static_assert(REP_AT == REP_LITERALS, "a repeat found REP_AT past a match is sent as R=1");
#define HASH_MUL 0x9e3779b97f4a7c15ull /* Knuth's multiplicative hash: 2^64 / golden ratio */
#define CHUNK 8               /* bytes per copy step                             */
#define DECOMPRESS_OUTPUT_MAX (1u << 30)

static inline void copy_chunk(uint8_t *dst, const uint8_t *src)
{
	uint64_t v;
	__builtin_memcpy(&v, src, CHUNK);
	__builtin_memcpy(dst, &v, CHUNK);
}

/* Copies exactly n bytes (the areas do not overlap). */
static void copy_exact(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (; n >= CHUNK; n -= CHUNK, dst += CHUNK, src += CHUNK)
		copy_chunk(dst, src);
	while (n--)
		*dst++ = *src++;
}

/* The table's hash of the NEW_MATCH_MIN bytes at a position: the low
 * bytes of seq moved to the top (no others count), times 2^64 / golden
 * ratio (Knuth's multiplicative hash), the top bits. Five bytes, not
 * four: a new offset needs five equal bytes to be taken, and positions
 * that share only four no longer push each other out of the table. */
static inline uint32_t hash_seq(uint64_t seq)
{
	return (uint32_t)(((seq << (64 - 8 * NEW_MATCH_MIN)) * HASH_MUL) >> (64 - COMPRESS_HASH_BITS));
}

/* How many bytes from a and b (b < a) are equal, stopping at end. */
static inline uint32_t common_length(const uint8_t *a, const uint8_t *b, const uint8_t *end)
{
	const uint8_t *start = a;
	while (a + CHUNK <= end) {
		uint64_t diff = load64(a) ^ load64(b);
		if (diff)
			return (uint32_t)(a - start) + (uint32_t)(__builtin_ctzll(diff) >> 3);
		a += CHUNK;
		b += CHUNK;
	}
	while (a < end && *a == *b) {
		a++;
		b++;
	}
	return (uint32_t)(a - start);
}

/* ---- compression ------------------------------------------------------ */

/* Bytes a match saves over sending it as literals; `is_rep`: it is sent
 * as R=1 (its offset repeats the last one, and exactly one literal
 * precedes it). */
static inline int32_t match_gain(uint32_t len, bool is_rep)
{
	return (int32_t)len - 1 - (is_rep ? 0 : OFFSET_COST);
}

static inline uint8_t *put_extension(uint8_t *op, uint32_t rest)
{
	for (; rest >= EXT_CONTINUE; rest -= EXT_CONTINUE)
		*op++ = EXT_CONTINUE;
	*op++ = (uint8_t)rest;
	return op;
}

/* The most bytes a token with n literals takes, and a whole sequence
 * with n literals and a match of len. */
static inline size_t literals_bound(size_t n)
{
	return 1 + n + (n >= LIT_FIELD_MAX ? (n - LIT_FIELD_MAX) / EXT_CONTINUE + 1 : 0);
}

/* The bytes put_match() writes behind a token, exactly: the offset word
 * (unless the offset repeats) and the length's extension bytes. Exact, so
 * that a page gives up only when its compressed form cannot fit. */
static inline size_t match_bytes(uint32_t len, bool is_rep)
{
	return (is_rep ? 0 : OFFSET_COST) +
	       (len - MIN_MATCH >= MATCH_FIELD_MAX ? (len - MIN_MATCH - MATCH_FIELD_MAX) / EXT_CONTINUE + 1 : 0);
}

/* Writes a token's literal count (LLLL and extension bytes) and the n
 * literals; returns where the output goes on. In chunks when `room`
 * (the output's) and `lit_room` (the input's, from lit) leave 2 * CHUNK
 * bytes past them (the last chunk's extra bytes are overwritten by what
 * follows), exactly otherwise. */
static inline uint8_t *put_literals(uint8_t *token, const uint8_t *lit, uint32_t n, size_t room, size_t lit_room)
{
	uint8_t *op = token + 1;
	*token = (uint8_t)(MIN(n, LIT_FIELD_MAX) << TOKEN_LIT_SHIFT);
	if (n >= LIT_FIELD_MAX)
		op = put_extension(op, n - LIT_FIELD_MAX);
	if (room >= literals_bound(n) + 2 * CHUNK && n + 2 * CHUNK <= lit_room) {
		/* Most runs are short: two fixed chunks, a loop only past them. */
		copy_chunk(op, lit);
		copy_chunk(op + CHUNK, lit + CHUNK);
		for (uint32_t i = 2 * CHUNK; i < n; i += CHUNK)
			copy_chunk(op + i, lit + i);
	} else {
		copy_exact(op, lit, n);
	}
	return op + n;
}

/* The match part of a sequence behind its token. */
static inline uint8_t *put_match(uint8_t *token, uint8_t *op, uint32_t len, uint32_t offset, bool is_rep)
{
	uint32_t v = len - MIN_MATCH, field = MIN(v, MATCH_FIELD_MAX);
	if (is_rep) {
		/* LLLL (put_literals() wrote REP_LITERALS there) is length now. */
		*token = (uint8_t)((field >> MHI_SHIFT) << TOKEN_LIT_SHIFT | TOKEN_REP | (field & TOKEN_MMM_MASK));
		return v >= MATCH_FIELD_MAX ? put_extension(op, v - MATCH_FIELD_MAX) : op;
	}
	uint32_t word = (offset - 1) | (field >> MHI_SHIFT) << OFFSET_WORD_MHI_SHIFT;
	*token |= (uint8_t)(field & TOKEN_MMM_MASK);
	op[0] = (uint8_t)word;
	op[1] = (uint8_t)(word >> 8);
	op += OFFSET_COST;
	return v >= MATCH_FIELD_MAX ? put_extension(op, v - MATCH_FIELD_MAX) : op;
}

/* Empties the table with 8-byte stores, four a turn: the kernel's
 * memset() goes a byte at a time. Stale entries would be harmless (every candidate is
 * compared), but a fresh table keeps the output a function of the input. */
static void clear_table(struct compress_work *work)
{
	for (size_t i = 0; i < ARRAY_SIZE(work->words); i += 4) {
		work->words[i] = 0;
		work->words[i + 1] = 0;
		work->words[i + 2] = 0;
		work->words[i + 3] = 0;
	}
}

size_t compress_block(const void *src_, size_t len, void *dst, size_t cap, struct compress_work *work)
{
	if (len > COMPRESS_BLOCK_MAX)
		return 0;
	const uint8_t *const src = src_, *const end = src + len;
	const uint8_t *search_end = len > SEARCH_TAIL ? end - SEARCH_TAIL : src, *anchor = src;
	uint8_t *op = dst, *const oend = op + cap;
	uint16_t *const table = work->table;
	uint32_t rep = FIRST_REP; /* the last match's offset */
	clear_table(work);
	const uint8_t *ip = src + 1;
	uint32_t misses = 0;
	while (ip < search_end) {
		/* One probe: the repeat offset, and the one candidate the
		 * hash table remembers (it may be stale: the bytes are
		 * compared). ip goes into the table either way. Both tests
		 * are computed before one branch on "anything at all": most
		 * positions have neither, and a branch per test would be
		 * mispredicted where they are mixed. A candidate counts
		 * only with NEW_MATCH_MIN bytes equal (a shorter one with an
		 * offset word would not save MIN_GAIN bytes): the shift keeps
		 * just their differences. */
		uint64_t seq = load64(ip);
		uint32_t word = (uint32_t)seq, pos = (uint32_t)(ip - src);
		uint16_t *slot = &table[hash_seq(seq)];
		const uint8_t *cand = src + *slot;
		*slot = (uint16_t)pos;
		bool rep_hit = ip == anchor + REP_AT && !((load32(ip - rep) ^ word) & REP_BYTES_MASK);
		bool cand_hit = !((load64(cand) ^ seq) << (64 - 8 * NEW_MATCH_MIN));
		if (!(rep_hit | cand_hit)) {
			ip += 1 + (++misses >> SKIP_SHIFT);
			continue;
		}
		uint32_t mlen = 0, offset = rep;
		if (rep_hit)
			mlen = MIN_REP_MATCH + common_length(ip + MIN_REP_MATCH, ip + MIN_REP_MATCH - rep, end);
		if (cand_hit) {
			uint32_t flen = NEW_MATCH_MIN + common_length(ip + NEW_MATCH_MIN, cand + NEW_MATCH_MIN, end);
			uint32_t foff = (uint32_t)(ip - cand);
			/* A repeat is found REP_AT = REP_LITERALS past the last
			 * match: when rep_hit, both come after one literal. */
			if (!rep_hit || match_gain(flen, foff == rep) > match_gain(mlen, true)) {
				mlen = flen;
				offset = foff;
			}
		}
		misses = 0;
		/* A match may also reach backwards over literals not yet sent. */
		while (ip > anchor && ip - offset > src && ip[-1] == ip[-1 - (ptrdiff_t)offset]) {
			ip--;
			mlen++;
		}
		uint32_t n = (uint32_t)(ip - anchor);
		bool is_rep = offset == rep && n == REP_LITERALS;
		size_t room = (size_t)(oend - op);
		/* The exact count (two divisions) only when the room is
		 * close: each extension byte stands for 255 of a length. */
		if (room < n + (n + mlen) / 128 + 8 && literals_bound(n) + match_bytes(mlen, is_rep) > room)
			return 0;
		uint8_t *token = op;
		op = put_literals(token, anchor, n, room, (size_t)(end - anchor));
		op = put_match(token, op, mlen, offset, is_rep);
		rep = offset;
		ip = anchor = ip + mlen;
		/* Remember a position near the match's end, where the next
		 * search would otherwise find nothing in the table (as LZ4
		 * does). */
		if (ip < search_end)
			table[hash_seq(load64(ip - 2))] = (uint16_t)(ip - 2 - src);
	}
	uint32_t n = (uint32_t)(end - anchor);
	if (literals_bound(n) > (size_t)(oend - op))
		return 0;
	op = put_literals(op, anchor, n, 0, 0);
	return (size_t)(op - (uint8_t *)dst);
}

/* ---- decompression ---------------------------------------------------- */

/* Margins of the fast path (compress.h, "Decoding speed, and where it
 * writes"): a sequence with under 15 literals whose token starts at least
 * FAST_IN + 1 bytes before the input's end while the output has
 * FAST_OUT bytes left has its literals copied as two fixed chunks, and a match
 * of up to 4 chunks from at least a chunk back as four: every byte read or
 * written is inside the two buffers, and the bytes past the literals and
 * the match are overwritten by what follows. This is the "wild copy" of
 * LZ4's decoder (lz4.c), with the margin inside the page instead of past
 * it. */
#define FAST_IN (1 + 2 * CHUNK + OFFSET_COST)  /* token, 16 bytes read, offset word */
#define FAST_OUT (6 * CHUNK)   /* 16 bytes of literals, 32 of match */

/* Adds extension bytes to *len. False if the input ends first or the
 * length passes `limit` (so a run of 255s cannot overflow anything). */
static bool get_extension(const uint8_t **ipp, const uint8_t *iend, uint32_t *len, size_t limit)
{
	const uint8_t *ip = *ipp;
	uint8_t b;
	do {
		if (ip == iend)
			return false;
		b = *ip++;
		*len += b;
		if (*len > limit)
			return false;
	} while (b == EXT_CONTINUE);
	*ipp = ip;
	return true;
}

/* get_extension() with its common case inline: one byte under 255 (on
 * binaries an eighth of the sequences have one after their literals and
 * as many after their match; a run of 255s is rare). */
static inline __attribute__((always_inline)) bool add_extension(const uint8_t **ipp, const uint8_t *iend,
								uint32_t *len, size_t limit)
{
	const uint8_t *ip = *ipp;
	if (ip < iend && *ip != EXT_CONTINUE) {
		*len += *ip;
		*ipp = ip + 1;
		return *len <= limit;
	}
	return get_extension(ipp, iend, len, limit);
}

/* Copies n bytes from src to dst, reading and writing at most `room`
 * bytes from each (room >= n): four chunks a turn while that much room is
 * left, then single chunks, then bytes. The bytes written past n (up to
 * 4 * CHUNK - 1, inside room) are overwritten by what follows. The areas
 * may overlap when dst - src >= CHUNK: each chunk then reads only bytes
 * written before it. A long copy loops a quarter as often as chunk by
 * chunk (its loop's exit is the branch that is mispredicted). */
#define WIDE (4 * CHUNK)
static inline void copy_wide(uint8_t *dst, const uint8_t *src)
{
	copy_chunk(dst, src);
	copy_chunk(dst + CHUNK, src + CHUNK);
	copy_chunk(dst + 2 * CHUNK, src + 2 * CHUNK);
	copy_chunk(dst + 3 * CHUNK, src + 3 * CHUNK);
}

static inline void copy_within(uint8_t *dst, const uint8_t *src, size_t n, size_t room)
{
	size_t i = 0;
	for (; i < n && room - i >= WIDE; i += WIDE)
		copy_wide(dst + i, src + i);
	for (; i < n && room - i >= CHUNK; i += CHUNK)
		copy_chunk(dst + i, src + i);
	for (; i < n; i++)
		dst[i] = src[i];
}

/* For an offset under CHUNK: the smallest multiple of it that is at least
 * CHUNK. Once that many bytes of the pattern are written, the rest repeats
 * them from that far back, a chunk at a time. */
static const uint8_t pattern_distance[CHUNK] = { 0, 8, 8, 9, 8, 10, 12, 14 };

/* The first CHUNK bytes of a match whose offset is under CHUNK, as one
 * word: the `offset` bytes before op, repeated (doubling by shifts; the
 * bytes loaded past them are masked off). Reads CHUNK bytes from
 * op - offset: the caller has CHUNK bytes of room at op. */
static inline uint64_t pattern_word(const uint8_t *op, uint32_t offset)
{
	uint32_t bits = 8 * offset;
	uint64_t p = load64(op - offset) & ((1ull << bits) - 1);
	p |= p << bits;                        /* 2 x offset bytes: >= 2 */
	p |= bits * 2 < 64 ? p << (bits * 2) : 0; /* 4 x: >= 4           */
	p |= bits * 4 < 64 ? p << (bits * 4) : 0; /* 8 x: offset 1       */
	return p;
}

/* Copies a match of len bytes from offset back (op - ostart >= offset,
 * oend - op >= len), in chunks while there is room (copy_within). */
static inline void copy_match(uint8_t *op, uint32_t len, uint32_t offset, const uint8_t *oend)
{
	size_t room = (size_t)(oend - op);
	if (offset < CHUNK) {
		/* The pattern's first CHUNK bytes as one word; then the rest
		 * repeats them from pattern_distance back, a chunk at a time. */
		if (len < CHUNK || room < CHUNK) {
			const uint8_t *from = op - offset;
			for (uint32_t i = 0; i < len; i++)
				op[i] = from[i];
			return;
		}
		uint64_t p = pattern_word(op, offset);
		__builtin_memcpy(op, &p, CHUNK);
		copy_within(op + CHUNK, op + CHUNK - pattern_distance[offset], len - CHUNK, room - CHUNK);
		return;
	}
	copy_within(op, op - offset, len, room);
}

/* Literals whose count needs extension bytes, or near the buffers' ends:
 * the count (extension bytes included) checked against both buffers.
 * Far from both ends (WIDE bytes of room past them in each) they go a
 * WIDE block a turn with no other test, and then the offset word is
 * inside the input and a fast match fits in the output. */
static inline __attribute__((always_inline)) bool copy_literals_checked(const uint8_t **ipp, const uint8_t *iend,
									uint8_t **opp, const uint8_t *oend, uint32_t n)
{
	const uint8_t *ip = *ipp;
	uint8_t *op = *opp;
	if (n == LIT_FIELD_MAX &&
	    !add_extension(&ip, iend, &n, MIN((size_t)(iend - ip), (size_t)(oend - op))))
		return false;
	size_t room = MIN((size_t)(iend - ip), (size_t)(oend - op));
	if (n + WIDE <= room) {
		for (uint32_t i = 0; i < n; i += WIDE)
			copy_wide(op + i, ip + i);
	} else {
		if (n > room)
			return false;
		copy_within(op, ip, n, room);
	}
	*ipp = ip + n;
	*opp = op + n;
	return true;
}

/* A sequence's match after its literals: the offset (the word that
 * follows, or the repeated one) and the length, extension bytes included,
 * at most `room`. The caller has checked that an offset word is inside the
 * input. False on a malformed extension. Inlined: it is on the swap-in
 * path, in the decoder's loop, twice. */
static inline __attribute__((always_inline)) bool read_match(const uint8_t **ipp, const uint8_t *iend,
							     uint8_t token, uint32_t field, uint32_t rep,
							     size_t room, uint32_t *offset, uint32_t *len)
{
	if (token & TOKEN_REP) {
		*offset = rep;
		field |= (uint32_t)(token >> TOKEN_LIT_SHIFT) << MHI_SHIFT;
		*len = field + MIN_MATCH;
		return field != MATCH_FIELD_MAX || get_extension(ipp, iend, len, room);
	}
	const uint8_t *ip = *ipp;
	uint32_t word = ip[0] | (uint32_t)ip[1] << 8;
	*ipp = ip + OFFSET_COST;
	*offset = (word & OFFSET_WORD_MASK) + 1;
	field |= (word >> OFFSET_WORD_MHI_SHIFT) << MHI_SHIFT;
	*len = field + MIN_MATCH;
	return field != MATCH_FIELD_MAX || get_extension(ipp, iend, len, room);
}

/* A match checked against the output (its offset reaches no further
 * back than the output's start, its length fits), then copied. */
static inline bool copy_match_checked(uint8_t *op, const uint8_t *ostart, const uint8_t *oend, uint32_t offset,
				      uint32_t len)
{
	if (offset > (size_t)(op - ostart) || len > (size_t)(oend - op))
		return false;
	copy_match(op, len, offset, oend);
	return true;
}

int decompress_block(const void *src, size_t src_len, void *dst, size_t dst_len)
{
	const uint8_t *ip = src, *const iend = ip + src_len;
	uint8_t *op = dst, *const ostart = dst, *const oend = op + dst_len;
	uint32_t rep = FIRST_REP;
	if (dst_len > DECOMPRESS_OUTPUT_MAX)
		return -E_RANGE; /* keeps every length sum far from overflowing */
	/* The fast path runs while ip (past the token) is before ifast and
	 * op before ofast: FAST_IN and FAST_OUT bytes or more to the ends.
	 * Buffers too small for that get limits at their starts, which ip
	 * (past a token) and op never are before. */
	const uint8_t *const ifast = src_len > FAST_IN ? iend - FAST_IN + 1 : ip;
	const uint8_t *const ofast = dst_len > FAST_OUT ? oend - FAST_OUT + 1 : op;
	for (;;) {
		if (ip == iend)
			return -E_CORRUPT; /* the block ended inside a sequence */
		uint32_t token = *ip++;
		bool has_word = !(token & TOKEN_REP);
		uint32_t n = has_word ? token >> TOKEN_LIT_SHIFT : REP_LITERALS;
		uint32_t field = token & TOKEN_MMM_MASK, len, offset;
		if (n < LIT_FIELD_MAX && ip < ifast && op < ofast) {
			/* The common case: two fixed chunks of literals; the
			 * offset word (if any) is inside the input, and this
			 * is not the last sequence (it ends 2 bytes early). */
			copy_chunk(op, ip);
			copy_chunk(op + CHUNK, ip + CHUNK);
			op += n;
			ip += n;
		} else {
			/* Long literals (copied four chunks a turn), or near
			 * an end. The match goes the fast way below when its
			 * offset word is inside the input and 4 chunks fit in
			 * the output, the checked way otherwise. */
			if (!copy_literals_checked(&ip, iend, &op, oend, n))
				return -E_CORRUPT;
			if (ip == iend) /* the last sequence: literals only */
				return (token & (TOKEN_REP | TOKEN_MMM_MASK)) || op != oend ? -E_CORRUPT : 0;
			if (iend - ip < OFFSET_COST || oend - op < 4 * CHUNK) {
				if (!(token & TOKEN_REP) && iend - ip < OFFSET_COST)
					return -E_CORRUPT;
				if (!read_match(&ip, iend, token, field, rep, (size_t)(oend - op), &offset, &len) ||
				    !copy_match_checked(op, ostart, oend, offset, len))
					return -E_CORRUPT;
				op += len;
				rep = offset;
				continue;
			}
		}
		/* The match's fields: the offset word is read either way
		 * (inside the input, checked above) and R selects what
		 * counts. The compiler's branch on R measured faster than
		 * selecting without one (by masks, or from a two-entry
		 * table), even on binaries, where R changes most often. */
		uint32_t word = ip[0] | (uint32_t)ip[1] << 8;
		uint32_t woff = (word & OFFSET_WORD_MASK) + 1;
		uint32_t high = has_word ? word >> OFFSET_WORD_MHI_SHIFT : token >> TOKEN_LIT_SHIFT;
		offset = has_word ? woff : rep;
		field |= high << MHI_SHIFT;
		ip += has_word ? OFFSET_COST : 0;
		len = field + MIN_MATCH;
		if (field == MATCH_FIELD_MAX &&
		    !add_extension(&ip, iend, &len, (size_t)(oend - op)))
			return -E_CORRUPT;
		/* A match of up to 4 chunks from at least a chunk back: four
		 * fixed chunks, inside the output's margin (each reads only
		 * bytes written before it), no branch on its length to
		 * mispredict. */
		if (len <= 4 * CHUNK && offset >= CHUNK && offset <= (size_t)(op - ostart)) {
			const uint8_t *from = op - offset;
			copy_chunk(op, from);
			copy_chunk(op + CHUNK, from + CHUNK);
			copy_chunk(op + 2 * CHUNK, from + 2 * CHUNK);
			copy_chunk(op + 3 * CHUNK, from + 3 * CHUNK);
		} else if (!copy_match_checked(op, ostart, oend, offset, len)) {
			return -E_CORRUPT;
		}
		op += len;
		rep = offset;
	}
}
