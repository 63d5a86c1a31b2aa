/* The answer: the answerer's peer and key (when aegw offered it one),
 * aegw's own key toward the offerer (made once, kept for a later answer
 * such as 200 after 183), the SDP for the offerer, and the streams
 * installed. The answered media become the call's installed media. */
#include <stdio.h>
#include <string.h>

#include "aegw/wipe.h"
#include "log.h"
#include "policy.h"
#include "sdp_side.h"
#include "secret.h"
#include "streams.h"

struct answer {
	struct ctl *ctl;
	struct ctl_call *c;
	const struct ctl_sdp_req *req;
	const struct aegw_sdp *sdp;
	unsigned off, ans;
	unsigned n;
	struct ctl_media work[AEGW_SDP_MAX_MEDIA];
	struct aegw_sdp_edit edit;
	char lines[AEGW_SDP_MAX_MEDIA][AEGW_SDP_CRYPTO_BUF]; /* keys */
	char session_addr[64];           /* for sections that pass as is */
	const char *line_ptr[AEGW_SDP_MAX_MEDIA];
	char *err;
	size_t errlen;
	bool committed;                  /* the work became the call's */
};

/* The answerer declined SRTP (RFC 4568 7.1.2: an RTP/AVP answer): aegw
 * no longer protects toward it. */
static void answerer_plain(struct ctl_media *m, struct ctl_leg *ol,
			   struct ctl_leg *al)
{
	al->srtp = false;
	ctl_secret_free(al->our_key);
	ctl_secret_free(al->peer_key);
	al->our_key = al->peer_key = NULL;
	m->mode = ol->srtp ? CTL_MODE_E2AE : CTL_MODE_RELAY;
}

/* The answerer's key, under the tag aegw offered it. */
static int answerer_key(struct answer *a, unsigned i)
{
	const struct aegw_sdp_media *sm = &a->sdp->media[i];
	struct ctl_media *m = &a->work[i];
	struct ctl_leg *ol = &m->leg[a->off], *al = &m->leg[a->ans];
	int idx;

	if (!ctl_mode_terminates(m->mode))
		return 0;
	if (!al->srtp) {
		if (!ctl_proto_secure(sm->proto_id))
			return 0;
		snprintf(a->err, a->errlen, "m= %u: the answer is %s, aegw "
			 "offered plain RTP", i,
			 aegw_sdp_proto_name(sm->proto_id));
		return -1;
	}
	if (!ctl_proto_secure(sm->proto_id)) {
		answerer_plain(m, ol, al);
		return 0;
	}
	idx = ctl_sdp_crypto_find(sm, al->crypto_tag, al->suite);
	if (idx < 0) {
		snprintf(a->err, a->errlen, "m= %u: the answer has no a=crypto "
			 "for aegw's tag %u", i, al->crypto_tag);
		return -1;
	}
	/* UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP, UNAUTHENTICATED_SRTP that aegw
	 * did not offer (RFC 4568 6.3.2, 6.3.3: negotiated, not declared by
	 * the answerer alone) would take protection off a leg the operator
	 * has it on: refused, not taken. */
	if (sm->crypto[idx].session_params & ~al->session_params) {
		snprintf(a->err, a->errlen, "m= %u: the answer's a=crypto has "
			 "session parameters aegw did not offer (less "
			 "protection): refused", i);
		return -1;
	}
	return ctl_leg_take_key(al, &sm->crypto[idx], a->err, a->errlen);
}

/* aegw's key toward the offerer: made by the first answer, then kept. */
/* The key aegw gave the offerer for this media, of the suite and
 * session parameters the offerer asks for now, or NULL. */
static const struct aegw_srtp_config *offerer_key_before(const struct answer *a,
							  unsigned i)
{
	if (!a->c->answered || i >= a->c->n_media)
		return NULL;
	return ctl_leg_key_again(&a->c->media[i].leg[a->off],
				 &a->work[i].leg[a->off]);
}

/* aegw keeps the key it gave the offerer when the stream toward the
 * offerer is then updated in place (ctl_media_in_place): its SRTP
 * context goes on, and the UE has no window in which aegw protects under
 * a key it has not seen yet. Where the stream would be added again, a
 * kept key would restart its context at indices it had protected: a
 * fresh key is the only safe one. */
static int keep_offerer_key(struct answer *a, unsigned i)
{
	struct ctl_media *m = &a->work[i];
	struct ctl_leg *ol = &m->leg[a->off];
	const struct aegw_srtp_config *kept = offerer_key_before(a, i);

	if (!kept || ol->our_key)
		return 0;
	if (!(ol->our_key = ctl_key_dup(kept))) {
		snprintf(a->err, a->errlen, "out of key memory");
		return -1;
	}
	if (!ctl_media_in_place(a->c, m, &a->c->media[i], a->ans)) {
		ctl_secret_free(ol->our_key);
		ol->our_key = NULL;
	}
	return 0;
}

static int offerer_key(struct answer *a, unsigned i)
{
	struct ctl_leg *ol = &a->work[i].leg[a->off];

	if (!ol->srtp)
		return 0;
	if (a->req->sdes_off) {
		snprintf(a->err, a->errlen, "%s", CTL_ERR_SDES_OFF);
		return -1;
	}
	if (keep_offerer_key(a, i))
		return -1;
	if (!ol->our_key && ctl_leg_make_key(ol, a->err, a->errlen))
		return -1;
	if (ctl_leg_format_key(ol, a->lines[i], sizeof(a->lines[i]))) {
		snprintf(a->err, a->errlen, "cannot format aegw's key");
		return -1;
	}
	a->line_ptr[i] = a->lines[i];
	return 0;
}

static void answer_edit(struct answer *a, unsigned i)
{
	const struct aegw_sdp_media *sm = &a->sdp->media[i];
	struct aegw_sdp_media_edit *me = &a->edit.media[i];
	const struct ctl_media *m = &a->work[i];
	const struct ctl_leg *ol = &m->leg[a->off];

	ctl_edit_media(me, a->sdp, i, a->c->iface[a->off], ol->port,
		       m->rtcp_mux[a->off], a->req->no_rtcp_attr);
	me->rtcp_mux = m->rtcp_mux[a->off] ? AEGW_SDP_SET : AEGW_SDP_REMOVE;
	if (!ctl_mode_terminates(m->mode))
		return;
	if (sm->proto_id != AEGW_SDP_PROTO_OTHER)
		me->proto = ol->proto;
	ctl_edit_crypto(me, ol, &a->line_ptr[i]);
	/* TS 24.229 7.5.2: the UE asked, the answer says it is applied. */
	me->e2ae = ol->srtp && ol->e2ae_requested ? AEGW_SDP_SET :
						    AEGW_SDP_REMOVE;
}

/* Leg by leg (RFC 5761 5.1.1: only what was offered can be answered):
 * the answerer's leg muxes if aegw offered it and it answered so (or the
 * P-CSCF required it); the offerer's if it offered it and the answerer
 * leg does, or the flags accept it on their own. */
static void negotiate_mux(const struct answer *a, struct ctl_media *m,
			  bool answered)
{
	uint8_t f = m->mux_flags;
	bool ans = m->mux_to_answerer && (answered || (f & CTL_MUX_REQUIRE));

	m->rtcp_mux[a->ans] = ans;
	m->rtcp_mux[a->off] =
		m->mux_offered && !(f & CTL_MUX_REJECT) &&
		(ans || (f & (CTL_MUX_ACCEPT | CTL_MUX_DEMUX | CTL_MUX_REQUIRE)));
}

static int answer_media(struct answer *a, unsigned i)
{
	const struct aegw_sdp_media *sm = &a->sdp->media[i];
	struct ctl_media *m = &a->work[i];

	if (sm->clock_rate) /* the answerer's choice of the offer's */
		m->clock_rate = sm->clock_rate;
	m->keys_in_sdp |= sm->n_crypto || sm->s.key_mgmt || sm->s.zrtp ||
			  a->sdp->session.key_mgmt || a->sdp->session.zrtp;
	if (m->passthrough && ctl_proto_is_tcp(sm)) { /* as the offer's */
		ctl_edit_keep(&a->edit.media[i], a->sdp, i, a->session_addr,
			      sizeof(a->session_addr));
		return 0;
	}
	/* An answer over UDP to a section over TCP (RFC 3264 6 wants the
	 * offer's transport) would lead media around aegw: refused, port 0
	 * below, as for a section that was rejected. */
	a->edit.media[i].set_port = m->rejected; /* RFC 3264 6: port 0 stays */
	if (m->rejected || sm->port == 0) {
		m->rejected = true;
		ctl_edit_rejected(&a->edit.media[i], sm, a->c->iface[a->off]);
		return 0;
	}
	ctl_sdp_peer_of(a->req, a->sdp, sm, &m->leg[a->ans]);
	negotiate_mux(a, m, sm->rtcp_mux);
	if (answerer_key(a, i) || offerer_key(a, i))
		return -1;
	answer_edit(a, i);
	return 0;
}

/* Installs every media, then makes the work the call's media. */
static int install_and_commit(struct answer *a)
{
	struct ctl_call *c = a->c;
	int rc = 0;

	/* What the workers said of the streams before this answer, into
	 * what the install resumes from: after it, it may be of contexts
	 * that are gone. */
	ctl_readings_apply_call(a->ctl, c);
	for (unsigned i = 0; i < a->n; i++) {
		const struct ctl_media *old = i < c->n_media ? &c->media[i] :
							       NULL;

		if (ctl_media_install(a->ctl, c, &a->work[i], old, a->err,
				      a->errlen))
			rc = -1;
	}
	c->resume_gen++;
	ctl_media_drop_keys(c->media, c->n_media);
	memcpy(c->media, a->work, sizeof(a->work[0]) * a->n);
	c->n_media = a->n;
	ctl_media_drop_keys(c->pending, c->n_pending);
	c->n_pending = 0;
	c->has_pending = false;
	c->answered = true;
	a->committed = true;
	return rc;
}

static int dup_media(struct answer *a)
{
	const struct ctl_media *src = a->c->has_pending ? a->c->pending :
							  a->c->media;

	for (unsigned i = 0; i < a->n; i++) {
		if (ctl_media_dup(&a->work[i], &src[i])) {
			ctl_media_drop_keys(a->work, i);
			snprintf(a->err, a->errlen, "out of key memory");
			return -1;
		}
	}
	return 0;
}

static int build(struct answer *a, char *out, size_t cap, size_t *out_len)
{
	struct ctl_sdp_sent sent;
	int rc = -1;

	if (a->sdp->n_media != a->n) {
		snprintf(a->err, a->errlen, "the answer has %u m= sections, "
			 "the offer %u (RFC 3264 6)", a->sdp->n_media, a->n);
		return -1;
	}
	if (dup_media(a))
		return -1;
	for (unsigned i = 0; i < a->n; i++)
		if (answer_media(a, i))
			goto fail;
	ctl_edit_session(a->ctl, &a->edit, a->sdp, a->c->iface[a->off],
			 a->req);
	if (aegw_sdp_rewrite(a->sdp, &a->edit, out, cap, out_len, a->err,
			     a->errlen) ||
	    ctl_sdp_version(&a->c->sent[a->off], a->sdp, &a->edit, out, cap,
			    out_len, &sent, a->err, a->errlen))
		goto fail;
	rc = install_and_commit(a);
	if (!rc)
		a->c->sent[a->off] = sent;
	goto out;
fail:
	ctl_media_drop_keys(a->work, a->n);
out:
	aegw_wipe(a->lines, sizeof(a->lines));
	return rc;
}

/* The answer comes from the monologue the offer did not: its from-tag is
 * the offerer's, its to-tag names the answerer. */
static int sides(struct ctl_call *c, const struct ctl_sdp_req *req,
		 char *err, size_t errlen)
{
	int side = ctl_call_side(c, req->from_tag.p, req->from_tag.len);
	unsigned ans;

	if (side < 0 || (unsigned)side != c->offerer) {
		snprintf(err, errlen, "from-tag is not the offerer's");
		return -1;
	}
	ans = 1u - (unsigned)side;
	if (c->tag[ans] &&
	    ctl_call_side(c, req->to_tag.p, req->to_tag.len) == (int)ans)
		return side;
	if (c->tag[ans])
		ctl_log(CTL_LOG_INFO, "call %s: answer from another to-tag "
			"(forking); the last answer wins", c->call_id);
	if (ctl_call_set_tag(c, ans, req->to_tag.p, req->to_tag.len)) {
		snprintf(err, errlen, "to-tag too long");
		return -1;
	}
	return side;
}

enum ctl_result ctl_call_answer(struct ctl *ctl, const struct ctl_sdp_req *req,
				char *out, size_t cap, size_t *out_len,
				char *err, size_t errlen)
{
	/* On the request's own stack: another request may run while this one
	 * waits for the dataplane (fiber.h). */
	struct answer a;
	const struct aegw_sdp *sdp;
	struct ctl_call *c;
	int side;

	if (ctl_req_check(req, true, err, errlen) ||
	    !(sdp = ctl_sdp_load(ctl, req, err, errlen)))
		return CTL_RESULT_ERROR;
	if (ctl_sdp_looped(ctl, req, sdp))
		return ctl_sdp_pass_looped(ctl, req, out, cap, out_len, err,
					   errlen) ? CTL_RESULT_ERROR :
						     CTL_RESULT_OK;
	c = ctl_call_find(&ctl->calls, req->call_id.p, req->call_id.len);
	if (!c) {
		snprintf(err, errlen, "Unknown call-id");
		return CTL_RESULT_ERROR;
	}
	side = sides(c, req, err, errlen);
	if (side < 0)
		return CTL_RESULT_ERROR;
	memset(&a, 0, sizeof(a));
	a.ctl = ctl;
	a.c = c;
	a.req = req;
	a.sdp = sdp;
	a.off = (unsigned)side;
	a.ans = 1u - (unsigned)side;
	a.n = c->has_pending ? c->n_pending : c->n_media;
	a.err = err;
	a.errlen = errlen;
	c->last_signal = time(NULL);
	if (build(&a, out, cap, out_len)) {
		/* A failed install changed the call all the same (its media,
		 * their readings): a restart must not take back the old. */
		if (a.committed)
			ctl_journal_put(ctl, c);
		return CTL_RESULT_ERROR;
	}
	ctl_timeout_signal(ctl, c);
	ctl_journal_put(ctl, c);
	return CTL_RESULT_OK;
}

void ctl_call_delete(struct ctl *ctl, struct ctl_call *c)
{
	for (unsigned i = 0; i < c->n_media; i++)
		if (c->media[i].installed)
			ctl_media_uninstall(ctl, &c->media[i]);
	ctl_journal_drop(ctl, c);
	ctl_call_destroy(&ctl->calls, c);
}
