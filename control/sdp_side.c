/* Helpers for one side of an offer/answer: its peer, keys, and the edit
 * toward its interface. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "aegw/wipe.h"
#include "ctl.h"
#include "sdp_side.h"
#include "secret.h"

bool ctl_mode_terminates(enum ctl_mode m)
{
	return m == CTL_MODE_E2AE || m == CTL_MODE_RECRYPT;
}

static bool all_zero(const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* c's address into ip[16] (zeroed first); false when it is none aegw
 * can send to. */
static bool conn_ip(const struct aegw_sdp_conn *c, uint8_t ip[16])
{
	char buf[CTL_ADDR_TEXT_MAX];
	size_t n = 0;

	memset(ip, 0, 16);
	if (!c->present || (c->family != 4 && c->family != 6))
		return false;
	while (n < c->addr.n && c->addr.p[n] != '/' && n + 1 < sizeof(buf)) {
		buf[n] = c->addr.p[n];
		n++;
	}
	buf[n] = 0;
	if (inet_pton(c->family == 4 ? AF_INET : AF_INET6, buf, ip) == 1 &&
	    !all_zero(ip, c->family == 4 ? 4 : 16))
		return true;
	memset(ip, 0, 16);
	return false;
}

void ctl_sdp_peer(const struct aegw_sdp *sdp, const struct aegw_sdp_media *sm,
		  struct aegw_endpoint *peer)
{
	const struct aegw_sdp_conn *c = sm->s.c.present ? &sm->s.c :
							  &sdp->session.c;

	memset(peer, 0, sizeof(*peer));
	if (!conn_ip(c, peer->ip))
		return;
	peer->family = (uint8_t)c->family;
	peer->port = sm->port;
}

/* rtp: where the section's RTP goes (ctl_sdp_peer, family set). */
static uint16_t peer_rtcp_port(const struct aegw_sdp_media *sm,
			       const struct aegw_endpoint *rtp)
{
	uint8_t ip[16];

	if (!sm->has_rtcp || !sm->rtcp_port ||
	    sm->rtcp_port == (uint16_t)(sm->port + 1))
		return 0;
	if (!sm->rtcp_addr.present)
		return sm->rtcp_port;
	if (!conn_ip(&sm->rtcp_addr, ip) ||
	    sm->rtcp_addr.family != rtp->family || memcmp(ip, rtp->ip, 16))
		return 0;
	return sm->rtcp_port;
}

void ctl_sdp_peer_of(const struct ctl_sdp_req *req,
		     const struct aegw_sdp *sdp,
		     const struct aegw_sdp_media *sm, struct ctl_leg *l)
{
	ctl_sdp_peer(sdp, sm, &l->peer);
	l->peer_rtcp_port = l->peer.family ? peer_rtcp_port(sm, &l->peer) : 0;
	/* RFC 8866 6.7: the media's attribute, else the session's. */
	l->dir = (uint8_t)(sm->s.dir != AEGW_SDP_DIR_NONE ? sm->s.dir :
							    sdp->session.dir);
	if (!req->sip_source.family || !sm->port)
		return;
	l->peer = req->sip_source;
	l->peer.port = sm->port;
}

int ctl_sdp_crypto_find(const struct aegw_sdp_media *sm, uint32_t tag,
			enum aegw_suite suite)
{
	unsigned n = sm->n_crypto < AEGW_SDP_MAX_CRYPTO ? sm->n_crypto :
							  AEGW_SDP_MAX_CRYPTO;

	for (unsigned i = 0; i < n; i++)
		if (sm->crypto[i].status == 0 && sm->crypto[i].tag == tag &&
		    sm->crypto[i].suite == suite)
			return (int)i;
	return -1;
}

int ctl_leg_take_key(struct ctl_leg *l, const struct aegw_sdp_crypto *line,
		     char *err, size_t errlen)
{
	struct aegw_srtp_config *cfg = ctl_secret_alloc();
	char msg[128];

	if (!cfg) {
		snprintf(err, errlen, "out of key memory");
		return -1;
	}
	if (aegw_sdp_crypto_to_config(line, cfg, msg, sizeof(msg))) {
		ctl_secret_free(cfg);
		snprintf(err, errlen, "a=crypto:%u: %s", line->tag, msg);
		return -1;
	}
	cfg->kind = AEGW_SRTP_RTP;
	ctl_secret_free(l->peer_key);
	l->peer_key = cfg;
	l->crypto_tag = line->tag;
	l->suite = line->suite;
	l->session_params = line->session_params;
	return 0;
}

const struct aegw_srtp_config *ctl_leg_key_again(const struct ctl_leg *was,
						 const struct ctl_leg *now)
{
	if (!was->srtp || !was->our_key || was->suite != now->suite ||
	    was->our_key->session_params != now->session_params)
		return NULL;
	return was->our_key;
}

int ctl_leg_make_key(struct ctl_leg *l, char *err, size_t errlen)
{
	const struct aegw_suite_info *si = aegw_suite_info(l->suite);
	struct aegw_srtp_config *cfg = ctl_secret_alloc();
	struct aegw_sdes_key k;
	uint8_t raw[AEGW_SRTP_MAX_KEY_LEN + AEGW_SRTP_MAX_SALT_LEN];
	int rc = -1;

	memset(&k, 0, sizeof(k));
	if (!cfg || !si) {
		snprintf(err, errlen, si ? "out of key memory" : "unknown suite");
		goto out;
	}
	if (ctl_secret_random(raw, si->key_len + si->salt_len)) {
		snprintf(err, errlen, "no randomness for a key (RAND_bytes)");
		goto out;
	}
	memcpy(k.key, raw, si->key_len);
	memcpy(k.salt, raw + si->key_len, si->salt_len);
	aegw_sdes_key_to_config(&k, l->suite, cfg);
	cfg->kind = AEGW_SRTP_RTP;
	cfg->session_params = l->session_params;
	ctl_secret_free(l->our_key);
	l->our_key = cfg;
	cfg = NULL;
	rc = 0;
out:
	ctl_secret_free(cfg);
	aegw_sdes_key_wipe(&k);
	aegw_wipe(raw, sizeof(raw));
	return rc;
}

int ctl_leg_format_key(const struct ctl_leg *l, char *out, size_t cap)
{
	const struct aegw_suite_info *si = aegw_suite_info(l->suite);
	struct aegw_sdes_key k;
	int rc;

	if (!l->our_key || !si)
		return -1;
	memset(&k, 0, sizeof(k));
	memcpy(k.key, l->our_key->keys[0].key, si->key_len);
	memcpy(k.salt, l->our_key->keys[0].salt, si->salt_len);
	rc = aegw_sdp_crypto_format(l->crypto_tag, l->suite, &k,
				    l->session_params, out, cap);
	aegw_sdes_key_wipe(&k);
	return rc ? -1 : 0;
}

/* RFC 3264 8.4's older hold: a c= of 0.0.0.0 (or ::) asks for no media.
 * It passes as it came: aegw's address there would undo the hold. */
static bool held(const struct aegw_sdp_conn *c)
{
	return c->present &&
	       ((c->addr.n == 7 && !memcmp(c->addr.p, "0.0.0.0", 7)) ||
		(c->addr.n == 2 && !memcmp(c->addr.p, "::", 2)));
}

void ctl_edit_session(const struct ctl *ctl, struct aegw_sdp_edit *ed,
		      const struct aegw_sdp *sdp, const struct ctl_iface *ifc,
		      const struct ctl_sdp_req *req)
{
	ed->addr = sdp->session.c.present && !held(&sdp->session.c) ?
			   ctl_iface_sdp_addr(ifc->cfg) : NULL;
	ed->origin_addr = req->replace_origin ? ctl_iface_sdp_addr(ifc->cfg) : NULL;
	/* Always: aegw is no ICE agent, and a peer's candidates, passed
	 * on, would name addresses other than the c=/m= aegw put there
	 * (RFC 8839 5.1: the other side would find the default candidate
	 * missing, or try to reach the peer around the gateway). */
	ed->remove_ice = true;
	/* Always: every m= gets a port pair of aegw's own, so media that a
	 * peer bundled onto one of them (RFC 8843) would reach the wrong
	 * stream. Without a=group:BUNDLE in the offer the answerer does not
	 * bundle, and without it in the answer neither does the offerer. */
	ed->remove_bundle = true;
	ed->media_attr = req->loop_protect ? ctl->loop_mark : NULL;
}

void ctl_edit_media(struct aegw_sdp_media_edit *me, const struct aegw_sdp *sdp,
		    unsigned i, const struct ctl_iface *ifc, uint16_t port,
		    bool rtcp_mux, bool no_rtcp_attr)
{
	const struct aegw_sdp_media *sm = &sdp->media[i];

	if (sm->s.c.present ? !held(&sm->s.c) : !sdp->session.c.present)
		me->addr = ctl_iface_sdp_addr(ifc->cfg);
	me->set_port = true;
	me->port = port;
	/* RFC 3605 is RTP's: no a=rtcp for udptl or DTLS/SCTP sections,
	 * and a peer's there named its own port and address, not aegw's. */
	if (no_rtcp_attr ||
	    (sm->proto_id == AEGW_SDP_PROTO_OTHER &&
	     (!sm->proto.n || !memmem(sm->proto.p, sm->proto.n, "RTP/", 4)))) {
		me->rtcp = AEGW_SDP_REMOVE;
		return;
	}
	me->rtcp = AEGW_SDP_SET;
	me->rtcp_port = rtcp_mux ? port : (uint16_t)(port + 1);
}

void ctl_edit_rejected(struct aegw_sdp_media_edit *me,
		       const struct aegw_sdp_media *sm,
		       const struct ctl_iface *ifc)
{
	if (sm->s.c.present && !held(&sm->s.c))
		me->addr = ctl_iface_sdp_addr(ifc->cfg);
	me->e2ae = AEGW_SDP_REMOVE;
	me->rtcp = AEGW_SDP_REMOVE; /* it named the peer's side */
}

bool ctl_proto_is_tcp(const struct aegw_sdp_media *sm)
{
	return sm->proto.n >= 3 && !strncasecmp(sm->proto.p, "TCP", 3) &&
	       (sm->proto.n == 3 || sm->proto.p[3] == '/');
}

void ctl_edit_keep(struct aegw_sdp_media_edit *me, const struct aegw_sdp *sdp,
		   unsigned i, char *addr, size_t cap)
{
	const struct aegw_sdp_conn *sc = &sdp->session.c;
	uint8_t ip[16];

	memset(me, 0, sizeof(*me));
	if (sdp->media[i].s.c.present || !sc->present ||
	    sc->addr.n >= cap)
		return;
	memcpy(addr, sc->addr.p, sc->addr.n);
	addr[sc->addr.n] = '\0';
	if (inet_pton(sc->family == 6 ? AF_INET6 : AF_INET, addr, ip) == 1)
		me->addr = addr;
}

void ctl_edit_crypto(struct aegw_sdp_media_edit *me, const struct ctl_leg *l,
		     const char **line)
{
	me->crypto = l->srtp ? AEGW_SDP_SET : AEGW_SDP_REMOVE;
	me->crypto_lines = line;
	me->n_crypto_lines = l->srtp ? 1 : 0;
}

int ctl_req_check(const struct ctl_sdp_req *req, bool answer, char *err,
		  size_t errlen)
{
	const char *missing = !req->call_id.p ? "No call-id in message" :
			      !req->from_tag.p ? "No from-tag in message" :
			      answer && !req->to_tag.p ? "No to-tag in message" :
			      !req->sdp.p ? "No SDP body in message" : NULL;

	if (missing)
		snprintf(err, errlen, "%s", missing);
	return missing ? -1 : 0;
}

struct aegw_sdp *ctl_sdp_load(struct ctl *ctl, const struct ctl_sdp_req *req,
			      char *err, size_t errlen)
{
	struct aegw_sdp *into = req->parsed ? req->parsed : ctl->sdp;
	char msg[160];

	if (!aegw_sdp_parse(into, req->sdp.p, req->sdp.len, msg, sizeof(msg)))
		return into;
	snprintf(err, errlen, "Failed to parse SDP: %s", msg);
	return NULL;
}

int ctl_sdp_loop_mark(char *out, size_t cap)
{
	uint8_t r[8];
	int n;

	if (ctl_secret_random(r, sizeof(r)))
		return -1;
	n = snprintf(out, cap, "rtpengine:%02x%02x%02x%02x%02x%02x%02x%02x",
		     r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* a=MARK, blanks after it allowed. */
static bool is_mark(const struct aegw_sdp_line *l, const char *mark)
{
	size_t n = strlen(mark);

	if (l->type != 'a' || l->len < n || memcmp(l->value, mark, n))
		return false;
	for (size_t i = n; i < l->len; i++)
		if (l->value[i] != ' ' && l->value[i] != '\t')
			return false;
	return true;
}

bool ctl_sdp_looped(const struct ctl *ctl, const struct ctl_sdp_req *req,
		    const struct aegw_sdp *sdp)
{
	bool marked[AEGW_SDP_MAX_MEDIA + 1] = { false }; /* [0]: session */
	const struct ctl_call *c;
	uint64_t h;

	if (!req->loop_protect)
		return false;
	for (unsigned i = 0; i < sdp->n_lines; i++)
		if (is_mark(&sdp->lines[i], ctl->loop_mark))
			marked[sdp->lines[i].media + 1] = true;
	if (!sdp->n_media)
		return false;
	for (unsigned m = 0; m < sdp->n_media; m++)
		if (!marked[m + 1])
			return false;
	/* The mark is no secret (every UE sees it): the SDP must also be
	 * one that aegw sent in this call, or a UE could copy the mark into
	 * its own and pass it around aegw. */
	c = ctl_call_find(&ctl->calls, req->call_id.p, req->call_id.len);
	if (!c)
		return false;
	h = ctl_sdp_body_hash(req->sdp.p, req->sdp.len);
	return (c->sent[0].sent && c->sent[0].body == h) ||
	       (c->sent[1].sent && c->sent[1].body == h);
}

int ctl_sdp_pass_looped(struct ctl *ctl, const struct ctl_sdp_req *req,
			char *out, size_t cap, size_t *out_len, char *err,
			size_t errlen)
{
	if (req->sdp.len > cap) {
		snprintf(err, errlen, "SDP too long");
		return -1;
	}
	ctl->stats.loop_protected++;
	memcpy(out, req->sdp.p, req->sdp.len);
	*out_len = req->sdp.len;
	return 0;
}
