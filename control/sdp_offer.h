/* The call actions the ng handler (and, later, aegwctl) run: offer and
 * answer, each taking an SDP from one side and returning the SDP for the
 * other, rewritten to aegw's addresses, ports, protocols and keys; and
 * delete. Control thread only. */
#ifndef CTL_SDP_OFFER_H
#define CTL_SDP_OFFER_H

#include <stdbool.h>
#include <stddef.h>

#include "aegw/sdp.h"
#include "aegw/wire.h"
#include "ctl.h"

struct ctl_str {
	const char *p; /* NULL: absent */
	size_t len;
};

/* An offer or answer, as the P-CSCF asked for it. */
struct ctl_sdp_req {
	struct ctl_str call_id, from_tag, to_tag, sdp;
	enum aegw_sdp_proto transport;  /* transport-protocol; OTHER: none */
	struct ctl_str direction[2];    /* interface names; p NULL: default */
	/* ICE=force or force-relay: the P-CSCF wants aegw to be an ICE
	 * agent, which it is not. Every other value, and none, has the
	 * ICE lines removed (ctl_edit_session). */
	bool ice_force;
	bool replace_origin;            /* replace: origin */
	bool recrypt;                   /* flags: recrypt */
	bool load_limit_supported;      /* supports: load limit */
	bool loop_protect;              /* flags: loop-protect */
	bool no_rtcp_attr;              /* flags: no-rtcp-attribute */
	/* aegw's extension keys: the UEs the registration store is asked
	 * about (TS 33.328 7.1); p NULL: not named. */
	struct ctl_str ue_identity;         /* the answerer (terminating) */
	struct ctl_str offerer_ue_identity; /* the offerer (originating) */
	enum aegw_suite allow[AEGW_SUITE_COUNT]; /* SDES only-/no-; */
	unsigned n_allow;                        /* 0: every suite */
	/* SDES unencrypted_srtp, encrypted_srtp...: session parameters
	 * aegw's own key toward the answerer gets, or loses, whatever the
	 * offerer's line had (RFC 4568 6.3). */
	unsigned params_set, params_clear;
	/* flags: SIP-source-address, with received-from: the address the
	 * SIP message came from stands for the one its SDP names (a UE
	 * behind NAT); the SDP's port stays. family 0: the SDP's. */
	struct aegw_endpoint sip_source;
	/* SDES off (or no, disable, disabled): no a=crypto from aegw. With no
	 * other key exchange, a leg aegw would have to key fails instead. */
	bool sdes_off;
	uint8_t mux_flags;              /* rtcp-mux: CTL_MUX_* */
	struct aegw_sdp *parsed;        /* where the SDP is parsed; NULL:
					 * ctl->sdp */
};

/* rtpengine's rtcp-mux values. offer: a=rtcp-mux toward the answerer
 * even when the offerer did not offer it; demux: not toward the answerer,
 * but the offerer's accepted; accept: the offerer's accepted whatever the
 * answerer says; reject: none on either leg; require: toward the answerer,
 * taken as accepted there. Leg by leg (calls.h rtcp_mux). */
enum {
	CTL_MUX_OFFER = 1u << 0,
	CTL_MUX_DEMUX = 1u << 1,
	CTL_MUX_ACCEPT = 1u << 2,
	CTL_MUX_REJECT = 1u << 3,
	CTL_MUX_REQUIRE = 1u << 4,
};

enum ctl_result {
	CTL_RESULT_OK,
	CTL_RESULT_ERROR,
	CTL_RESULT_LOAD_LIMIT,
};

/* The text of a no-ports error, as rtpengine words it: Kamailio then tries
 * its next node. */
#define CTL_ERR_NO_PORTS "Ran out of ports"
/* SDES off where aegw terminates SRTP: it has no other way to give its
 * key (no DTLS-SRTP). */
#define CTL_ERR_SDES_OFF "SDES off, but aegw would terminate SRTP on a " \
			 "leg and has no other key exchange"

/* Writes the SDP for the answerer into out (cap bytes) and *out_len; on
 * CTL_RESULT_ERROR the reason is in err. out may hold a key: the caller
 * wipes it. */
enum ctl_result ctl_call_offer(struct ctl *ctl, const struct ctl_sdp_req *req,
			       char *out, size_t cap, size_t *out_len,
			       char *err, size_t errlen);
/* Likewise for the offerer, and installs the streams. */
enum ctl_result ctl_call_answer(struct ctl *ctl, const struct ctl_sdp_req *req,
				char *out, size_t cap, size_t *out_len,
				char *err, size_t errlen);
/* Removes the call's streams and the call. */
void ctl_call_delete(struct ctl *ctl, struct ctl_call *c);

#endif
