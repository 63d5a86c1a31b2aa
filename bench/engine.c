/* aegw-bench engine: packets per second per core of the SRTP engine, per
 * suite x payload x operation, for four implementations measured in the
 * same run: aegw on ipsec-mb, aegw on OpenSSL, libsrtp2, and the floor
 * (the raw ipsec-mb crypto aegw submits, with no SRTP logic).
 *
 * Method. Packets are processed in bursts of 32 across many streams
 * (--streams, default 1024), visited in a fixed random permutation, so no
 * stream is hot. A round is n_streams x per_stream packets (about 1024,
 * at least one per stream) laid out in consumption order. Before each round
 * the pool is refilled, outside the timed region: plaintext for protect;
 * for unprotect and relay, packets freshly protected by a separate
 * generator (aegw on ipsec-mb) with the next sequence numbers, so every
 * measured packet carries a new index and passes the replay check. Every
 * implementation gets fresh state and the same packets; the timed region
 * is only the protect/unprotect/relay calls, timed with CLOCK_MONOTONIC
 * around each whole round; rounds repeat until --seconds of timed work,
 * and the rate is round size / median round time, so rounds another
 * process interrupted do not count. Every round's per-packet status is
 * counted: a single failure aborts the benchmark, and the warm-up round's
 * output (lengths, decrypted plaintext) is checked. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "bench.h"
#include "engine.h"

enum { ROUND_PKTS = 1024, MAX_PER_STREAM = 64, MAX_PAYLOAD = 1400 };

static const unsigned default_payloads[] = { 20, 160, 1200 };
static const char *const op_names[OP_COUNT] = { "protect", "unprotect",
						"relay" };

struct options {
	double seconds;
	unsigned streams;
	int csv;
	int quick;
	int suite;   /* -1: all */
	unsigned payload; /* 0: all */
	int op;      /* -1: all */
	int impl;    /* -1: all */
};

/* Results of one cell; pps -1 when the implementation is n/a, -3 when it
 * was not asked for (--impl). */
struct result {
	double pps[IMPL_COUNT];
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64*: deterministic keys and permutation. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void rng_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng() >> 32);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: aegw-bench engine [options]\n"
		"  --seconds S    timed seconds per implementation and cell "
		"(default 0.2)\n"
		"  --streams N    streams packets are spread over (default "
		"1024)\n"
		"  --suite NAME   only this suite (SDES name, e.g. "
		"AES_CM_128_HMAC_SHA1_80)\n"
		"  --payload N    only this RTP payload size in bytes "
		"(default: 20, 160, 1200)\n"
		"  --op OP        only protect, unprotect or relay\n"
		"  --impl NAME    only aegw-ipsecmb, aegw-openssl, libsrtp2 or "
		"floor\n"
		"  --csv          CSV: suite,payload,op,impl,pps\n"
		"  --quick        tiny run for CI smoke tests\n"
		"environment: AEGW_IMB_ARCH=sse|avx|avx2|avx512 picks the "
		"ipsec-mb manager (aegw and floor alike)\n");
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "streams", required_argument, NULL, 'n' },
		{ "suite", required_argument, NULL, 'S' },
		{ "payload", required_argument, NULL, 'p' },
		{ "op", required_argument, NULL, 'o' },
		{ "impl", required_argument, NULL, 'i' },
		{ "csv", no_argument, NULL, 'c' },
		{ "quick", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int seconds_set = 0, streams_set = 0, ch;
	enum aegw_suite suite;
	char *end;

	*o = (struct options){ .seconds = 0.2, .streams = 1024, .suite = -1,
			       .op = -1, .impl = -1 };
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o->seconds = strtod(optarg, &end);
			if (!*optarg || *end || !(o->seconds > 0) ||
			    o->seconds > 60) {
				fprintf(stderr, "aegw-bench engine: bad "
						"--seconds '%s'\n", optarg);
				return 2;
			}
			seconds_set = 1;
			break;
		case 'n':
			if (parse_uint(optarg, 1, 1u << 20, &o->streams)) {
				fprintf(stderr, "aegw-bench engine: bad "
						"--streams '%s'\n", optarg);
				return 2;
			}
			streams_set = 1;
			break;
		case 'S':
			if (aegw_suite_from_name(optarg, &suite)) {
				fprintf(stderr, "aegw-bench engine: unknown "
						"suite '%s'\n", optarg);
				return 2;
			}
			o->suite = (int)suite;
			break;
		case 'p':
			if (parse_uint(optarg, 1, MAX_PAYLOAD, &o->payload)) {
				fprintf(stderr, "aegw-bench engine: bad "
						"--payload '%s' (1..%u)\n",
					optarg, (unsigned)MAX_PAYLOAD);
				return 2;
			}
			break;
		case 'o':
			o->op = -1;
			for (int i = 0; i < OP_COUNT; i++)
				if (!strcmp(optarg, op_names[i]))
					o->op = i;
			if (o->op < 0) {
				fprintf(stderr, "aegw-bench engine: bad --op "
						"'%s' (protect, unprotect, "
						"relay)\n", optarg);
				return 2;
			}
			break;
		case 'i':
			o->impl = -1;
			for (int i = 0; i < IMPL_COUNT; i++)
				if (!strcmp(optarg, bench_impls[i].name))
					o->impl = i;
			if (o->impl < 0) {
				fprintf(stderr, "aegw-bench engine: bad --impl "
						"'%s' (aegw-ipsecmb, aegw-openssl, "
						"libsrtp2, floor)\n", optarg);
				return 2;
			}
			break;
		case 'c':
			o->csv = 1;
			break;
		case 'q':
			o->quick = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aegw-bench engine: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o->quick) {
		if (!seconds_set)
			o->seconds = 0.002;
		if (!streams_set)
			o->streams = 64;
	}
	return -1;
}

/* ---- one cell ---------------------------------------------------------- */

static void write_plain(const struct cell *c, unsigned j, uint16_t seq,
			const uint8_t *payload)
{
	uint8_t *p = c->pool + (size_t)j * c->slot;
	uint32_t ssrc = bench_ssrc(c->stream_of[j]), ts = (uint32_t)seq * 160u;

	p[0] = 0x80;
	p[1] = c->payload <= 20 ? 18 : c->payload <= 160 ? 0 : 96;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
		p[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
	memcpy(p + AEGW_RTP_HDR_LEN, payload, c->payload);
	c->pkts[j].data = p;
	c->pkts[j].len = AEGW_RTP_HDR_LEN + c->payload;
	c->pkts[j].size = (uint32_t)c->slot;
}

/* Refills the pool for the next round (not timed). */
static int prepare_round(struct cell *c, uint32_t *next_seq,
			 struct aegw_srtp_engine *gen_eng,
			 struct aegw_srtp_stream *const *gen,
			 const uint8_t *payload)
{
	struct aegw_srtp_stream *bs[BENCH_BURST];
	int status[BENCH_BURST];

	for (unsigned j = 0; j < c->n_pkts; j++)
		write_plain(c, j, (uint16_t)next_seq[c->stream_of[j]]++,
			    payload);
	if (c->op == OP_PROTECT)
		return 0;
	for (unsigned off = 0; off < c->n_pkts; off += BENCH_BURST) {
		unsigned k = c->n_pkts - off < BENCH_BURST ? c->n_pkts - off :
							     BENCH_BURST;
		for (unsigned i = 0; i < k; i++)
			bs[i] = gen[c->stream_of[off + i]];
		if (aegw_srtp_protect_burst(gen_eng, bs, c->pkts + off, status,
					    k) != k) {
			for (unsigned i = 0; i < k; i++)
				if (status[i]) {
					fprintf(stderr, "aegw-bench: generator "
							"failed: %s\n",
						aegw_strerror(status[i]));
					break;
				}
			return -1;
		}
	}
	return 0;
}

/* Checks what came out of a round, once per cell. */
static int verify_round(const struct cell *c, enum bench_impl impl,
			const uint8_t *payload)
{
	unsigned tag = c->si->rtp_tag_len;
	uint32_t want;

	if (impl == IMPL_FLOOR)
		return 0; /* status only: the floor has no SRTP semantics */
	want = AEGW_RTP_HDR_LEN + c->payload + (c->op == OP_UNPROTECT ? 0 : tag);
	for (unsigned j = 0; j < c->n_pkts; j++) {
		const struct aegw_srtp_pkt *p = &c->pkts[j];
		if (p->len != want) {
			fprintf(stderr, "aegw-bench: %s: packet %u has length "
					"%u, expected %u\n",
				bench_impls[impl].name, j, p->len, want);
			return -1;
		}
		if (c->op == OP_UNPROTECT &&
		    memcmp(p->data + AEGW_RTP_HDR_LEN, payload, c->payload)) {
			fprintf(stderr, "aegw-bench: %s: packet %u decrypted "
					"to the wrong plaintext\n",
				bench_impls[impl].name, j);
			return -1;
		}
	}
	return 0;
}

static void free_streams(struct aegw_srtp_stream **v, unsigned n)
{
	if (!v)
		return;
	for (unsigned i = 0; i < n; i++)
		aegw_srtp_stream_free(v[i]);
	free(v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One implementation's part of a cell: its state, its own generator
 * (a sender whose indices follow what this implementation has seen), its
 * sequence numbers and the times of its timed rounds. */
struct impl_run {
	enum bench_impl impl;
	void *st;
	struct aegw_srtp_stream **gen;
	uint32_t *next;
	double *times;
	size_t n_times, cap;
	double elapsed;
	double pps; /* -1 n/a, -2 failed, -3 not run */
};

static void impl_run_close(struct impl_run *r, const struct cell *c)
{
	if (r->st)
		bench_impls[r->impl].teardown(r->st, c);
	if (r->gen)
		free_streams(r->gen, c->n_streams);
	free(r->next);
	free(r->times);
	r->st = NULL;
	r->gen = NULL;
	r->next = NULL;
	r->times = NULL;
}

/* Fresh state and a fresh generator. 0, or sets r->pps (-1 n/a, -2). */
static int impl_run_open(struct impl_run *r, const struct cell *c,
			 const uint32_t *seq_start,
			 struct aegw_srtp_engine *gen_eng)
{
	const struct impl_ops *ops = &bench_impls[r->impl];
	int rc;

	r->pps = -2;
	r->next = malloc(c->n_streams * sizeof(*r->next));
	if (!r->next)
		return -1;
	memcpy(r->next, seq_start, c->n_streams * sizeof(*r->next));
	if (c->op != OP_PROTECT) {
		r->gen = calloc(c->n_streams, sizeof(*r->gen));
		if (!r->gen)
			return -1;
		for (unsigned i = 0; i < c->n_streams; i++) {
			r->gen[i] = bench_aegw_stream(gen_eng, c->suite,
						      &c->key_a[i]);
			if (!r->gen[i])
				return -1;
		}
	}
	/* A setup that fails leaves what it made in r->st for the
	 * teardown in impl_run_close. */
	rc = ops->setup(c, &r->st);
	if (rc) {
		if (rc > 0)
			r->pps = -1;
		else
			fprintf(stderr, "aegw-bench: %s: setup failed\n",
				ops->name);
		return -1;
	}
	return 0;
}

/* Refills the pool (not timed) and runs one round: its time, or -1 if a
 * packet failed. */
static double impl_run_round(struct impl_run *r, struct cell *c,
			     struct aegw_srtp_engine *gen_eng,
			     const uint8_t *payload)
{
	const struct impl_ops *ops = &bench_impls[r->impl];
	const char *first_err = NULL;
	unsigned good;
	double t0, t1;

	if (prepare_round(c, r->next, gen_eng, r->gen, payload))
		return -1;
	t0 = now();
	good = ops->run(r->st, c, &first_err);
	t1 = now();
	if (good != c->n_pkts) {
		fprintf(stderr, "aegw-bench: %s %s %u B %s: %u of %u packets "
				"failed (%s)\n",
			ops->name, c->si->name, c->payload, op_names[c->op],
			c->n_pkts - good, c->n_pkts,
			first_err ? first_err : "?");
		return -1;
	}
	return t1 - t0;
}

static int impl_run_keep(struct impl_run *r, double dt)
{
	if (r->n_times == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		double *t = realloc(r->times, cap * sizeof(*t));

		if (!t)
			return -1;
		r->times = t;
		r->cap = cap;
	}
	r->times[r->n_times++] = dt;
	r->elapsed += dt;
	return 0;
}

/* A slice: one round to warm the caches up again after the other
 * implementations' slices (not counted), then timed rounds for about
 * slice_s seconds. */
static int impl_run_slice(struct impl_run *r, struct cell *c,
			  struct aegw_srtp_engine *gen_eng,
			  const uint8_t *payload, double slice_s)
{
	double spent = 0, dt;

	if (impl_run_round(r, c, gen_eng, payload) < 0)
		return -1;
	do {
		dt = impl_run_round(r, c, gen_eng, payload);
		if (dt < 0 || impl_run_keep(r, dt))
			return -1;
		spent += dt;
	} while (spent < slice_s);
	return 0;
}

static bool impl_run_done(const struct impl_run *r, const struct options *o)
{
	return r->elapsed >= o->seconds && r->n_times >= 3;
}

/* Runs every asked-for implementation on one cell, interleaved: each
 * gets fresh state and a verified warm-up round, then they take turns in
 * slices, each ending after the round that brings its timed rounds to a
 * tenth of --seconds (20 ms at most), until each has --seconds of timed
 * rounds. A shared machine's slow spells then fall on all of
 * them alike, and the ratios compare like with like. pps is round size /
 * median round. Returns 0, or -1 if one failed. */
static int run_cell(struct cell *c, const struct options *o,
		    const uint32_t *seq_start,
		    struct aegw_srtp_engine *gen_eng, const uint8_t *payload,
		    struct result *res)
{
	struct impl_run runs[IMPL_COUNT];
	double slice_s = o->seconds / 10 < 0.02 ? o->seconds / 10 : 0.02;
	unsigned n = 0;
	bool more = true;
	int status = 0;

	for (int i = 0; i < IMPL_COUNT; i++) {
		res->pps[i] = -3;
		if (o->impl >= 0 && i != o->impl)
			continue;
		runs[n] = (struct impl_run){ .impl = (enum bench_impl)i };
		if (impl_run_open(&runs[n], c, seq_start, gen_eng) ||
		    impl_run_round(&runs[n], c, gen_eng, payload) < 0 ||
		    verify_round(c, runs[n].impl, payload)) {
			res->pps[i] = runs[n].pps;
			impl_run_close(&runs[n], c);
			if (res->pps[i] < -1.5) {
				status = -1;
				more = false;
				break;
			}
			continue;
		}
		n++;
	}
	while (more) {
		more = false;
		for (unsigned k = 0; k < n && !status; k++) {
			if (impl_run_done(&runs[k], o))
				continue;
			if (impl_run_slice(&runs[k], c, gen_eng, payload,
					   slice_s))
				status = -1;
			more = !status;
		}
	}
	for (unsigned k = 0; k < n; k++) {
		struct impl_run *r = &runs[k];

		/* The median round: robust against rounds another process
		 * interrupted. */
		res->pps[r->impl] = -2;
		if (!status) {
			qsort(r->times, r->n_times, sizeof(*r->times),
			      cmp_double);
			res->pps[r->impl] = (double)c->n_pkts /
					    r->times[r->n_times / 2];
		}
		impl_run_close(r, c);
	}
	return status;
}

/* ---- output --------------------------------------------------------------- */

static void print_mpps(double pps)
{
	if (pps < -2.5)
		printf(" %12s", "-");
	else if (pps < 0)
		printf(" %12s", "n/a");
	else
		printf(" %12.3f", pps / 1e6);
}

static void print_ratio(double a, double b, int percent)
{
	if (a < 0 || b <= 0)
		printf(" %12s", "-");
	else if (percent)
		printf(" %11.1f%%", 100.0 * a / b);
	else
		printf(" %11.2fx", a / b);
}

static void print_row(const struct cell *c, const struct result *r, int csv)
{
	if (csv) {
		for (int i = 0; i < IMPL_COUNT; i++)
			if (r->pps[i] >= 0)
				printf("%s,%u,%s,%s,%.0f\n", c->si->name,
				       c->payload, op_names[c->op],
				       bench_impls[i].name, r->pps[i]);
		fflush(stdout);
		return;
	}
	printf("%7u %-9s", c->payload, op_names[c->op]);
	for (int i = 0; i < IMPL_COUNT; i++)
		print_mpps(r->pps[i]);
	print_ratio(r->pps[IMPL_AEGW_IPSECMB], r->pps[IMPL_FLOOR], 1);
	print_ratio(r->pps[IMPL_AEGW_IPSECMB], r->pps[IMPL_LIBSRTP2], 0);
	printf("\n");
	fflush(stdout);
}

static void print_table_head(const struct aegw_suite_info *si)
{
	printf("\n%s (Mpps, one core)\n", si->name);
	printf("%7s %-9s", "payload", "op");
	for (int i = 0; i < IMPL_COUNT; i++)
		printf(" %12s", bench_impls[i].name);
	printf(" %12s %12s\n", "ipsecmb/flr", "ipsecmb/srtp");
}

/* aegw_srtp_stream_size() of one RTP stream direction with default
 * settings, per suite and backend. */
static int print_state_sizes(FILE *f)
{
	static const enum aegw_srtp_backend bes[] = {
		AEGW_SRTP_BACKEND_IPSECMB, AEGW_SRTP_BACKEND_OPENSSL };
	struct aegw_srtp_engine *eng[2];
	struct bench_key k;
	int err, over = 0;

	memset(&k, 0x5a, sizeof(k));
	for (int b = 0; b < 2; b++) {
		eng[b] = aegw_srtp_engine_create(bes[b], &err);
		if (!eng[b]) {
			fprintf(stderr, "aegw-bench: %s engine: %s\n",
				aegw_srtp_backend_name(bes[b]),
				aegw_strerror(err));
			if (b)
				aegw_srtp_engine_free(eng[0]);
			return -1;
		}
	}
	fprintf(f, "\nRuntime state per stream direction "
		   "(aegw_srtp_stream_size, RTP, 1 key, window 128; "
		   "target <= 512 B)\n");
	fprintf(f, "%-26s %10s %10s\n", "suite", "ipsec-mb", "openssl");
	for (int s = 0; s < AEGW_SUITE_COUNT; s++) {
		const struct aegw_suite_info *si = aegw_suite_info(s);
		size_t sz[2];
		fprintf(f, "%-26s", si->name);
		for (int b = 0; b < 2; b++) {
			struct aegw_srtp_stream *st =
				bench_aegw_stream(eng[b], s, &k);
			sz[b] = st ? aegw_srtp_stream_size(st) : 0;
			aegw_srtp_stream_free(st);
			fprintf(f, " %8zu B", sz[b]);
		}
		if (sz[0] > 512) {
			fprintf(f, "  (> 512%s)", si->aead ? ", see note" : "");
			over |= si->aead ? 2 : 1;
		}
		fprintf(f, "\n");
	}
	if (over & 2)
		fprintf(f, "note: GCM on ipsec-mb cannot meet 512 B: ipsec-mb's "
			   "struct gcm_key_data (precomputed GHASH powers) is "
			   "%zu B by itself.\n",
			(size_t)bench_gcm_key_data_size());
	aegw_srtp_engine_free(eng[0]);
	aegw_srtp_engine_free(eng[1]);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

struct bench {
	struct options o;
	struct cell c;
	uint32_t *seq_start; /* per stream; the low 16 bits go on the wire,
			      * so long runs wrap and exercise the ROC */
	struct bench_key *key_a, *key_b;
	uint32_t *order;
	struct aegw_srtp_engine *gen_eng;
	uint8_t payload[MAX_PAYLOAD];
};

static int setup_cell(struct bench *b, enum aegw_suite suite, unsigned payload,
		      enum bench_op op)
{
	struct cell *c = &b->c;
	size_t per;

	c->suite = suite;
	c->si = aegw_suite_info(suite);
	c->payload = payload;
	c->op = op;
	c->n_streams = b->o.streams;
	/* header + payload + ROC/trailer room, on whole cache lines */
	c->slot = (AEGW_RTP_HDR_LEN + payload + 64 + 63) & ~(size_t)63;
	/* Rounds of about ROUND_PKTS packets (at least one per stream): short
	 * enough that most rounds run without being preempted. */
	per = (ROUND_PKTS + c->n_streams - 1) / c->n_streams;
	per = per > MAX_PER_STREAM ? MAX_PER_STREAM : per;
	c->per_stream = (unsigned)per;
	c->n_pkts = c->n_streams * c->per_stream;
	free(c->pool);
	free(c->pkts);
	free(c->stream_of);
	c->pool = aligned_alloc(64, c->slot * c->n_pkts);
	c->pkts = calloc(c->n_pkts, sizeof(*c->pkts));
	c->stream_of = calloc(c->n_pkts, sizeof(*c->stream_of));
	if (!c->pool || !c->pkts || !c->stream_of)
		return -1;
	memset(c->pool, 0, c->slot * c->n_pkts);
	for (unsigned j = 0; j < c->n_pkts; j++)
		c->stream_of[j] = b->order[j % c->n_streams];
	c->key_a = b->key_a;
	c->key_b = b->key_b;
	return 0;
}

static int bench_init(struct bench *b)
{
	unsigned n = b->o.streams;
	int err;

	b->key_a = calloc(n, sizeof(*b->key_a));
	b->key_b = calloc(n, sizeof(*b->key_b));
	b->order = calloc(n, sizeof(*b->order));
	b->seq_start = calloc(n, sizeof(*b->seq_start));
	if (!b->key_a || !b->key_b || !b->order || !b->seq_start)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		rng_fill((uint8_t *)&b->key_a[i], sizeof(b->key_a[i]));
		rng_fill((uint8_t *)&b->key_b[i], sizeof(b->key_b[i]));
		b->order[i] = i;
		b->seq_start[i] = (uint32_t)(rng() >> 49); /* 0..32767 */
	}
	for (unsigned i = n; i > 1; i--) { /* Fisher-Yates */
		unsigned j = (unsigned)(rng() % i);
		uint32_t t = b->order[i - 1];
		b->order[i - 1] = b->order[j];
		b->order[j] = t;
	}
	rng_fill(b->payload, sizeof(b->payload));
	b->gen_eng = aegw_srtp_engine_create(AEGW_SRTP_BACKEND_IPSECMB, &err);
	if (!b->gen_eng) {
		fprintf(stderr, "aegw-bench: ipsec-mb engine: %s\n",
			aegw_strerror(err));
		return -1;
	}
	if (bench_libsrtp2_init()) {
		fprintf(stderr, "aegw-bench: srtp_init failed\n");
		return -1;
	}
	return 0;
}

static void bench_fini(struct bench *b)
{
	free(b->c.pool);
	free(b->c.pkts);
	free(b->c.stream_of);
	free(b->key_a);
	free(b->key_b);
	free(b->order);
	free(b->seq_start);
	aegw_srtp_engine_free(b->gen_eng);
}

static void print_header(const struct bench *b, FILE *f)
{
	struct IMB_MGR *mgr = bench_imb_mgr();
	const char *arch = getenv("AEGW_IMB_ARCH");

	fprintf(f, "aegw-bench engine: %u streams, bursts of %u, %.3f s per "
		   "implementation and cell%s\n",
		b->o.streams, (unsigned)BENCH_BURST, b->o.seconds,
		b->o.quick ? " (--quick)" : "");
	fprintf(f, "ipsec-mb %s, manager %s (AEGW_IMB_ARCH=%s); libsrtp2: "
		   "%s; %s\n",
		bench_imb_version(), mgr ? bench_imb_arch_name(mgr) : "?",
		arch && *arch ? arch : "unset, auto", bench_libsrtp2_version(),
		OpenSSL_version(OPENSSL_VERSION));
	fprintf(f, "floor: ipsec-mb AES-CTR + HMAC-SHA1-96 jobs (AES_CM "
		   "suites) or direct AES-GCM API (GCM suites), no SRTP logic; "
		   "relay floor = two floors back to back\n");
	fprintf(f, "unprotect/relay inputs are regenerated outside the timed "
		   "region (no memcpy in the measurement)\n");
	bench_imb_mgr_free(mgr);
}

int bench_engine_main(int argc, char **argv)
{
	struct bench b;
	struct result r;
	int rc = parse_options(argc, argv, &b.o), status = 0;
	struct options o;

	if (rc >= 0)
		return rc;
	o = b.o;
	memset(&b, 0, sizeof(b));
	b.o = o;
	if (!getenv("AEGW_IMB_ARCH") || !*getenv("AEGW_IMB_ARCH")) {
		/* nothing: auto for both aegw and the floor */
	} else {
		struct IMB_MGR *mgr = bench_imb_mgr();
		if (!mgr) {
			fprintf(stderr, "aegw-bench: AEGW_IMB_ARCH=%s is not "
					"usable here\n", getenv("AEGW_IMB_ARCH"));
			return 1;
		}
		bench_imb_mgr_free(mgr);
	}
	if (bench_init(&b)) {
		bench_fini(&b);
		return 1;
	}
	print_header(&b, o.csv ? stderr : stdout);
	if (print_state_sizes(o.csv ? stderr : stdout)) {
		bench_fini(&b);
		return 1;
	}
	if (o.csv)
		printf("suite,payload,op,impl,pps\n");
	for (int s = 0; s < AEGW_SUITE_COUNT && !status; s++) {
		if (o.suite >= 0 && s != o.suite)
			continue;
		if (!o.csv)
			print_table_head(aegw_suite_info(s));
		for (size_t pi = 0; pi < 3 && !status; pi++) {
			unsigned payload = o.payload ? o.payload :
						       default_payloads[pi];
			if (o.payload && pi)
				break;
			for (int op = 0; op < OP_COUNT && !status; op++) {
				if (o.op >= 0 && op != o.op)
					continue;
				if (setup_cell(&b, s, payload, op)) {
					fprintf(stderr, "aegw-bench: out of "
							"memory\n");
					status = 1;
					break;
				}
				if (run_cell(&b.c, &o, b.seq_start, b.gen_eng,
					     b.payload, &r))
					status = 1;
				else
					print_row(&b.c, &r, o.csv);
			}
		}
	}
	if (!o.csv && !status && bench_libsrtp2_aes192_broken() &&
	    (o.suite < 0 || aegw_suite_info(o.suite)->key_len == 24))
		printf("\nn/a: libsrtp2 %s derives AES-192 session keys with "
		       "the AES-256 PRF (cisco/libsrtp#763, fixed in 2.8), so "
		       "it cannot unprotect RFC 6188 AES-192 packets.\n",
		       bench_libsrtp2_version());
	bench_fini(&b);
	return status;
}
