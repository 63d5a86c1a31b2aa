/* The TS 33.328 policy for one media, from the offer:
 *
 *   offer                       toward the answerer       mode
 *   a=key-mgmt (MIKEY)          unchanged                 e2e KMS (7.2.3)
 *   SAVP + crypto, asked AVP    AVP, no crypto            e2ae
 *   SAVP + crypto, 3ge2ae:req   AVP (SAVP if asked: new   e2ae (recrypt)
 *                               key from aegw)
 *     ... the offerer told      unchanged                 e2e SDES (7.2.2)
 *     "not supported" (store)
 *   SAVP + crypto, "recrypt"    SAVP with aegw's key      recrypt
 *   SAVP, nothing asked         unchanged                 e2e SDES (7.2.2)
 *   AVP, asked SAVP             SAVP with aegw's key      e2ae (terminating)
 *   AVP, nothing asked, the     SAVP with aegw's key      e2ae (terminating)
 *   answerer e2ae + preferred
 *   AVP                         AVP                       relay
 *   other protocols             unchanged                 relay
 *
 * What the P-CSCF asks (transport-protocol, recrypt) always wins: the
 * registration store decides only what it left open. */
#include <string.h>

#include "policy.h"

bool ctl_proto_secure(enum aegw_sdp_proto p)
{
	return p == AEGW_SDP_PROTO_RTP_SAVP || p == AEGW_SDP_PROTO_RTP_SAVPF;
}

enum aegw_sdp_proto ctl_proto_plain(enum aegw_sdp_proto p)
{
	if (p == AEGW_SDP_PROTO_RTP_SAVP)
		return AEGW_SDP_PROTO_RTP_AVP;
	if (p == AEGW_SDP_PROTO_RTP_SAVPF)
		return AEGW_SDP_PROTO_RTP_AVPF;
	return p;
}

enum aegw_sdp_proto ctl_proto_srtp(enum aegw_sdp_proto p)
{
	if (p == AEGW_SDP_PROTO_RTP_AVP)
		return AEGW_SDP_PROTO_RTP_SAVP;
	if (p == AEGW_SDP_PROTO_RTP_AVPF)
		return AEGW_SDP_PROTO_RTP_SAVPF;
	return p;
}

enum aegw_sdp_proto ctl_proto_parse(const char *p, size_t len)
{
	static const enum aegw_sdp_proto all[] = {
		AEGW_SDP_PROTO_RTP_AVP, AEGW_SDP_PROTO_RTP_SAVP,
		AEGW_SDP_PROTO_RTP_AVPF, AEGW_SDP_PROTO_RTP_SAVPF,
	};

	for (unsigned i = 0; p && i < sizeof(all) / sizeof(all[0]); i++) {
		const char *name = aegw_sdp_proto_name(all[i]);

		if (name && strlen(name) == len && !memcmp(name, p, len))
			return all[i];
	}
	return AEGW_SDP_PROTO_OTHER;
}

/* An SRTP offer that aegw terminates. */
static void terminate_offerer(const struct ctl_policy_in *in,
			      enum aegw_sdp_proto target,
			      struct ctl_policy_out *out)
{
	if (!in->usable_crypto) {
		out->error = "no a=crypto line with a suite aegw supports";
		return;
	}
	out->srtp_offerer = true;
	out->srtp_answerer = ctl_proto_secure(target);
	out->mode = out->srtp_answerer ? CTL_MODE_RECRYPT : CTL_MODE_E2AE;
	out->answerer_proto = target;
}

/* Toward the answerer when the P-CSCF did not say: plain RTP for a UE's
 * honoured e2ae request, SRTP toward a UE the store prefers e2ae for,
 * else what was offered. */
static enum aegw_sdp_proto default_target(const struct ctl_policy_in *in,
					  bool requested)
{
	if (ctl_proto_secure(in->offer_proto))
		return requested && !in->recrypt ?
			       ctl_proto_plain(in->offer_proto) :
			       in->offer_proto;
	return in->answerer_e2ae ? ctl_proto_srtp(in->offer_proto) :
				   in->offer_proto;
}

void ctl_policy_offer(const struct ctl_policy_in *in,
		      struct ctl_policy_out *out)
{
	enum aegw_sdp_proto target = in->asked_proto;
	bool secure = ctl_proto_secure(in->offer_proto);
	/* TS 33.328 7.1: e2ae only where the network said it supports it;
	 * otherwise the offer goes on as e2e, as through a P-CSCF without
	 * e2ae, and the UE sees no a=3ge2ae:applied. */
	bool requested = in->e2ae_requested && !in->offerer_no_e2ae;

	memset(out, 0, sizeof(*out));
	out->mode = CTL_MODE_RELAY;
	out->answerer_proto = AEGW_SDP_PROTO_OTHER;
	if (in->offer_proto == AEGW_SDP_PROTO_OTHER)
		return;
	if (in->key_mgmt) {
		out->mode = CTL_MODE_E2E_KMS;
		return;
	}
	if (target == AEGW_SDP_PROTO_OTHER)
		target = default_target(in, requested);
	out->answerer_proto = target;
	if (secure && (requested || in->recrypt ||
		       !ctl_proto_secure(target)))
		terminate_offerer(in, target, out);
	else if (secure)
		out->mode = CTL_MODE_E2E_SDES;
	else if (ctl_proto_secure(target)) {
		out->mode = CTL_MODE_E2AE;
		out->srtp_answerer = true;
	}
}
