/* Which protection a media gets (TS 33.328), decided from the offer: the
 * table in docs/CONTROL.md, in one function. Pure: no state, any thread. */
#ifndef CTL_POLICY_H
#define CTL_POLICY_H

#include <stdbool.h>

#include "aegw/sdp.h"
#include "calls.h"

struct ctl_policy_in {
	enum aegw_sdp_proto offer_proto; /* the offerer's m= protocol */
	enum aegw_sdp_proto asked_proto; /* transport-protocol; OTHER: none */
	bool usable_crypto;   /* an a=crypto line aegw can answer */
	bool key_mgmt;        /* a=key-mgmt (MIKEY: e2e KMS) */
	bool e2ae_requested;  /* a=3ge2ae:requested (TS 24.229 7.5.2) */
	bool recrypt;         /* the P-CSCF asked for "recrypt" */
	/* From the registration store (TS 33.328 7.1), for UEs the offer
	 * names; false for a UE not named or not registered: */
	bool answerer_e2ae;   /* the answerer registered with e2ae support
			       * on an access network whose policy is
			       * `preferred`: terminating e2ae */
	bool offerer_no_e2ae; /* the network told the offerer's
			       * registration e2ae is not supported: its
			       * a=3ge2ae:requested is not honoured */
};

struct ctl_policy_out {
	enum ctl_mode mode;
	bool srtp_offerer;    /* aegw terminates SRTP toward the offerer */
	bool srtp_answerer;   /* ... and toward the answerer */
	enum aegw_sdp_proto answerer_proto; /* m= protocol toward the
					     * answerer; OTHER: keep */
	const char *error;    /* set: the offer cannot be served */
};

void ctl_policy_offer(const struct ctl_policy_in *in,
		      struct ctl_policy_out *out);

/* RTP/SAVP and RTP/SAVPF. */
bool ctl_proto_secure(enum aegw_sdp_proto p);
/* RTP/SAVP -> RTP/AVP, RTP/SAVPF -> RTP/AVPF; others unchanged. */
enum aegw_sdp_proto ctl_proto_plain(enum aegw_sdp_proto p);
/* RTP/AVP -> RTP/SAVP, RTP/AVPF -> RTP/SAVPF; others unchanged. */
enum aegw_sdp_proto ctl_proto_srtp(enum aegw_sdp_proto p);
/* "RTP/AVP" ... -> the enum; OTHER for anything else. */
enum aegw_sdp_proto ctl_proto_parse(const char *p, size_t len);

#endif
