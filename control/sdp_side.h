/* What offer and answer share: the peer a side's SDP names, aegw's own
 * SRTP keys (made, formatted), the peer's key taken from its a=crypto
 * line, and the parts of an SDP edit that depend only on the interface
 * the SDP goes to. Control thread only. */
#ifndef CTL_SDP_SIDE_H
#define CTL_SDP_SIDE_H

#include "aegw/sdp.h"
#include "calls.h"
#include "ports.h"
#include "sdp_offer.h"

/* The RTP address a section asks for (media c= or session c=, m= port);
 * family 0 when it names none aegw can use (0.0.0.0, a host name). */
void ctl_sdp_peer(const struct aegw_sdp *sdp, const struct aegw_sdp_media *sm,
		  struct aegw_endpoint *peer);
/* Leg l's peer (l->peer, l->peer_rtcp_port, l->dir) from the section its
 * side sent: as ctl_sdp_peer, but the SIP source instead of the SDP's address
 * when the request asks for it (req->sip_source); the section's a=rtcp
 * port (RFC 3605) when it is not RTP's + 1 and names no other address
 * than RTP's (aegw sends RTCP to RTP's address), else 0. */
void ctl_sdp_peer_of(const struct ctl_sdp_req *req,
		     const struct aegw_sdp *sdp,
		     const struct aegw_sdp_media *sm, struct ctl_leg *l);

/* The offered line with tag and suite that aegw answered with, or -1. */
int ctl_sdp_crypto_find(const struct aegw_sdp_media *sm, uint32_t tag,
			enum aegw_suite suite);

/* l->peer_key from a usable a=crypto line; l->crypto_tag, suite and
 * session_params from it too. 0, or -1 with the reason in err. */
int ctl_leg_take_key(struct ctl_leg *l, const struct aegw_sdp_crypto *line,
		     char *err, size_t errlen);
/* l->our_key: a fresh random key of l->suite (RAND_bytes), with
 * l->session_params. 0, or -1 with the reason in err. */
int ctl_leg_make_key(struct ctl_leg *l, char *err, size_t errlen);
/* aegw's key on leg was, if leg now asks for the same suite and session
 * parameters: the key a re-offer or re-answer may give again. Or NULL. */
const struct aegw_srtp_config *ctl_leg_key_again(const struct ctl_leg *was,
						 const struct ctl_leg *now);
/* The a=crypto value for l->our_key into out (AEGW_SDP_CRYPTO_BUF): it
 * holds the key, the caller wipes it. 0 or -1. */
int ctl_leg_format_key(const struct ctl_leg *l, char *out, size_t cap);

/* Session-level edit toward an interface: c= (when the SDP has one) and,
 * if asked, o=; ICE lines and a=group:BUNDLE, always removed; with
 * loop-protect, ctl's mark in every m= (ctl_sdp_looped). */
void ctl_edit_session(const struct ctl *ctl, struct aegw_sdp_edit *ed,
		      const struct aegw_sdp *sdp, const struct ctl_iface *ifc,
		      const struct ctl_sdp_req *req);
/* Media-level address, port and RTCP toward an interface: c= where the
 * section has one (or where nothing gives one), m= port, and RFC 3605's
 * a=rtcp with aegw's RTCP port (none in a section that is not RTP, the
 * peer's removed); with no_rtcp_attr (rtpengine's
 * no-rtcp-attribute) no a=rtcp, the peer's removed too: the other side
 * takes port + 1, RFC 3605's default and aegw's RTCP port when not
 * muxed. */
void ctl_edit_media(struct aegw_sdp_media_edit *me, const struct aegw_sdp *sdp,
		    unsigned i, const struct ctl_iface *ifc, uint16_t port,
		    bool rtcp_mux, bool no_rtcp_attr);

/* A rejected section (port 0): its own c= becomes aegw's (the peer's
 * address stays on its side), its a=3ge2ae and any a=rtcp go. */
void ctl_edit_rejected(struct aegw_sdp_media_edit *me,
		       const struct aegw_sdp_media *sm,
		       const struct ctl_iface *ifc);
/* The section's protocol runs over TCP (TCP/MSRP, TCP/TLS/BFCP,
 * TCP/RTP/AVP): aegw relays UDP only. */
bool ctl_proto_is_tcp(const struct aegw_sdp_media *sm);
/* A section that passes as it came (passthrough): the edit keeps it, and
 * where it took the session's c=, which aegw replaces, it gets that
 * address as its own (written into addr, cap bytes, if it is an IP
 * address). */
void ctl_edit_keep(struct aegw_sdp_media_edit *me, const struct aegw_sdp *sdp,
		   unsigned i, char *addr, size_t cap);
/* a=crypto toward the peer of leg l: aegw's own line (*line) where aegw
 * terminates SRTP on that leg, none where it does not. */
void ctl_edit_crypto(struct aegw_sdp_media_edit *me, const struct ctl_leg *l,
		     const char **line);

/* The keys an offer (answer: to-tag too) must carry. 0, or -1 with
 * rtpengine's words for what is missing in err. */
int ctl_req_check(const struct ctl_sdp_req *req, bool answer, char *err,
		  size_t errlen);
/* Parses req's SDP into req->parsed (or ctl->sdp): that, or NULL with
 * the reason in err. */
struct aegw_sdp *ctl_sdp_load(struct ctl *ctl, const struct ctl_sdp_req *req,
			      char *err, size_t errlen);

/* E2AE and RECRYPT: aegw holds keys and owns the a=crypto lines. */
bool ctl_mode_terminates(enum ctl_mode m);

/* loop-protect (rtpengine's flag for an SDP that may pass aegw twice,
 * as a call between two UEs of one P-CSCF does): the SDP aegw sends
 * carries its mark in every m= section, and a request whose SDP has it
 * in every one and is what aegw last sent a side of that call is
 * answered with that SDP unchanged, the call untouched.
 * ctl_sdp_loop_mark makes a daemon's mark (0, or -1: no randomness). */
int ctl_sdp_loop_mark(char *out, size_t cap);
bool ctl_sdp_looped(const struct ctl *ctl, const struct ctl_sdp_req *req,
		    const struct aegw_sdp *sdp);
/* A looped request's reply: its SDP unchanged, counted. 0, or -1 when
 * it does not fit. */
int ctl_sdp_pass_looped(struct ctl *ctl, const struct ctl_sdp_req *req,
			char *out, size_t cap, size_t *out_len, char *err,
			size_t errlen);

#endif
