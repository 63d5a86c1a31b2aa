/* aegw-bench dataplane: the engine alone on the run's own packets, as the
 * yardstick for the full path; and the runtime state a stream direction
 * costs in the dataplane.
 *
 * Engine-only method: the same streams, keys and packet order as the
 * pcaps (packet k of stream k % N), one core, bursts of 32 through
 * aegw_srtp_{unprotect,protect}_burst on ipsec-mb with the replay check
 * off (the packets loop, as in the dataplane run). Chunks of 1024 packets
 * are copied into a work area outside the timed region (the dataplane's
 * RX copies them too, so both see warm packets); each chunk's crypto is
 * timed, and pps = chunk / median chunk time, as aegw-bench engine does.
 * The driver measures it right before and right after each dataplane
 * cell, so that both see the machine in the same state. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dpbench.h"

enum { CHUNK = 1024, BURST = 32 };

struct dpb_engine {
	const struct traffic *t;
	struct aegw_srtp_engine *eng;
	struct aegw_srtp_stream **in, **out; /* per stream, or NULL */
	uint8_t *work;                       /* CHUNK slots */
	struct aegw_srtp_pkt pkts[CHUNK];
	struct aegw_srtp_stream *cin[CHUNK], *cout[CHUNK];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct aegw_srtp_stream **contexts(struct aegw_srtp_engine *eng,
					  unsigned n, int which)
{
	struct aegw_srtp_stream **v = calloc(n, sizeof(*v));
	struct aegw_srtp_config cfg;
	int err = 0;

	for (unsigned s = 0; v && s < n; s++) {
		traffic_config(s, which, AEGW_SRTP_RTP, &cfg);
		v[s] = aegw_srtp_stream_create(eng, &cfg, &err);
		aegw_srtp_config_wipe(&cfg);
		if (!v[s]) {
			fprintf(stderr, "aegw-bench: engine stream %u: %s\n", s,
				aegw_strerror(err));
			while (s--)
				aegw_srtp_stream_free(v[s]);
			free(v);
			return NULL;
		}
	}
	return v;
}

static void contexts_free(struct aegw_srtp_stream **v, unsigned n)
{
	for (unsigned s = 0; v && s < n; s++)
		aegw_srtp_stream_free(v[s]);
	free(v);
}

/* Copies packets [k, k + CHUNK) (wrapping) into the work area. */
static void load_chunk(struct dpb_engine *r, const struct traffic *t,
		       unsigned k)
{
	unsigned len = t->frame_len - TRAFFIC_L4_PAYLOAD_OFF;

	for (unsigned i = 0; i < CHUNK; i++) {
		unsigned p = (k + i) % t->n_pkts, s = p % t->n_streams;
		uint8_t *d = r->work + (size_t)i * TRAFFIC_SLOT;

		memcpy(d, traffic_frame(t, p) + TRAFFIC_L4_PAYLOAD_OFF, len);
		r->pkts[i] = (struct aegw_srtp_pkt){ d, len, TRAFFIC_SLOT };
		r->cin[i] = r->in ? r->in[s] : NULL;
		r->cout[i] = r->out ? r->out[s] : NULL;
	}
}

/* The timed part: every burst of the chunk through the action's crypto. */
static int run_chunk(struct dpb_engine *r, double *secs)
{
	int st[BURST];
	double t0 = now_s();

	for (unsigned b = 0; b < CHUNK; b += BURST) {
		if (r->in && aegw_srtp_unprotect_burst(r->eng, r->cin + b,
						       r->pkts + b, st,
						       BURST) != BURST)
			goto fail;
		if (r->out && aegw_srtp_protect_burst(r->eng, r->cout + b,
						      r->pkts + b, st,
						      BURST) != BURST)
			goto fail;
	}
	*secs = now_s() - t0;
	return 0;
fail:
	for (int i = 0; i < BURST; i++)
		if (st[i]) {
			fprintf(stderr, "aegw-bench: engine-only: %s\n",
				aegw_strerror(st[i]));
			break;
		}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double measure(struct dpb_engine *r, const struct traffic *t,
		      double seconds)
{
	size_t cap = 1024, n = 0;
	double *times = malloc(cap * sizeof(*times)), total = 0, pps = -2;
	unsigned k = 0;

	while (times && (total < seconds || n < 3) && !dpb_interrupted) {
		double secs;

		load_chunk(r, t, k);
		k = (k + CHUNK) % t->n_pkts;
		if (run_chunk(r, &secs))
			goto out;
		if (n == cap) {
			double *m = realloc(times, 2 * cap * sizeof(*times));

			if (!m)
				goto out;
			times = m;
			cap *= 2;
		}
		times[n++] = secs;
		total += secs;
	}
	if (times && n) {
		qsort(times, n, sizeof(*times), cmp_double);
		pps = CHUNK / times[n / 2];
	}
out:
	free(times);
	return pps;
}

void dpb_engine_close(struct dpb_engine *e)
{
	if (!e)
		return;
	contexts_free(e->in, e->t->n_streams);
	contexts_free(e->out, e->t->n_streams);
	free(e->work);
	aegw_srtp_engine_free(e->eng);
	free(e);
}

struct dpb_engine *dpb_engine_open(const struct traffic *t)
{
	struct dpb_engine *e = calloc(1, sizeof(*e));
	enum aegw_action a = t->action;
	int err = 0;

	if (!e)
		return NULL;
	e->t = t;
	if (a == AEGW_ACTION_RELAY)
		return e;
	e->eng = aegw_srtp_engine_create(AEGW_SRTP_BACKEND_IPSECMB, &err);
	e->work = aligned_alloc(64, (size_t)CHUNK * TRAFFIC_SLOT);
	if (!e->eng || !e->work ||
	    (aegw_action_unprotects(a) &&
	     !(e->in = contexts(e->eng, t->n_streams, 0))) ||
	    (aegw_action_protects(a) &&
	     !(e->out = contexts(e->eng, t->n_streams, 1)))) {
		dpb_engine_close(e);
		return NULL;
	}
	return e;
}

double dpb_engine_pps(struct dpb_engine *e, double seconds)
{
	return e->eng ? measure(e, e->t, seconds) : -1;
}

static size_t ctx_size(struct aegw_srtp_engine *eng, enum aegw_srtp_kind kind,
		       size_t *seed)
{
	struct aegw_srtp_config cfg;
	struct aegw_srtp_stream *s;
	size_t n = 0;
	int err;

	traffic_config(0, 0, kind, &cfg);
	cfg.session_params = 0; /* as negotiated: the replay window is there */
	s = aegw_srtp_stream_create(eng, &cfg, &err);
	if (seed)
		*seed = dpb_rtcp_seed_size(&cfg);
	aegw_srtp_config_wipe(&cfg);
	if (s)
		n = aegw_srtp_stream_size(s);
	aegw_srtp_stream_free(s);
	return n;
}

int dpb_state_of(enum aegw_action a, struct dpb_state *st)
{
	int err = 0;
	struct aegw_srtp_engine *eng =
		aegw_srtp_engine_create(AEGW_SRTP_BACKEND_IPSECMB, &err);

	if (!eng)
		return -1;
	memset(st, 0, sizeof(*st));
	st->dp_stream = dpb_dp_stream_size();
	st->rtp = ctx_size(eng, AEGW_SRTP_RTP, NULL);
	st->rtcp = ctx_size(eng, AEGW_SRTP_RTCP, &st->rtcp_seed);
	aegw_srtp_engine_free(eng);
	/* Per key the dataplane holds (dataplane/stream.c crypto_open): an
	 * SRTP context, and an SRTCP seed that the first RTCP packet turns
	 * into a context (dataplane/rtcp_slot.c). */
	st->keys = a == AEGW_ACTION_RELAY ? 0 : a == AEGW_ACTION_RECRYPT ? 2 : 1;
	st->total = st->dp_stream + st->keys * (st->rtp + st->rtcp_seed);
	st->total_rtcp = st->dp_stream + st->keys * (st->rtp + st->rtcp);
	return st->rtp && st->rtcp && st->rtcp_seed ? 0 : -1;
}
