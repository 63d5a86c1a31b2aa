/* A call's voice quality from its peers' RTCP reports (quality.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calls.h"
#include "ctl.h"
#include "quality.h"

enum {
	CTL_QUALITY_REPORTERS = 4, /* SSRCs a media's samples are kept for */
	CTL_QUALITY_SRS = 4,       /* SRs per leg an LSR is looked up in */
	CTL_QUALITY_MAX_RTT_US = 10000000, /* longer: a stale LSR match */
};

struct ctl_quality_sample {
	int64_t reported_s;   /* wall clock */
	uint32_t mos;         /* x10; 0: no MOS (a leg's RTT not known) */
	uint32_t packet_loss; /* % */
	uint32_t jitter_ms;
	uint32_t rtt_us, rtt_leg_us;
};

struct ctl_quality_reporter {
	uint32_t ssrc;
	uint8_t side;         /* the leg its RTCP came from */
	uint32_t samples, no_mos;
	uint64_t last_ns;     /* its last sample's arrival */
	uint64_t sum_mos, sum_loss, sum_jitter, sum_rtt, sum_rtt_leg;
	struct ctl_quality_sample lowest, highest;
	bool has_lowest;
};

struct ctl_quality_leg {
	struct {
		uint32_t ntp_mid;
		uint64_t rx_ns;
	} sr[CTL_QUALITY_SRS]; /* SRs the leg's peer sent, a ring */
	unsigned sr_next;
	uint32_t rtt_us;       /* the last round trip aegw <-> the peer */
};

struct ctl_quality_media {
	struct ctl_quality_leg leg[2];
	unsigned n_reporters;
	struct ctl_quality_reporter reporter[CTL_QUALITY_REPORTERS];
};

/* n media: as many as the call had when the last report came. */
struct ctl_quality {
	unsigned n;
	struct ctl_quality_media media[];
};

/* ITU-T G.107's MOS from a rating R, as rtpengine 13.1's mos_from_rx
 * scales it (R in units of 1e-5, MOS x10, 1.0 at worst, 4.5 at best). */
static uint32_t mos_from_r(int64_t r5)
{
	int64_t r3, mos, cubic;

	if (r5 < 0)
		return 10;
	if (r5 > 10000000)
		return 45;
	r3 = r5 / 100;
	mos = 100 + 35 * r3 / 10000; /* 1 + 0.035 R, x100 */
	cubic = (r3 - 60000) * (100000 - r3) / 1000;
	cubic = r3 * cubic / 1000 * 7 / 10000000; /* 7e-6 R (R-60) (100-R) */
	mos = (mos + cubic) / 10;
	return mos < 10 ? 10 : (uint32_t)mos;
}

/* rtpengine up to 13.0 (Debian 12's 10.5), after PingPlotter, in
 * floating point as it computes it: an effective latency of the round
 * trip (whole ms), twice the jitter and 10 ms, taking R down by 1/40 of
 * it below 160 ms and by 1/10 of what is past 120 ms from there; and 2.5
 * per % of loss. A MOS under 1.0 from an R above 0 is no MOS (0). */
static uint32_t mos_legacy(uint32_t rtt_us, uint32_t jitter_ms,
			   uint32_t loss_pct)
{
	int64_t eff = rtt_us / 1000 + (int64_t)jitter_ms * 2 + 10;
	double r = eff < 160 ? 93.2 - (double)eff / 40.0 :
			       93.2 - (double)(eff - 120) / 10.0;
	int64_t mos10;

	r -= loss_pct * 2.5;
	if (r < 0)
		return 10;
	mos10 = (int64_t)((1.0 + 0.035 * r +
			   0.000007 * r * (r - 60) * (100 - r)) * 10.0);
	return mos10 < 10 ? 0 : (uint32_t)mos10;
}

/* rtpengine 13.1 and later, in its integers: the E-model simplified for
 * narrowband, the delay impairment Id from half the round trip plus the jitter, and the
 * equipment impairment of loss as a quadratic in R = 93.2 - loss. */
static uint32_t mos_g107(uint32_t rtt_us, uint32_t jitter_ms,
			 uint32_t loss_pct)
{
	uint64_t d = (uint64_t)rtt_us / 2 + (uint64_t)jitter_ms * 1000; /* us */
	uint64_t id3 = 24 * d / 1000; /* 0.024 d(ms), x1000 */
	int64_t r2 = loss_pct <= 93 ? 9320 - (int64_t)loss_pct * 100 : 0;
	int64_t r5;

	if (d > 177300)
		id3 += (d - 177300) * 11 / 100; /* 0.11 (d - 177.3 ms) */
	r5 = 18 * r2 * r2 / 10 - 279 * r2 * 100 + 112662000 -
	     (int64_t)id3 * 100;
	return mos_from_r(r5);
}

uint32_t ctl_quality_mos(enum ctl_mos_formula f, uint32_t rtt_us,
			 uint32_t jitter_ms, uint32_t loss_pct)
{
	return f == CTL_MOS_G107 ? mos_g107(rtt_us, jitter_ms, loss_pct) :
				   mos_legacy(rtt_us, jitter_ms, loss_pct);
}

/* The media index and the leg whose peer sent what stream id carries. */
static int stream_place(const struct ctl_call *c, uint32_t id,
			unsigned *media, unsigned *side)
{
	for (unsigned i = 0; i < c->cap; i++)
		for (unsigned k = 0; k < 2; k++)
			if (c->slot[i].stream_id[k] == id) {
				*media = i;
				*side = k;
				return 0;
			}
	return -1;
}

static struct ctl_quality_media *media_of(struct ctl_call *c, unsigned i)
{
	struct ctl_quality *q = c->quality;
	unsigned n = q ? q->n : 0;

	if (i < n)
		return &q->media[i];
	q = realloc(q, sizeof(*q) + c->cap * sizeof(q->media[0]));
	if (!q)
		return NULL;
	memset(&q->media[n], 0, (c->cap - n) * sizeof(q->media[0]));
	q->n = c->cap;
	c->quality = q;
	return &q->media[i];
}

static struct ctl_quality_reporter *reporter_of(struct ctl_quality_media *m,
						uint32_t ssrc, unsigned side)
{
	struct ctl_quality_reporter *r;

	for (unsigned k = 0; k < m->n_reporters; k++)
		if (m->reporter[k].ssrc == ssrc && m->reporter[k].side == side)
			return &m->reporter[k];
	if (m->n_reporters == CTL_QUALITY_REPORTERS)
		return NULL; /* the first ones keep their figures */
	r = &m->reporter[m->n_reporters++];
	memset(r, 0, sizeof(*r));
	r->ssrc = ssrc;
	r->side = (uint8_t)side;
	return r;
}

/* The leg's round trip from a block whose LSR names an SR aegw saw go
 * to this peer from the other one; 0 when none matches or it makes no
 * sense (RFC 3550 6.4.1: A - LSR - DLSR, here on aegw's clock). */
static uint32_t leg_rtt(const struct ctl_quality_leg *from_other,
			const struct aegw_rtcp_block *b, uint64_t rx_ns)
{
	uint64_t delay_ns = (uint64_t)b->dlsr * 1000000000ull / 65536;

	for (unsigned k = 0; k < CTL_QUALITY_SRS; k++) {
		int64_t rtt_us;

		if (from_other->sr[k].ntp_mid != b->lsr ||
		    !from_other->sr[k].rx_ns)
			continue;
		rtt_us = ((int64_t)(rx_ns - from_other->sr[k].rx_ns) -
			  (int64_t)delay_ns) / 1000;
		if (rtt_us <= 0 || rtt_us > CTL_QUALITY_MAX_RTT_US)
			return 0;
		return (uint32_t)rtt_us;
	}
	return 0;
}

static void add_sample(struct ctl_quality_reporter *r,
		       const struct ctl_quality_sample *s, uint64_t rx_ns)
{
	r->last_ns = rx_ns;
	if (!r->samples && !r->no_mos)
		r->highest = *s;
	else if (s->mos > r->highest.mos)
		r->highest = *s;
	if (!s->mos) {
		r->no_mos++;
		return;
	}
	if (!r->has_lowest || s->mos < r->lowest.mos) {
		r->lowest = *s;
		r->has_lowest = true;
	}
	r->samples++;
	r->sum_mos += s->mos;
	r->sum_loss += s->packet_loss;
	r->sum_jitter += s->jitter_ms;
	r->sum_rtt += s->rtt_us;
	r->sum_rtt_leg += s->rtt_leg_us;
}

const uint32_t ctl_mos_bounds[CTL_MOS_BOUNDS] = { 10, 20, 25, 30, 35, 40, 43 };

static const char *const block_result_names[CTL_RTCP_BLOCK_RESULT_COUNT] = {
#define CTL_RTCP_BLOCK_RESULT_NAME(id, name) [CTL_RTCP_BLOCK_##id] = name,
	CTL_FOREACH_RTCP_BLOCK_RESULT(CTL_RTCP_BLOCK_RESULT_NAME)
#undef CTL_RTCP_BLOCK_RESULT_NAME
};

const char *ctl_rtcp_block_result_name(enum ctl_rtcp_block_result r)
{
	return (unsigned)r < CTL_RTCP_BLOCK_RESULT_COUNT ?
		       block_result_names[r] : "unknown";
}

static void count_mos(struct ctl_quality_stats *st, uint32_t mos)
{
	unsigned i = 0;

	while (i < CTL_MOS_BOUNDS && mos > ctl_mos_bounds[i])
		i++;
	st->mos_bucket[i]++;
	st->mos_sum10 += mos;
	st->mos2_sum100 += (uint64_t)mos * mos;
}

static enum ctl_rtcp_block_result take_block(
	struct ctl *ctl, struct ctl_quality_media *m, unsigned side,
	uint32_t clock_rate, const struct aegw_rtcp_report *rep,
	const struct aegw_rtcp_block *b)
{
	struct ctl_quality_leg *mine = &m->leg[side], *other = &m->leg[!side];
	struct ctl_quality_sample s = { .reported_s = time(NULL) };
	struct ctl_quality_reporter *r;
	uint32_t rtt;

	/* rtpengine drops a block that echoes no SR (LSR or DLSR 0: the
	 * peer had none yet) and one whose jitter it cannot put in ms. */
	if (!b->lsr || !b->dlsr)
		return CTL_RTCP_BLOCK_NO_SR;
	if (!clock_rate)
		return CTL_RTCP_BLOCK_NO_CLOCK;
	rtt = leg_rtt(other, b, rep->rx_ns);
	if (rtt)
		mine->rtt_us = rtt;
	r = reporter_of(m, rep->ssrc, side);
	/* ... and keeps one sample a second per reporter. */
	if (!r || (r->last_ns && rep->rx_ns - r->last_ns < 1000000000ull))
		return CTL_RTCP_BLOCK_TOO_SOON;
	s.rtt_leg_us = rtt;
	s.rtt_us = other->rtt_us ? rtt + other->rtt_us : 0;
	s.jitter_ms = (uint32_t)((uint64_t)b->jitter * 1000 / clock_rate);
	s.packet_loss = (uint32_t)b->fraction_lost * 100 / 256;
	s.mos = s.rtt_us ? ctl_quality_mos(ctl->opt.mos_formula, s.rtt_us,
					   s.jitter_ms, s.packet_loss) : 0;
	add_sample(r, &s, rep->rx_ns);
	if (!s.mos)
		return CTL_RTCP_BLOCK_NO_MOS;
	count_mos(&ctl->stats.quality, s.mos);
	return CTL_RTCP_BLOCK_MOS;
}

void ctl_quality_report(struct ctl *ctl, const struct aegw_evt *evt)
{
	const struct aegw_rtcp_report *rep = &evt->rtcp;
	struct ctl_call *c = ctl_call_by_stream(&ctl->calls, evt->stream_id);
	struct ctl_quality_stats *st = &ctl->stats.quality;
	struct ctl_quality_media *m;
	unsigned media, side;
	uint32_t clock;
	unsigned n = rep->n_blocks < AEGW_RTCP_REPORT_BLOCKS ?
			     rep->n_blocks : AEGW_RTCP_REPORT_BLOCKS;

	st->blocks[CTL_RTCP_BLOCK_EXTRA] += rep->blocks_dropped;
	if (!c || stream_place(c, evt->stream_id, &media, &side) ||
	    !(m = media_of(c, media))) {
		st->blocks[CTL_RTCP_BLOCK_NO_CALL] += n;
		return;
	}
	if (rep->has_sr) {
		struct ctl_quality_leg *l = &m->leg[side];

		l->sr[l->sr_next].ntp_mid = rep->sr_ntp_mid;
		l->sr[l->sr_next].rx_ns = rep->rx_ns;
		l->sr_next = (l->sr_next + 1) % CTL_QUALITY_SRS;
	}
	clock = media < c->n_media ? c->media[media].clock_rate : 0;
	for (unsigned k = 0; k < n; k++)
		st->blocks[take_block(ctl, m, side, clock, rep,
				      &rep->block[k])]++;
}

/* ---- the reply ----------------------------------------------------- */

/* The mean of r's samples with a MOS (it has one at least). */
static struct ctl_quality_sample average_of(const struct ctl_quality_reporter *r)
{
	uint64_t n = r->samples ? r->samples : 1;

	return (struct ctl_quality_sample){
		.mos = (uint32_t)(r->sum_mos / n),
		.packet_loss = (uint32_t)(r->sum_loss / n),
		.jitter_ms = (uint32_t)(r->sum_jitter / n),
		.rtt_us = (uint32_t)(r->sum_rtt / n),
		.rtt_leg_us = (uint32_t)(r->sum_rtt_leg / n),
	};
}

/* One sample's figures with when it was reported, or (samples not 0)
 * an average's with how many it is of. Keys in bencode's order. */
static void add_figures(struct aegw_benc_enc *e, const char *key,
			const struct ctl_quality_sample *s, uint32_t samples)
{
	aegw_benc_add_cstr(e, key);
	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_int(e, "MOS", s->mos);
	aegw_benc_dict_add_int(e, "jitter", s->jitter_ms);
	aegw_benc_dict_add_int(e, "packet loss", s->packet_loss);
	if (!samples)
		aegw_benc_dict_add_int(e, "reported at", s->reported_s);
	aegw_benc_dict_add_int(e, "round-trip time", s->rtt_us);
	aegw_benc_dict_add_int(e, "round-trip time leg", s->rtt_leg_us);
	if (samples)
		aegw_benc_dict_add_int(e, "samples", samples);
	aegw_benc_end(e);
}

static void add_reporter(struct aegw_benc_enc *e,
			 const struct ctl_quality_reporter *r)
{
	const struct ctl_quality_sample avg = average_of(r);

	aegw_benc_dict_begin(e);
	add_figures(e, "average MOS", &avg, r->samples ? r->samples : 1);
	add_figures(e, "highest MOS", &r->highest, 0);
	add_figures(e, "lowest MOS", &r->lowest, 0);
	aegw_benc_end(e);
}

struct named {
	char key[12];
	const struct ctl_quality_reporter *r;
};

/* By key, then by where the reporter was met (qsort is not stable), so
 * that an SSRC met twice keeps its first figures. */
static int named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->r > y->r) - (x->r < y->r);
}

void ctl_quality_add_ssrcs(struct aegw_benc_enc *e, const struct ctl_call *c)
{
	const struct ctl_quality *q = c->quality;
	struct named *all;
	size_t n = 0;

	if (!q)
		return;
	all = calloc((size_t)q->n * CTL_QUALITY_REPORTERS + 1, sizeof(*all));
	if (!all)
		return;
	for (unsigned i = 0; i < q->n; i++)
		for (unsigned k = 0; k < q->media[i].n_reporters; k++) {
			const struct ctl_quality_reporter *r =
				&q->media[i].reporter[k];

			/* rtpengine 10.5 names a reporter once a sample
			 * of it had a MOS. */
			if (!r->has_lowest)
				continue;
			snprintf(all[n].key, sizeof(all[n].key), "%" PRIu32,
				 r->ssrc);
			all[n++].r = r;
		}
	/* Decimal keys in bencode's (byte) order; an SSRC met twice (two
	 * legs, two media) once, with its first figures, as rtpengine. */
	qsort(all, n, sizeof(*all), named_cmp);
	aegw_benc_add_cstr(e, "SSRC");
	aegw_benc_dict_begin(e);
	for (size_t k = 0; k < n; k++) {
		if (k && !strcmp(all[k].key, all[k - 1].key))
			continue;
		aegw_benc_add_cstr(e, all[k].key);
		add_reporter(e, all[k].r);
	}
	aegw_benc_end(e);
	free(all);
}

/* rtpengine writes these sums as decimals with six places, strings. */
static void add_decimal(struct aegw_benc_enc *e, const char *key, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.6f", v);
	aegw_benc_dict_add_cstr(e, key, buf);
}

void ctl_quality_add_statistics(struct aegw_benc_enc *e,
				const struct ctl_quality_stats *st)
{
	uint64_t n = 0;

	for (unsigned i = 0; i <= CTL_MOS_BOUNDS; i++)
		n += st->mos_bucket[i];
	aegw_benc_add_cstr(e, "mos");
	aegw_benc_dict_begin(e);
	add_decimal(e, "mos2_total", (double)st->mos2_sum100 / 100.0);
	add_decimal(e, "mos_average",
		    n ? (double)st->mos_sum10 / (double)n / 10.0 : 0.0);
	aegw_benc_dict_add_int(e, "mos_samples_total", (int64_t)n);
	add_decimal(e, "mos_total", (double)st->mos_sum10 / 10.0);
	aegw_benc_end(e);
}

int ctl_quality_ingress_ssrc(const struct ctl_call *c, unsigned media,
			     unsigned side, uint32_t *ssrc)
{
	const struct ctl_quality_media *m;

	if (!c->quality || media >= c->quality->n)
		return -1;
	m = &c->quality->media[media];
	for (unsigned k = 0; k < m->n_reporters; k++)
		if (m->reporter[k].side == side && m->reporter[k].has_lowest) {
			*ssrc = m->reporter[k].ssrc;
			return 0;
		}
	return -1;
}

void ctl_quality_add_ingress(struct aegw_benc_enc *e,
			     const struct ctl_call *c, unsigned media,
			     unsigned side)
{
	const struct ctl_quality_media *m;

	if (!c->quality || media >= c->quality->n)
		return;
	m = &c->quality->media[media];
	aegw_benc_add_cstr(e, "ingress SSRCs");
	aegw_benc_list_begin(e);
	for (unsigned k = 0; k < m->n_reporters; k++) {
		if (m->reporter[k].side != side)
			continue;
		aegw_benc_dict_begin(e);
		aegw_benc_dict_add_int(e, "SSRC", m->reporter[k].ssrc);
		aegw_benc_end(e);
	}
	aegw_benc_end(e);
}
