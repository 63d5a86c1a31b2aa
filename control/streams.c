/* Streams in the dataplane: specs from legs, install, remove, counters,
 * replay and adoption, all through ctl_ring_exec_many. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/wipe.h"
#include "dp_view.h"
#include "log.h"
#include "streams.h"

static enum aegw_action action_of(const struct ctl_leg *in,
				  const struct ctl_leg *out)
{
	if (in->srtp && out->srtp)
		return AEGW_ACTION_RECRYPT;
	if (in->srtp)
		return AEGW_ACTION_E2AE_IN;
	if (out->srtp)
		return AEGW_ACTION_E2AE_OUT;
	return AEGW_ACTION_RELAY;
}

/* RTCP on the RTP port in (from's leg) and out (the other's). */
static uint8_t rtcp_flags(bool in, bool out)
{
	if (in)
		return AEGW_STREAM_RTCP_MUX | (out ? 0 : AEGW_STREAM_RTCP_OUT_SPLIT);
	return out ? AEGW_STREAM_RTCP_OUT_MUX : 0;
}

/* A relay whose RTCP the dataplane may read for the call's quality
 * figures: plain RTP on both legs, and no key in either SDP (a peer that
 * put a=crypto on RTP/AVP, or keys by ZRTP, may send SRTCP). */
static bool plain_rtcp(const struct ctl_media *m)
{
	for (unsigned k = 0; k < 2; k++)
		if (m->leg[k].proto != AEGW_SDP_PROTO_RTP_AVP &&
		    m->leg[k].proto != AEGW_SDP_PROTO_RTP_AVPF)
			return false;
	return m->mode == CTL_MODE_RELAY && !m->keys_in_sdp;
}

static struct aegw_endpoint endpoint(const struct ctl_iface *ifc,
				     uint16_t port)
{
	struct aegw_endpoint e = ifc->cfg->addr;

	e.port = port;
	return e;
}

void ctl_stream_spec(const struct ctl_call *c, const struct ctl_media *m,
		     unsigned from, struct aegw_stream_spec *spec)
{
	const struct ctl_leg *in = &m->leg[from], *out = &m->leg[1 - from];
	const struct ctl_iface *ifi = c->iface[from], *ifo = c->iface[1 - from];

	memset(spec, 0, sizeof(*spec));
	spec->stream_id = m->stream_id[from];
	spec->reverse_id = m->stream_id[1 - from];
	spec->action = (uint8_t)action_of(in, out);
	spec->flags = AEGW_STREAM_LATCH | rtcp_flags(m->rtcp_mux[from],
						     m->rtcp_mux[1 - from]);
	if (plain_rtcp(m))
		spec->flags |= AEGW_STREAM_PLAIN_RTCP;
	spec->in_port = ifi->cfg->dpdk_port;
	spec->out_port = ifo->cfg->dpdk_port;
	spec->local = endpoint(ifi, in->port);
	spec->egress_src = endpoint(ifo, out->port);
	if (out->peer.family == ifo->cfg->addr.family && out->peer.port) {
		spec->egress_dst = out->peer;
		spec->egress_rtcp_port = out->peer_rtcp_port;
	}
	if (in->srtp && in->peer_key)
		spec->in_crypto = *in->peer_key;
	if (out->srtp && out->our_key)
		spec->out_crypto = *out->our_key;
}

static unsigned worker_of(const struct ctl *ctl, uint16_t port)
{
	return aegw_ring_worker_for_port(port, ctl->ring.n_workers);
}

/* A media's stream commands, sent so that a worker's cost one round
 * trip (ctl_ring_exec_many): both legs of a media share one (ports.c). */
struct batch {
	struct aegw_cmd cmd[4];
	unsigned worker[4];
	int rc[4];
	int8_t from[4];  /* the leg of an ADD; -1: another command */
	unsigned n;
};

static void batch_remove(struct ctl *ctl, struct batch *b,
			 uint16_t local_port, uint32_t id)
{
	b->cmd[b->n] = (struct aegw_cmd){ .type = AEGW_CMD_REMOVE_STREAM,
					  .stream_id = id };
	b->worker[b->n] = worker_of(ctl, local_port);
	b->from[b->n++] = -1;
}

static void batch_add(struct ctl *ctl, struct batch *b,
		      const struct aegw_stream_spec *spec, int8_t from)
{
	b->cmd[b->n] = (struct aegw_cmd){ .type = AEGW_CMD_ADD_STREAM,
					  .spec = *spec };
	b->worker[b->n] = worker_of(ctl, spec->local.port);
	b->from[b->n++] = from;
}

/* Runs of commands to one worker, in order; the first failure, or 0. */
static int batch_run(struct ctl *ctl, struct batch *b, ctl_ring_evt_fn *fn,
		     void *arg)
{
	int first = 0;

	for (unsigned i = 0, j; i < b->n; i = j) {
		for (j = i + 1; j < b->n && b->worker[j] == b->worker[i]; j++)
			;
		if (!ctl->ring.shm) {
			for (unsigned k = i; k < j; k++)
				b->rc[k] = -ENOTCONN;
			aegw_wipe(&b->cmd[i], (j - i) * sizeof(b->cmd[0]));
		} else {
			ctl_ring_exec_many(&ctl->ring, b->worker[i], &b->cmd[i],
					   j - i, &b->rc[i], fn, arg);
		}
		for (unsigned k = i; k < j && !first; k++)
			first = b->rc[k];
	}
	return first;
}

static int remove_stream(struct ctl *ctl, uint16_t local_port, uint32_t id)
{
	struct batch b = { .n = 0 };

	batch_remove(ctl, &b, local_port, id);
	return batch_run(ctl, &b, NULL, NULL);
}

/* ADD; a stream left under this id (a command that timed out, a replay
 * racing a restart) is replaced. */
static int add_stream(struct ctl *ctl, const struct aegw_stream_spec *spec)
{
	struct batch b = { .n = 0 };

	batch_add(ctl, &b, spec, -1);
	if (batch_run(ctl, &b, NULL, NULL) != AEGW_ERR_EXISTS)
		return b.rc[0];
	b.n = 0;
	batch_remove(ctl, &b, spec->local.port, spec->stream_id);
	batch_add(ctl, &b, spec, -1);
	batch_run(ctl, &b, NULL, NULL);
	return b.rc[1];
}

/* aegw numbers the SRTCP it protects itself, so its last reading (up
 * to a second old) may lag what it sent: resume that far above it. The
 * peer takes a jump forward; RTCP comes a few packets a second. */
enum { CTL_RTCP_RESUME_GAP = 1024 };
#define CTL_RTCP_INDEX_MAX 0x7fffffffull

static void resume_config(struct aegw_srtp_config *cfg,
			  const struct ctl_resume_at *rtp,
			  const struct aegw_srtp_ssrc_at *earlier,
			  const struct ctl_resume_at *rtcp, uint64_t gap)
{
	cfg->resume_ssrc = rtp->ssrc;
	cfg->resume_index = rtp->index;
	memcpy(cfg->resume_earlier, earlier, sizeof(cfg->resume_earlier));
	cfg->resume_rtcp_ssrc = rtcp->ssrc;
	/* Index 0 with an SSRC is a context that sent its first packet
	 * (SRTCP counts from 0): state too. Near the 2^31 limit the SSRC's
	 * count ends there (its key's SRTCP lifetime), not a gap lower. */
	if (rtcp->index || rtcp->ssrc)
		cfg->resume_rtcp_index = rtcp->index + gap < CTL_RTCP_INDEX_MAX ?
						 rtcp->index + gap :
						 CTL_RTCP_INDEX_MAX;
	else
		cfg->resume_rtcp_index = 0;
}

/* A spec's contexts resume where r says they were. aegw numbers the
 * SRTCP it protects itself: its out contexts resume a gap above, and,
 * where its out key protected before (out_used), an SSRC the reading does
 * not name starts above it too (any, when the key came after the last
 * reading: the walk had not come by since), whose SRTCP would otherwise
 * start at 0 again. */
static void spec_resume(struct aegw_stream_spec *spec,
			const struct ctl_resume *r, bool out_used)
{
	struct aegw_srtp_config *out = &spec->out_crypto;

	resume_config(&spec->in_crypto, &r->rtp_in, r->earlier_in, &r->rtcp_in,
		      0);
	resume_config(out, &r->rtp_out, r->earlier_out, &r->rtcp_out,
		      CTL_RTCP_RESUME_GAP);
	if (out_used)
		out->initial_rtcp_index = (uint32_t)(out->resume_rtcp_index ?
				out->resume_rtcp_index : CTL_RTCP_RESUME_GAP);
}

/* The gap an install added above aegw's SRTCP reading is taken: the next
 * install before a new reading (a dataplane that restarts again within
 * the sampling lap) adds another above it, not the same one. */
static void gap_used(struct ctl_resume *r, const struct aegw_srtp_config *out)
{
	r->rtcp_out.ssrc = out->resume_rtcp_ssrc;
	r->rtcp_out.index = out->resume_rtcp_index ? out->resume_rtcp_index :
						     out->initial_rtcp_index;
}

/* ADD of stream `from` as m has it. Its contexts resume where m says
 * they were (m->resume; nothing for a new stream or key): a stream the
 * dataplane lost (a restart, an UPDATE that found none) comes back under
 * the same keys, and must not start again at index 0, or a sender past a
 * sequence wrap would fail every packet, and aegw would protect indices
 * it had protected already (a reused keystream). From the highest index
 * read, the engine sees a wrap since as well (RFC 3711 3.3.1). */
static int install_one(struct ctl *ctl, const struct ctl_call *c,
		       struct ctl_media *m, unsigned from)
{
	struct aegw_stream_spec spec;
	int rc;

	ctl_stream_spec(c, m, from, &spec);
	spec_resume(&spec, &m->resume[from], true);
	rc = add_stream(ctl, &spec);
	if (!rc)
		gap_used(&m->resume[from], &spec.out_crypto);
	aegw_wipe(&spec, sizeof(spec));
	return rc;
}

static void remove_streams(struct ctl *ctl, const struct ctl_media *m)
{
	struct batch b = { .n = 0 };

	for (unsigned from = 0; from < 2; from++)
		if (m->leg[from].port && m->stream_id[from])
			batch_remove(ctl, &b, m->leg[from].port,
				     m->stream_id[from]);
	batch_run(ctl, &b, NULL, NULL);
}

/* What an UPDATE must change to turn was into now, or false when only a
 * new stream can (another id, port or peer stream). In place, the SRTP
 * contexts of a key that stays keep their ROC, replay window and the
 * SRTCP indices aegw numbers, and the stream its counters, across a
 * re-INVITE, whatever else it changes (action, RTCP-mux, egress): so a
 * key aegw keeps toward a side never starts a context again. A key goes
 * to the dataplane only where the new action uses it. */
static bool update_mask_of(const struct aegw_stream_spec *now,
			   const struct aegw_stream_spec *was, uint32_t *mask)
{
	if (now->stream_id != was->stream_id ||
	    now->reverse_id != was->reverse_id || now->in_port != was->in_port ||
	    ((now->flags ^ was->flags) & ~AEGW_STREAM_RTCP_FLAGS) ||
	    memcmp(&now->local, &was->local, sizeof(now->local)) ||
	    memcmp(&now->remote, &was->remote, sizeof(now->remote)))
		return false;
	*mask = 0;
	if (now->action != was->action)
		*mask |= AEGW_UPDATE_ACTION;
	if (now->flags != was->flags)
		*mask |= AEGW_UPDATE_FLAGS;
	if (aegw_action_unprotects(now->action) &&
	    memcmp(&now->in_crypto, &was->in_crypto, sizeof(now->in_crypto)))
		*mask |= AEGW_UPDATE_IN_KEY;
	if (aegw_action_protects(now->action) &&
	    memcmp(&now->out_crypto, &was->out_crypto, sizeof(now->out_crypto)))
		*mask |= AEGW_UPDATE_OUT_KEY;
	/* A new a=rtcp port alone must not put a NAT-latched peer back at
	 * its SDP address, as a whole new egress does. */
	if (now->out_port != was->out_port ||
	    memcmp(&now->egress_src, &was->egress_src, sizeof(now->egress_src)) ||
	    memcmp(&now->egress_dst, &was->egress_dst, sizeof(now->egress_dst)))
		*mask |= AEGW_UPDATE_EGRESS;
	else if (now->egress_rtcp_port != was->egress_rtcp_port)
		*mask |= AEGW_UPDATE_RTCP_PORT;
	return true;
}

bool ctl_media_in_place(const struct ctl_call *c, const struct ctl_media *m,
			const struct ctl_media *old, unsigned from)
{
	struct aegw_stream_spec now, was;
	uint32_t mask;
	bool in_place;

	if (!old->installed || old->rejected)
		return false;
	ctl_stream_spec(c, m, from, &now);
	ctl_stream_spec(c, old, from, &was);
	in_place = update_mask_of(&now, &was, &mask);
	aegw_wipe(&now, sizeof(now));
	aegw_wipe(&was, sizeof(was));
	return in_place;
}

/* Where the contexts of the keys that stay were: a key that stays goes
 * on from there, a new key starts afresh. Whether aegw's out key stayed. */
static bool resume_kept(struct ctl_resume *r, const struct ctl_resume *old,
			const struct aegw_stream_spec *now,
			const struct aegw_stream_spec *was)
{
	bool out_kept = !memcmp(&now->out_crypto, &was->out_crypto,
				sizeof(now->out_crypto));

	*r = (struct ctl_resume){ { 0, 0 } };
	if (!memcmp(&now->in_crypto, &was->in_crypto, sizeof(now->in_crypto))) {
		r->rtp_in = old->rtp_in;
		r->rtcp_in = old->rtcp_in;
		memcpy(r->earlier_in, old->earlier_in, sizeof(r->earlier_in));
	}
	if (out_kept) {
		r->rtp_out = old->rtp_out;
		r->rtcp_out = old->rtcp_out;
		memcpy(r->earlier_out, old->earlier_out, sizeof(r->earlier_out));
	}
	return out_kept;
}

/* Leg from's stream as m has it: unchanged from old's, updated in place,
 * or added. A stream of the call is always updated in place (its id,
 * ports and interfaces are the call's). Added again (after a failed
 * install, or should its id or port ever change), the contexts of the
 * keys it keeps resume where they were read, as after a dataplane
 * restart, not at index 0. */
static void batch_leg(struct ctl *ctl, struct batch *b,
		      const struct ctl_call *c, struct ctl_media *m,
		      const struct ctl_media *old, unsigned from)
{
	struct aegw_stream_spec now, was;
	uint32_t mask = 0;
	bool update = false, out_kept = false;

	ctl_stream_spec(c, m, from, &now);
	m->resume[from] = (struct ctl_resume){ { 0, 0 } };
	if (old && !old->rejected) {
		ctl_stream_spec(c, old, from, &was);
		if (old->installed)
			update = update_mask_of(&now, &was, &mask);
		out_kept = resume_kept(&m->resume[from], &old->resume[from],
				       &now, &was);
		aegw_wipe(&was, sizeof(was));
		if (old->installed && !update)
			batch_remove(ctl, b, old->leg[from].port,
				     old->stream_id[from]);
	}
	if (!update) {
		spec_resume(&now, &m->resume[from], out_kept);
		if (out_kept)
			gap_used(&m->resume[from], &now.out_crypto);
	}
	if (!update || mask) {
		batch_add(ctl, b, &now, (int8_t)from);
		if (update) {
			b->cmd[b->n - 1].type = AEGW_CMD_UPDATE_STREAM;
			b->cmd[b->n - 1].update_mask = mask;
		}
	}
	aegw_wipe(&now, sizeof(now));
}

/* An ADD that found its id taken, or an UPDATE that found none (the
 * dataplane lost it): a fresh ADD settles both. */
static bool add_again(const struct batch *b, unsigned i)
{
	return (b->rc[i] == AEGW_ERR_EXISTS &&
		b->cmd[i].type == AEGW_CMD_ADD_STREAM) ||
	       (b->rc[i] == AEGW_ERR_NOT_FOUND &&
		b->cmd[i].type == AEGW_CMD_UPDATE_STREAM);
}

struct counters_ctx {
	struct ctl *ctl;
	struct ctl_counts *out;
	bool final;  /* the streams go in the same batch */
	struct aegw_evt last[2]; /* with final: each stream's reading */
};

static void on_counters(void *arg, const struct aegw_evt *evt)
{
	struct counters_ctx *x = arg;
	struct ctl_counts *out = x->out;

	if (evt->type != AEGW_EVT_COUNTERS)
		return;
	for (unsigned from = 0; from < 2; from++) {
		if (evt->stream_id != out->id[from])
			continue;
		memcpy(out->c[from], evt->counters,
		       sizeof(uint64_t) * AEGW_SC_COUNT);
		out->resume[from] = ctl_resume_of_evt(evt);
		out->have[from] = true;
		if (x->final)
			x->last[from] = *evt;
	}
}

/* COUNTERS of streams id[i] (0: none) on aegw's ports port[i], and
 * REMOVEs after them in the same batch when they go: the worker reads
 * before it removes, and what it read goes into the metrics' totals as
 * the streams' last reading once the REMOVE went through (a stream that
 * stays is read again by the next scrape). Without a dataplane every
 * result is -ENOTCONN (batch_run). */
void ctl_stream_pair_counters(struct ctl *ctl, const uint32_t id[2],
			      const uint16_t port[2], struct ctl_counts *out,
			      bool remove)
{
	struct counters_ctx x = { ctl, out, remove };
	struct batch b = { .n = 0 };
	int8_t at[2] = { -1, -1 }, rm[2] = { -1, -1 };

	memset(out, 0, sizeof(*out));
	for (unsigned from = 0; from < 2; from++) {
		if (!id[from])
			continue;
		at[from] = (int8_t)b.n;
		b.cmd[b.n] = (struct aegw_cmd){ .type = AEGW_CMD_COUNTERS,
						.stream_id = id[from] };
		b.worker[b.n] = worker_of(ctl, port[from]);
		b.from[b.n++] = -1;
		out->id[from] = id[from];
	}
	for (unsigned from = 0; remove && from < 2; from++)
		if (id[from]) {
			rm[from] = (int8_t)b.n;
			batch_remove(ctl, &b, port[from], id[from]);
		}
	batch_run(ctl, &b, on_counters, &x);
	for (unsigned from = 0; from < 2; from++) {
		if (rm[from] >= 0)
			out->rm_rc[from] = b.rc[rm[from]];
		if (at[from] < 0)
			continue;
		out->rc[from] = b.rc[at[from]];
		if (out->rc[from])
			out->have[from] = false;
		if (remove && out->have[from] &&
		    (!out->rm_rc[from] || out->rm_rc[from] == AEGW_ERR_NOT_FOUND))
			ctl_dp_counters_final(&ctl->dp_totals, ctl,
					      &x.last[from]);
	}
}

static void media_counters(struct ctl *ctl, const struct ctl_media *m,
			   struct ctl_counts *out, bool remove)
{
	const uint16_t port[2] = { m->leg[0].port, m->leg[1].port };

	ctl_stream_pair_counters(ctl, m->stream_id, port, out, remove);
}

/* After an install that failed: the streams go, and where they were is
 * read first, in the same round trip. A later install under the keys
 * that stayed from old (a 183's, then the 200's answer) adds them again
 * from there, not from index 0: their contexts had protected packets. A
 * reading is kept only for such a key (every key when there was no old:
 * then a stream found was added under m's). */
static void uninstall_failed(struct ctl *ctl, const struct ctl_call *c,
			     struct ctl_media *m, const struct ctl_media *old)
{
	struct aegw_stream_spec now, was;
	struct ctl_counts k;

	media_counters(ctl, m, &k, true);
	for (unsigned from = 0; from < 2; from++) {
		if (!k.have[from])
			continue;
		if (!old || old->rejected) {
			m->resume[from] = k.resume[from];
			continue;
		}
		ctl_stream_spec(c, m, from, &now);
		ctl_stream_spec(c, old, from, &was);
		resume_kept(&m->resume[from], &k.resume[from], &now, &was);
		aegw_wipe(&now, sizeof(now));
		aegw_wipe(&was, sizeof(was));
	}
	m->installed = false;
}

int ctl_media_install(struct ctl *ctl, const struct ctl_call *c,
		      struct ctl_media *m, const struct ctl_media *old,
		      char *err, size_t errlen)
{
	struct batch b = { .n = 0 };
	int rc = 0;

	m->installed = false;
	if (m->rejected || !m->leg[0].port || !m->leg[1].port) {
		if (old && old->installed)
			remove_streams(ctl, old);
		return 0;
	}
	for (unsigned from = 0; from < 2; from++)
		batch_leg(ctl, &b, c, m, old, from);
	batch_run(ctl, &b, NULL, NULL);
	for (unsigned i = 0; i < b.n && !rc; i++)
		if (b.from[i] >= 0)
			rc = add_again(&b, i) ?
				     install_one(ctl, c, m, (unsigned)b.from[i]) :
				     b.rc[i];
	if (rc) {
		snprintf(err, errlen, "dataplane refused a stream: %s",
			 ctl_ring_strerror(rc));
		uninstall_failed(ctl, c, m, old);
		return -1;
	}
	m->installed = true;
	return 0;
}

struct ctl_resume ctl_resume_of_evt(const struct aegw_evt *evt)
{
	struct ctl_resume r = {
		{ evt->ssrc_in, evt->index_in },
		{ evt->ssrc_out, evt->index_out },
		{ evt->rtcp_ssrc_in, evt->rtcp_index_in },
		{ evt->rtcp_ssrc_out, evt->rtcp_index_out },
	};

	memcpy(r.earlier_in, evt->earlier_in, sizeof(r.earlier_in));
	memcpy(r.earlier_out, evt->earlier_out, sizeof(r.earlier_out));
	return r;
}

/* One earlier-SSRC list as far as its end (index 0), moved a step? */
static bool earlier_moved(const struct aegw_srtp_ssrc_at *was,
			  const struct aegw_srtp_ssrc_at *now)
{
	for (unsigned k = 0; k < AEGW_SRTP_RESUME_EARLIER; k++) {
		if (was[k].ssrc != now[k].ssrc ||
		    was[k].index >> AEGW_SRTP_READING_STEP_LOG2 !=
			    now[k].index >> AEGW_SRTP_READING_STEP_LOG2)
			return true;
		if (!now[k].index)
			return false;
	}
	return false;
}

/* Whether a restart would resume elsewhere than from was: another SSRC,
 * or an index a step on, the step the dataplane reports readings at
 * (AEGW_SRTP_READING_STEP_LOG2): RTP 2^13 (resumed from a reading 2^15
 * behind, RFC 3711 3.3.1's estimate gets the ROC wrong), SRTCP 2^8 (a
 * quarter of the gap a replay leaves above aegw's own). The journal then
 * gets the new reading. */
static bool resume_moved(const struct ctl_resume *was,
			 const struct ctl_resume *now)
{
	const struct ctl_resume_at *w[4] = { &was->rtp_in, &was->rtp_out,
					     &was->rtcp_in, &was->rtcp_out };
	const struct ctl_resume_at *n[4] = { &now->rtp_in, &now->rtp_out,
					     &now->rtcp_in, &now->rtcp_out };

	for (unsigned i = 0; i < 4; i++) {
		unsigned shift = i < 2 ? AEGW_SRTP_READING_STEP_LOG2 :
					 AEGW_SRTCP_READING_STEP_LOG2;

		if (w[i]->ssrc != n[i]->ssrc ||
		    w[i]->index >> shift != n[i]->index >> shift)
			return true;
	}
	return earlier_moved(was->earlier_in, now->earlier_in) ||
	       earlier_moved(was->earlier_out, now->earlier_out);
}

/* A context's reading goes back only for another SSRC (a sender's new
 * one): of two readings of one SSRC the higher is the later, whichever
 * came last (one a worker sent just before it answered a sample). The
 * SRTCP aegw protects is read as the highest index it sent for any SSRC
 * (any_ssrc): that never goes back. */
static void keep_later(struct ctl_resume_at *was, const struct ctl_resume_at *now,
		       struct aegw_srtp_ssrc_at *was_earlier,
		       const struct aegw_srtp_ssrc_at *now_earlier,
		       bool any_ssrc)
{
	if ((any_ssrc || was->ssrc == now->ssrc) && was->index > now->index)
		return;
	*was = *now;
	if (was_earlier)
		memcpy(was_earlier, now_earlier,
		       AEGW_SRTP_RESUME_EARLIER * sizeof(*now_earlier));
}

bool ctl_media_note_resume(struct ctl_media *m, unsigned from,
			   const struct ctl_resume *now)
{
	struct ctl_resume *r = &m->resume[from], was = *r;

	keep_later(&r->rtp_in, &now->rtp_in, r->earlier_in, now->earlier_in,
		   false);
	keep_later(&r->rtp_out, &now->rtp_out, r->earlier_out,
		   now->earlier_out, false);
	keep_later(&r->rtcp_in, &now->rtcp_in, NULL, NULL, false);
	keep_later(&r->rtcp_out, &now->rtcp_out, NULL, NULL, true);
	return resume_moved(&was, r);
}

void ctl_media_counters(struct ctl *ctl, const struct ctl_media *m,
			struct ctl_counts *out)
{
	if (m->installed)
		media_counters(ctl, m, out, false);
	else
		memset(out, 0, sizeof(*out));
}

void ctl_media_uninstall_counted(struct ctl *ctl, struct ctl_media *m,
				 struct ctl_counts *out)
{
	if (m->installed)
		media_counters(ctl, m, out, true);
	else
		memset(out, 0, sizeof(*out));
	m->installed = false;
}

/* With its last counters too, for the metrics' totals: a call ended by
 * a timeout counts as one deleted over ng. */
void ctl_media_uninstall(struct ctl *ctl, struct ctl_media *m)
{
	struct ctl_counts k;

	if (m->installed && ctl->ring.shm)
		ctl_media_uninstall_counted(ctl, m, &k);
	else
		remove_streams(ctl, m);
	m->installed = false;
}

/* Every installed media of c again; the journal gets the gaps taken
 * (install_one), at once: daemons that both stop before the next sample
 * must not resume from the same place a second time. */
static void replay_call(struct ctl *ctl, struct ctl_call *c, unsigned *ok,
			unsigned *failed)
{
	unsigned before = *ok;

	for (unsigned i = 0; i < c->n_media; i++) {
		struct ctl_media *m = &c->media[i];

		for (unsigned from = 0; m->installed && from < 2; from++) {
			if (install_one(ctl, c, m, from))
				(*failed)++;
			else
				(*ok)++;
		}
	}
	if (*ok != before)
		ctl_journal_put(ctl, c);
}

void ctl_replay(struct ctl *ctl)
{
	unsigned ok = 0, failed = 0;

	for (struct ctl_call *c = ctl->calls.first; c; c = c->next)
		replay_call(ctl, c, &ok, &failed);
	ctl->stats.replays += ok;
	if (ok + failed)
		ctl_log(failed ? CTL_LOG_ERR : CTL_LOG_INFO,
			"replayed %u stream(s) into the new dataplane, %u "
			"failed", ok, failed);
}

/* A stream no call claims: a static one is taken back as such; any
 * other goes in the table that ends it once silent. Failing that (out
 * of memory), its port stays reserved for good. */
static void adopt_one(struct ctl *ctl, const struct aegw_evt *evt)
{
	int i;

	if (evt->stream_id >= ctl->next_stream_id)
		ctl->next_stream_id = evt->stream_id + 1;
	ctl->stats.adopted++;
	if (ctl_static_adopt(ctl, evt) || ctl_adopted_add(ctl, evt))
		return;
	i = ctl_iface_index_of(ctl, &evt->local);
	if (i >= 0)
		ctl_pool_reserve(&ctl->ifaces[i].pool, evt->local.port);
}

/* The calls a journal gave back (journal.h) find their streams in the
 * dump, marked as theirs, and where their contexts are now (the journal
 * has it from up to a step before); a stream the dataplane lost
 * meanwhile (it restarted too) is installed again. Returns how many
 * were. */
static unsigned claim_recovered(struct ctl *ctl, const struct ctl_dp_view *v,
				bool *theirs)
{
	unsigned again = 0;

	for (struct ctl_call *c = ctl->calls.first; c; c = c->next) {
		unsigned before = again;
		bool moved = false;

		for (unsigned i = 0; i < c->n_media; i++) {
			struct ctl_media *m = &c->media[i];

			for (unsigned from = 0; m->installed && from < 2; from++) {
				const struct aegw_evt *e =
					ctl_dp_view_find(v, m->stream_id[from]);
				struct ctl_resume now;

				if (!e) {
					again += !install_one(ctl, c, m, from);
					continue;
				}
				theirs[e - v->evt] = true;
				now = ctl_resume_of_evt(e);
				moved |= ctl_media_note_resume(m, from, &now);
			}
		}
		if (again != before || moved)
			ctl_journal_put(ctl, c);
	}
	return again;
}

void ctl_adopt(struct ctl *ctl)
{
	struct ctl_dp_view v = { 0 };
	uint64_t before = ctl->stats.adopted;
	unsigned statics = ctl->statics.n;
	bool *theirs;
	unsigned again;
	int rc;

	/* Adoption is for a daemon's first attach; a table left by any
	 * earlier one would name another dataplane's streams. */
	ctl_adopted_drop_all(ctl);
	/* Readings queued before the dump are older than it. */
	for (struct ctl_call *c = ctl->calls.first; c; c = c->next)
		c->resume_gen++;
	rc = ctl_dp_view_read(ctl, &v);

	if (rc)
		ctl_log(CTL_LOG_WARN, "dump of the dataplane: %s",
			ctl_ring_strerror(rc));
	theirs = calloc(v.n ? v.n : 1, sizeof(*theirs));
	if (!theirs) {
		ctl_dp_view_free(&v);
		return;
	}
	/* Only right after the journal gave calls back: any other attach
	 * is to a dataplane that never had this daemon's streams. */
	again = ctl->journal.recovered ? claim_recovered(ctl, &v, theirs) : 0;
	ctl->journal.recovered = 0;
	for (size_t i = 0; i < v.n; i++)
		if (!theirs[i])
			adopt_one(ctl, &v.evt[i]);
	ctl_adopted_pair(&ctl->adopted);
	if (v.n - (ctl->stats.adopted - before) || again)
		ctl_log(CTL_LOG_INFO, "%zu stream(s) of the journal's calls "
			"found in the dataplane, %u installed again",
			(size_t)(v.n - (ctl->stats.adopted - before)), again);
	if (ctl->stats.adopted != before)
		ctl_log(CTL_LOG_WARN, "%llu stream(s) from a previous control "
			"that no call claims: %u static, %zu held (a call's "
			"until its media times out)",
			(unsigned long long)(ctl->stats.adopted - before),
			ctl->statics.n - statics, ctl->adopted.live);
	free(theirs);
	ctl_dp_view_free(&v);
}

int ctl_stream_add(struct ctl *ctl, const struct aegw_stream_spec *spec)
{
	return add_stream(ctl, spec);
}

int ctl_stream_remove(struct ctl *ctl, uint16_t local_port, uint32_t id)
{
	return remove_stream(ctl, local_port, id);
}
