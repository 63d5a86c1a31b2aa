/* The offer: a new call or a re-offer, its media's ports and policy, the
 * offerer's keys taken, aegw's keys toward the answerer made, and the SDP
 * for the answerer. The result waits in the call's pending media for the
 * answer; nothing reaches the dataplane yet. */
#include <stdio.h>
#include <string.h>

#include "aegw/wipe.h"
#include "policy.h"
#include "sdp_side.h"
#include "secret.h"
#include "streams.h"

struct offer {
	struct ctl *ctl;
	struct ctl_call *c;
	const struct ctl_sdp_req *req;
	const struct aegw_sdp *sdp;
	unsigned off, ans;               /* monologues: offerer, answerer */
	bool answerer_e2ae, offerer_no_e2ae; /* the registration store's */
	struct ctl_media work[AEGW_SDP_MAX_MEDIA];
	struct aegw_sdp_edit edit;
	char lines[AEGW_SDP_MAX_MEDIA][AEGW_SDP_CRYPTO_BUF]; /* keys */
	char session_addr[64];           /* for sections that pass as is */
	const char *line_ptr[AEGW_SDP_MAX_MEDIA];
	char *err;
	size_t errlen;
};

static int fail(struct offer *o, const char *what)
{
	snprintf(o->err, o->errlen, "%s", what);
	return -1;
}

/* The media index's ports and stream ids, taken on first use. */
static int ensure_slot(struct offer *o, unsigned i)
{
	struct ctl_media_slot *s = &o->c->slot[i];
	struct ctl *ctl = o->ctl;

	if (!s->stream_id[0]) {
		s->stream_id[0] = ctl_stream_id_next(ctl);
		s->stream_id[1] = ctl_stream_id_next(ctl);
		if (ctl_call_index_slot(&ctl->calls, o->c, i)) {
			s->stream_id[0] = s->stream_id[1] = 0;
			return fail(o, "out of memory");
		}
	}
	if (s->port[0] && s->port[1])
		return 0;
	if (!ctl->ring.n_workers)
		return fail(o, "no dataplane attached: the worker of a port "
			       "is not known yet");
	if (ctl_pool_take_two(&o->c->iface[0]->pool, &o->c->iface[1]->pool,
			      ctl->ring.n_workers, &ctl->rr_worker, &s->port[0],
			      &s->port[1])) {
		ctl->stats.no_ports++;
		return fail(o, CTL_ERR_NO_PORTS);
	}
	return 0;
}

static void decide(struct offer *o, unsigned i, int crypto_idx,
		   struct ctl_policy_out *out)
{
	const struct aegw_sdp_media *sm = &o->sdp->media[i];
	struct ctl_policy_in in = {
		.offer_proto = sm->proto_id,
		.asked_proto = o->req->transport,
		.usable_crypto = crypto_idx >= 0,
		.key_mgmt = sm->s.key_mgmt || o->sdp->session.key_mgmt,
		.e2ae_requested = sm->e2ae == AEGW_SDP_E2AE_REQUESTED,
		.recrypt = o->req->recrypt,
		.answerer_e2ae = o->answerer_e2ae,
		.offerer_no_e2ae = o->offerer_no_e2ae,
	};

	ctl_policy_offer(&in, out);
}

/* The key aegw gave the answerer in an offer still waiting for its
 * answer, when this offer repeats it: the same offerer, suite and session
 * parameters. An INVITE forked to several UEs reaches the P-CSCF as one
 * offer per branch under one call-id and from-tag, and whichever UE
 * answers must read what aegw protects under the key it was given, not
 * under a later branch's. A pending key is either new (nothing protects
 * under it yet) or the installed one (below), so handing it out again
 * reuses no keystream. */
static const struct aegw_srtp_config *pending_key(const struct offer *o,
						  unsigned i,
						  const struct ctl_leg *al)
{
	const struct ctl_call *c = o->c;

	if (!c->has_pending || c->offerer != o->off || i >= c->n_pending ||
	    c->pending[i].rejected)
		return NULL;
	return ctl_leg_key_again(&c->pending[i].leg[o->ans], al);
}

/* After an answer, the key aegw protects with toward the answerer's side
 * now, while the suite and session parameters stay: a re-INVITE (a
 * session refresh, hold, resume) then reaches that side with the SDP it
 * has, as from rtpengine, and no packet in flight at a key switch is
 * lost. The stream that protects under it is the media's installed one
 * from the offerer's leg; the answer updates it in place whatever it
 * changes (its id, ports and interfaces are the call's), so its context
 * goes on and protects no index twice (streams.c, update_mask_of). A
 * rejected or uninstalled media's key is not handed out again, nor one
 * whose stream could not go on. */
static const struct aegw_srtp_config *installed_key(const struct offer *o,
						    unsigned i,
						    const struct ctl_leg *al)
{
	const struct ctl_call *c = o->c;

	if (!c->answered || i >= c->n_media ||
	    !ctl_media_in_place(c, &o->work[i], &c->media[i], o->off))
		return NULL;
	return ctl_leg_key_again(&c->media[i].leg[o->ans], al);
}

static int answerer_key_of(struct offer *o, unsigned i, struct ctl_leg *al)
{
	const struct aegw_srtp_config *kept = pending_key(o, i, al);

	if (!kept)
		kept = installed_key(o, i, al);
	if (!kept)
		return ctl_leg_make_key(al, o->err, o->errlen);
	ctl_secret_free(al->our_key);
	al->our_key = ctl_key_dup(kept);
	return al->our_key ? 0 : -1;
}

static bool suite_allowed(const struct ctl_sdp_req *r, enum aegw_suite s)
{
	for (unsigned k = 0; k < r->n_allow; k++)
		if (r->allow[k] == s)
			return true;
	return r->n_allow == 0;
}

/* The answerer's SRTP leg as installed, when a plain offerer's re-offer
 * may keep its suite: this request allows it. A P-CSCF's script often
 * gives SDES flags to the first INVITE only; a re-INVITE without them
 * keeps what was agreed, as in rtpengine, rather than falling back to
 * the first suite and a key the UE may not take (a 488 ends the call). */
static const struct ctl_leg *installed_answerer(const struct offer *o,
						unsigned i)
{
	const struct ctl_call *c = o->c;
	const struct ctl_leg *l;

	if (!c->answered || i >= c->n_media || !c->media[i].installed ||
	    c->media[i].rejected)
		return NULL;
	l = &c->media[i].leg[o->ans];
	return l->srtp && l->our_key && suite_allowed(o->req, l->suite) ? l :
									  NULL;
}

/* The suite and session parameters aegw's key toward the answerer has:
 * the offerer's if it has SRTP, else what is installed toward the
 * answerer (its parameters unless the request names some), else the
 * first suite the request allows. */
static void answerer_suite(struct offer *o, unsigned i,
			   const struct ctl_leg *ol, struct ctl_leg *al)
{
	const struct ctl_sdp_req *r = o->req;
	const struct ctl_leg *was = ol->srtp ? NULL : installed_answerer(o, i);

	al->suite = ol->srtp ? ol->suite :
		    was ? was->suite :
		    r->n_allow ? r->allow[0] :
				 AEGW_SUITE_AES_CM_128_HMAC_SHA1_80;
	if (was && !r->params_set && !r->params_clear)
		al->session_params = was->our_key->session_params;
	else
		al->session_params = ((ol->srtp ? ol->session_params : 0) |
				      r->params_set) & ~r->params_clear;
}

/* aegw's key toward the answerer. */
static int answerer_key(struct offer *o, unsigned i, struct ctl_leg *ol,
			struct ctl_leg *al)
{
	al->crypto_tag = 1;
	answerer_suite(o, i, ol, al);
	if (!aegw_suite_info(al->suite))
		return fail(o, "the SDES flags leave no suite to offer");
	if (answerer_key_of(o, i, al))
		return fail(o, "cannot make aegw's key");
	/* RFC 7714 14.2: an AEAD suite is never unauthenticated. */
	if (aegw_srtp_config_check(al->our_key))
		return fail(o, "the SDES flags ask for session parameters "
			    "the suite cannot have");
	if (ctl_leg_format_key(al, o->lines[i], sizeof(o->lines[i])))
		return fail(o, "cannot make aegw's key");
	o->line_ptr[i] = o->lines[i];
	return 0;
}

static void offer_edit(struct offer *o, unsigned i)
{
	const struct aegw_sdp_media *sm = &o->sdp->media[i];
	struct aegw_sdp_media_edit *me = &o->edit.media[i];
	const struct ctl_media *m = &o->work[i];
	const struct ctl_leg *al = &m->leg[o->ans];

	ctl_edit_media(me, o->sdp, i, o->c->iface[o->ans], al->port, false,
		       o->req->no_rtcp_attr);
	me->rtcp_mux = m->mux_to_answerer ? AEGW_SDP_SET : AEGW_SDP_REMOVE;
	if (sm->proto_id != AEGW_SDP_PROTO_OTHER)
		me->proto = al->proto;
	/* a=3ge2ae is for the P-CSCF only, also when the request was not
	 * honoured (the store's "not supported": e2e). */
	me->e2ae = AEGW_SDP_REMOVE;
	if (!ctl_mode_terminates(m->mode))
		return;
	ctl_edit_crypto(me, al, &o->line_ptr[i]);
}

/* A section offered with port 0 gets no ports and no streams; where the
 * policy would strip the offerer's key, it is stripped all the same. */
static int reject(struct offer *o, unsigned i)
{
	const struct aegw_sdp_media *sm = &o->sdp->media[i];
	struct aegw_sdp_media_edit *me = &o->edit.media[i];
	struct ctl_policy_out pol;

	o->work[i].rejected = true;
	/* Neither the peer's address nor a=3ge2ae goes to the other side,
	 * rejected or not. */
	ctl_edit_rejected(me, sm, o->c->iface[o->ans]);
	decide(o, i, 0, &pol);
	if (!ctl_mode_terminates(pol.mode))
		return 0;
	if (sm->proto_id != AEGW_SDP_PROTO_OTHER)
		me->proto = pol.answerer_proto;
	me->crypto = AEGW_SDP_REMOVE;
	return 0;
}

/* A section over TCP passes as it came: aegw has no ports for it. */
static int pass(struct offer *o, unsigned i)
{
	o->work[i].rejected = o->work[i].passthrough = true;
	ctl_edit_keep(&o->edit.media[i], o->sdp, i, o->session_addr,
		      sizeof(o->session_addr));
	return 0;
}

static int offer_media(struct offer *o, unsigned i)
{
	const struct aegw_sdp_media *sm = &o->sdp->media[i];
	struct ctl_media *m = &o->work[i];
	struct ctl_leg *ol = &m->leg[o->off], *al = &m->leg[o->ans];
	struct ctl_policy_out pol;
	unsigned n_crypto = sm->n_crypto < AEGW_SDP_MAX_CRYPTO ?
				    sm->n_crypto : AEGW_SDP_MAX_CRYPTO;
	int idx;

	snprintf(m->type_name, sizeof(m->type_name), "%.*s",
		 (int)sm->media.n, sm->media.p);
	m->clock_rate = sm->clock_rate;
	m->keys_in_sdp = sm->n_crypto || sm->s.key_mgmt || sm->s.zrtp ||
			 o->sdp->session.key_mgmt || o->sdp->session.zrtp;
	m->mux_offered = sm->rtcp_mux;
	m->mux_flags = o->req->mux_flags;
	m->mux_to_answerer =
		!(m->mux_flags & (CTL_MUX_REJECT | CTL_MUX_DEMUX)) &&
		(m->mux_offered ||
		 (m->mux_flags & (CTL_MUX_OFFER | CTL_MUX_REQUIRE)));
	if (sm->port == 0)
		return reject(o, i);
	if (ctl_proto_is_tcp(sm))
		return pass(o, i);
	if (ensure_slot(o, i))
		return -1;
	m->stream_id[0] = o->c->slot[i].stream_id[0];
	m->stream_id[1] = o->c->slot[i].stream_id[1];
	ol->port = o->c->slot[i].port[o->off];
	al->port = o->c->slot[i].port[o->ans];
	ctl_sdp_peer_of(o->req, o->sdp, sm, ol);
	ol->proto = sm->proto_id;
	ol->e2ae_requested = sm->e2ae == AEGW_SDP_E2AE_REQUESTED;
	idx = aegw_sdp_crypto_select(sm->crypto, n_crypto, o->req->allow,
				     o->req->n_allow);
	decide(o, i, idx, &pol);
	if (pol.error)
		return fail(o, pol.error);
	m->mode = pol.mode;
	ol->srtp = pol.srtp_offerer;
	al->srtp = pol.srtp_answerer;
	al->proto = pol.answerer_proto != AEGW_SDP_PROTO_OTHER ?
			    pol.answerer_proto : sm->proto_id;
	if (ol->srtp && ctl_leg_take_key(ol, &sm->crypto[idx], o->err,
					 o->errlen))
		return -1;
	if (al->srtp && o->req->sdes_off)
		return fail(o, CTL_ERR_SDES_OFF);
	if (al->srtp && answerer_key(o, i, ol, al))
		return -1;
	offer_edit(o, i);
	return 0;
}

/* The offer's media become the call's pending media, its SDP the last
 * one sent toward the answerer. */
static void commit(struct offer *o, const struct ctl_sdp_sent *sent)
{
	struct ctl_call *c = o->c;
	unsigned n = o->sdp->n_media;

	c->sent[o->ans] = *sent;
	ctl_media_drop_keys(c->pending, c->n_pending);
	memcpy(c->pending, o->work, sizeof(o->work[0]) * n);
	c->n_pending = n;
	c->has_pending = true;
	c->offerer = o->off;
}

static int build(struct offer *o, char *out, size_t cap, size_t *out_len)
{
	unsigned n = o->sdp->n_media;
	struct ctl_sdp_sent sent;
	int rc = -1;

	if (n < o->c->n_media) {
		snprintf(o->err, o->errlen, "the offer has %u m= sections, "
			 "the call had %u (RFC 3264 8)", n, o->c->n_media);
		goto out;
	}
	if (ctl_call_reserve(o->c, n)) {
		snprintf(o->err, o->errlen, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < n; i++)
		if (offer_media(o, i))
			goto fail;
	ctl_edit_session(o->ctl, &o->edit, o->sdp, o->c->iface[o->ans],
			 o->req);
	if (aegw_sdp_rewrite(o->sdp, &o->edit, out, cap, out_len, o->err,
			     o->errlen) ||
	    ctl_sdp_version(&o->c->sent[o->ans], o->sdp, &o->edit, out, cap,
			    out_len, &sent, o->err, o->errlen))
		goto fail;
	commit(o, &sent);
	rc = 0;
	goto out;
fail:
	ctl_media_drop_keys(o->work, n);
out:
	aegw_wipe(o->lines, sizeof(o->lines));
	return rc;
}

/* What the registration store says of the UEs the offer names (TS 33.328
 * 7.1); a UE not named or not registered changes nothing. */
static void registrations(struct offer *o)
{
	const struct ctl_str *a = &o->req->ue_identity,
			     *f = &o->req->offerer_ue_identity;
	uint64_t now = ctl_now_ns();
	const struct ctl_registration *r;

	r = a->p ? ctl_registry_find(&o->ctl->registry, a->p, a->len, now) :
		   NULL;
	o->answerer_e2ae = r && r->info.net_e2ae &&
			   r->info.policy == CTL_E2AE_PREFERRED;
	r = f->p ? ctl_registry_find(&o->ctl->registry, f->p, f->len, now) :
		   NULL;
	o->offerer_no_e2ae = r && !r->info.net_e2ae;
}

static struct ctl_iface *direction(struct ctl *ctl, struct ctl_str name,
				   unsigned dflt)
{
	if (!name.p)
		return &ctl->ifaces[dflt < ctl->n_ifaces ? dflt : 0];
	return ctl_iface_find(ctl, name.p, name.len);
}

/* A new call, unless the session limit is reached. */
static enum ctl_result new_call(struct ctl *ctl, const struct ctl_sdp_req *req,
				struct ctl_call **out, char *err, size_t errlen)
{
	struct ctl_iface *i0 = direction(ctl, req->direction[0], 0);
	struct ctl_iface *i1 = direction(ctl, req->direction[1], 1);
	struct ctl_call *c;

	if (ctl->opt.max_sessions && ctl->calls.n_calls >= ctl->opt.max_sessions) {
		ctl->stats.load_limit++;
		/* rtpengine's words, which Kamailio and OpenSIPS match to
		 * try their next node when they do not send "supports". */
		snprintf(err, errlen, "Parallel session limit reached");
		return req->load_limit_supported ? CTL_RESULT_LOAD_LIMIT :
						   CTL_RESULT_ERROR;
	}
	if (!i0 || !i1) {
		snprintf(err, errlen, "unknown interface in 'direction'");
		return CTL_RESULT_ERROR;
	}
	c = ctl_call_create(&ctl->calls, req->call_id.p, req->call_id.len,
			    req->from_tag.p, req->from_tag.len);
	if (!c) {
		snprintf(err, errlen, "call-id or from-tag too long, or out of "
			 "memory");
		return CTL_RESULT_ERROR;
	}
	c->iface[0] = i0;
	c->iface[1] = i1;
	*out = c;
	return CTL_RESULT_OK;
}

enum ctl_result ctl_call_offer(struct ctl *ctl, const struct ctl_sdp_req *req,
			       char *out, size_t cap, size_t *out_len,
			       char *err, size_t errlen)
{
	struct offer o; /* on the request's own stack, as an answer's */
	const struct aegw_sdp *sdp;
	struct ctl_call *c;
	enum ctl_result res;
	int side = 0;

	if (ctl_req_check(req, false, err, errlen) ||
	    !(sdp = ctl_sdp_load(ctl, req, err, errlen)))
		return CTL_RESULT_ERROR;
	if (ctl_sdp_looped(ctl, req, sdp))
		return ctl_sdp_pass_looped(ctl, req, out, cap, out_len, err,
					   errlen) ? CTL_RESULT_ERROR :
						     CTL_RESULT_OK;
	c = ctl_call_find(&ctl->calls, req->call_id.p, req->call_id.len);
	if (c)
		side = ctl_call_side(c, req->from_tag.p, req->from_tag.len);
	else if ((res = new_call(ctl, req, &c, err, errlen)) != CTL_RESULT_OK)
		return res;
	if (side < 0) {
		snprintf(err, errlen, "from-tag names no side of this call");
		return CTL_RESULT_ERROR;
	}
	memset(&o, 0, sizeof(o));
	o.ctl = ctl;
	o.c = c;
	o.req = req;
	o.sdp = sdp;
	o.off = (unsigned)side;
	o.ans = 1u - (unsigned)side;
	o.err = err;
	o.errlen = errlen;
	registrations(&o);
	if (build(&o, out, cap, out_len)) {
		if (!c->n_media && !c->has_pending)
			ctl_call_destroy(&ctl->calls, c);
		return CTL_RESULT_ERROR;
	}
	c->last_signal = time(NULL);
	ctl_timeout_signal(ctl, c);
	ctl_journal_put(ctl, c);
	return CTL_RESULT_OK;
}
