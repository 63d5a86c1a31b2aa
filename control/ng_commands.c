/* ng commands: parse, the retransmission cache, dispatch, and the replies
 * of ping, offer, answer, list and statistics (delete and query, which
 * report a call's counters, are in ng_call_stats.c; the registration
 * store's register, deregister and lookup in ng_registry.c; the control
 * socket's admin commands in ng_admin.c). */
#include <arpa/inet.h>
#include <string.h>

#include "aegw/wipe.h"
#include "fiber.h"
#include "fnv.h"
#include "log.h"
#include "ng_admin.h"
#include "ng_call_stats.h"
#include "ng_commands.h"
#include "ng_registry.h"
#include "policy.h"
#include "sdp_offer.h"

/* What a request needs besides its reply: its parsed message, the SDP it
 * brings and the one it returns. One for the loop's own stack, and one
 * per fiber (ctl_fiber_local), so that a request waiting on its fiber
 * keeps its own while others run. */
struct ctl_ng_scratch {
	struct aegw_benc_node nodes[CTL_NG_MAX_NODES];
	struct aegw_sdp sdp;
	char sdp_out[AEGW_SDP_MAX_LEN + 4096];
};

size_t ctl_ng_scratch_size(void)
{
	return sizeof(struct ctl_ng_scratch);
}

static struct ctl_ng_scratch *scratch(void)
{
	static struct ctl_ng_scratch loop_own;
	struct ctl_ng_scratch *f = ctl_fiber_local();

	return f ? f : &loop_own;
}

struct ng_ctx {
	struct ctl *ctl;
	const struct aegw_ng_msg *msg;
	const struct aegw_ng_request *req;
	char *out;
	size_t cap;
	enum ctl_ng_transport from;
};

static size_t reply_error(const struct ng_ctx *x, const char *reason)
{
	ctl_log(CTL_LOG_INFO, "%.*s: error: %s",
		(int)x->req->command_name.len, x->req->command_name.p, reason);
	return aegw_ng_reply_error(x->out, x->cap, x->msg->cookie, reason);
}

/* result, and rtpengine's "message" saying why (NULL: none). */
static size_t reply_result(const struct ng_ctx *x, const char *result,
			   const char *message)
{
	struct aegw_benc_enc e;

	aegw_ng_reply_begin(&e, x->out, x->cap, x->msg->cookie);
	if (message)
		aegw_benc_dict_add_cstr(&e, "message", message);
	aegw_benc_dict_add_cstr(&e, "result", result);
	return aegw_ng_reply_end(&e);
}

static struct ctl_str str_of(struct aegw_ng_str s)
{
	return (struct ctl_str){ s.p, s.len };
}

static bool sdes_flag_names(const struct aegw_benc_node *it, const char *flag,
			    enum aegw_suite s)
{
	const char *name = aegw_suite_info(s)->name;
	size_t fl = strlen(flag);

	return it->len == fl + strlen(name) && !memcmp(it->str, flag, fl) &&
	       !memcmp(it->str + fl, name, it->len - fl);
}

/* it starts with flag and has more. */
static bool has_prefix(const struct aegw_benc_node *it, const char *flag)
{
	return it->len > strlen(flag) && !memcmp(it->str, flag, strlen(flag));
}

/* The suites this request may use, in aegw's order of preference: the
 * operator's --srtp-suites, less what SDES no-SUITE drops, and only
 * those SDES only-SUITE names when it names any. */
static void sdes_allow(const struct ctl_options *o,
		       const struct aegw_benc_node *sdes,
		       struct ctl_sdp_req *r)
{
	const struct aegw_benc_node *it;
	bool any_only = false;

	for (it = aegw_benc_list_first(sdes); it; it = aegw_benc_list_next(it))
		any_only |= has_prefix(it, "only-");
	r->n_allow = 0;
	for (unsigned i = 0; i < o->n_suites; i++) {
		bool only = false, no = false;

		for (it = aegw_benc_list_first(sdes); it;
		     it = aegw_benc_list_next(it)) {
			only |= sdes_flag_names(it, "only-", o->suites[i]);
			no |= sdes_flag_names(it, "no-", o->suites[i]);
		}
		if ((only || !any_only) && !no)
			r->allow[r->n_allow++] = o->suites[i];
	}
	if (r->n_allow == 0) { /* nothing allowed: a suite no line has */
		r->allow[0] = AEGW_SUITE_COUNT;
		r->n_allow = 1;
	}
}

/* SDES flags naming session parameters, as rtpengine takes them. */
static void sdes_params(const struct aegw_benc_node *sdes,
			struct ctl_sdp_req *r)
{
	static const struct {
		const char *flag;
		unsigned param;
	} names[] = {
		{ "unencrypted_srtp", AEGW_SRTP_UNENCRYPTED_SRTP },
		{ "unencrypted_srtcp", AEGW_SRTP_UNENCRYPTED_SRTCP },
		{ "unauthenticated_srtp", AEGW_SRTP_UNAUTHENTICATED_SRTP },
	};

	for (const struct aegw_benc_node *it = aegw_benc_list_first(sdes); it;
	     it = aegw_benc_list_next(it)) {
		for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const char *f = names[i].flag;
			size_t n = strlen(f);

			if (it->len == n && !memcmp(it->str, f, n))
				r->params_set |= names[i].param;
			/* encrypted_srtp, authenticated_srtp: the opposite */
			else if (it->len == n - 2 && !memcmp(it->str, f + 2, n - 2))
				r->params_clear |= names[i].param;
		}
	}
	r->params_set &= ~r->params_clear;
}

static uint8_t mux_flags(const struct aegw_benc_node *list)
{
	static const struct {
		const char *word;
		uint8_t flag;
	} words[] = {
		{ "offer", CTL_MUX_OFFER },   { "demux", CTL_MUX_DEMUX },
		{ "accept", CTL_MUX_ACCEPT }, { "reject", CTL_MUX_REJECT },
		{ "require", CTL_MUX_REQUIRE },
	};
	uint8_t f = 0;

	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (aegw_ng_list_has(list, words[i].word))
			f |= words[i].flag;
	return f;
}

/* rtpengine's spellings of SDES off. */
static bool sdes_off(const struct aegw_benc_node *sdes)
{
	return aegw_ng_list_has(sdes, "off") || aegw_ng_list_has(sdes, "no") ||
	       aegw_ng_list_has(sdes, "disable") ||
	       aegw_ng_list_has(sdes, "disabled");
}

static void direction(const struct aegw_ng_request *q, struct ctl_sdp_req *r)
{
	const struct aegw_benc_node *it = aegw_benc_list_first(q->direction);

	for (unsigned i = 0; i < 2 && it; i++, it = aegw_benc_list_next(it))
		r->direction[i] = (struct ctl_str){ it->str, it->len };
	if (q->from_interface.p)
		r->direction[0] = str_of(q->from_interface);
	if (q->to_interface.p)
		r->direction[1] = str_of(q->to_interface);
}

/* rtpengine's SIP-source-address (either spelling; trust-address, the
 * default since rtpengine 3.8, is the opposite): media is expected from
 * where the SIP message came, received-from's ["IP4"|"IP6", address]
 * (or the address alone),
 * not from the SDP's c= (a private address behind NAT). A received-from
 * that does not parse leaves the SDP's address. */
static void sip_source(const struct aegw_ng_request *q, struct ctl_sdp_req *r)
{
	char buf[INET6_ADDRSTRLEN];
	const struct aegw_ng_str *f = &q->received_from_family;
	const struct aegw_ng_str *a = &q->received_from_address;
	int family;

	if (!aegw_ng_list_has(q->flags, "SIP-source-address") &&
	    !aegw_ng_list_has(q->flags, "sip-source-address"))
		return;
	if (!a->p || a->len >= sizeof(buf) || (f->p && f->len != 3))
		return;
	if (!f->p) /* the address alone: its family by its form */
		family = memchr(a->p, ':', a->len) ? 6 : 4;
	else if (!memcmp(f->p, "IP4", 3))
		family = 4;
	else if (!memcmp(f->p, "IP6", 3))
		family = 6;
	else
		return;
	memcpy(buf, a->p, a->len);
	buf[a->len] = 0;
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, buf,
		      r->sip_source.ip) != 1) {
		memset(&r->sip_source, 0, sizeof(r->sip_source));
		return;
	}
	r->sip_source.family = (uint8_t)family;
}

/* A list key with the flags that rtpengine reads into it: "SDES-no-X"
 * is SDES's "no-X", "replace-origin" replace's "origin", "rtcp-mux-demux"
 * rtcp-mux's "demux". OpenSIPS sends them so, and Kamailio passes on the
 * flags it does not know. The key itself when no flag has the prefix. */
struct merged {
	struct aegw_benc_node list, items[64];
};

static const struct aegw_benc_node *
merged(struct merged *m, const struct aegw_benc_node *key,
       const struct aegw_benc_node *flags, const char *prefix)
{
	const struct aegw_benc_node **link = &m->list.child;
	const size_t cap = sizeof(m->items) / sizeof(m->items[0]);
	size_t n = strlen(prefix);
	const struct aegw_benc_node *it;

	for (it = aegw_benc_list_first(flags); it; it = aegw_benc_list_next(it))
		if (has_prefix(it, prefix))
			break;
	if (!it)
		return key;
	m->list = (struct aegw_benc_node){ .type = AEGW_BENC_LIST };
	for (it = aegw_benc_list_first(key); it && m->list.count < cap;
	     it = aegw_benc_list_next(it))
		m->items[m->list.count++] = *it;
	for (it = aegw_benc_list_first(flags); it && m->list.count < cap;
	     it = aegw_benc_list_next(it)) {
		struct aegw_benc_node *w;

		if (!has_prefix(it, prefix))
			continue;
		w = &m->items[m->list.count++];
		*w = *it;
		w->str += n;
		w->len -= n;
	}
	for (unsigned i = 0; i < m->list.count; i++) {
		m->items[i].next = NULL;
		*link = &m->items[i];
		link = &m->items[i].next;
	}
	return &m->list;
}

static void sdp_req_of(const struct ctl_options *o,
		       const struct aegw_ng_request *q, struct ctl_sdp_req *r)
{
	struct merged ms, mr, mm;
	const struct aegw_benc_node *sdes = merged(&ms, q->sdes, q->flags,
						   "SDES-");
	const struct aegw_benc_node *replace = merged(&mr, q->replace,
						      q->flags, "replace-");
	const struct aegw_benc_node *mux = merged(&mm, q->rtcp_mux, q->flags,
						  "rtcp-mux-");

	memset(r, 0, sizeof(*r));
	r->call_id = str_of(q->call_id);
	r->from_tag = str_of(q->from_tag);
	r->to_tag = str_of(q->to_tag);
	r->sdp = str_of(q->sdp);
	r->transport = ctl_proto_parse(q->transport_protocol.p,
				       q->transport_protocol.len);
	direction(q, r);
	r->ice_force = q->ice.p &&
		       ((q->ice.len == 5 && !memcmp(q->ice.p, "force", 5)) ||
			(q->ice.len == 11 && !memcmp(q->ice.p, "force-relay", 11)));
	r->replace_origin = aegw_ng_list_has(replace, "origin");
	r->recrypt = aegw_ng_list_has(q->flags, "recrypt");
	r->loop_protect = aegw_ng_list_has(q->flags, "loop-protect");
	r->no_rtcp_attr = aegw_ng_list_has(q->flags, "no-rtcp-attribute");
	r->load_limit_supported = aegw_ng_list_has(q->supports, "load-limit");
	sdes_allow(o, sdes, r);
	sdes_params(sdes, r);
	r->sdes_off = sdes_off(sdes);
	r->mux_flags = mux_flags(mux);
	sip_source(q, r);
	/* aegw's keys naming the UEs of an offer, for the registration
	 * store (an answer's are not read). */
	r->ue_identity = str_of(q->ue_identity);
	r->offerer_ue_identity = str_of(q->offerer_ue_identity);
}

/* A transport-protocol asked for that aegw cannot give (rtpengine's
 * "accept", keep what the offer has, is none): refused, not taken for
 * nothing asked, which would send the answerer plain RTP. */
static bool transport_unknown(const struct aegw_ng_str *asked,
			      const struct ctl_sdp_req *r)
{
	return asked->p && r->transport == AEGW_SDP_PROTO_OTHER &&
	       !(asked->len == 6 && !memcmp(asked->p, "accept", 6));
}

static size_t offer_answer(const struct ng_ctx *x, bool answer)
{
	struct ctl_ng_scratch *sc = scratch();
	char *sdp = sc->sdp_out;
	struct ctl_sdp_req r;
	struct aegw_benc_enc e;
	char err[256] = "";
	size_t sdp_len = 0, n;
	enum ctl_result res;

	sdp_req_of(&x->ctl->opt, x->req, &r);
	r.parsed = &sc->sdp;
	if (answer)
		r.ue_identity = r.offerer_ue_identity = (struct ctl_str){ 0 };
	if (r.ice_force)
		return reply_error(x, "ICE force: aegw is not an ICE agent "
			"(it removes ICE lines; use ICE=remove)");
	if (transport_unknown(&x->req->transport_protocol, &r))
		return reply_error(x, "transport-protocol: aegw translates "
			"between RTP/AVP, RTP/SAVP, RTP/AVPF and RTP/SAVPF "
			"only (no DTLS-SRTP, no TCP)");
	res = answer ? ctl_call_answer(x->ctl, &r, sdp, sizeof(sc->sdp_out),
				       &sdp_len, err, sizeof(err)) :
		       ctl_call_offer(x->ctl, &r, sdp, sizeof(sc->sdp_out),
				      &sdp_len, err, sizeof(err));
	if (res == CTL_RESULT_LOAD_LIMIT)
		return reply_result(x, "load limit", err);
	if (res != CTL_RESULT_OK) {
		/* A rewrite that went on to fail (no room, the dataplane
		 * refused) left its bytes, keys among them, of unknown length:
		 * a rare path, the whole buffer. */
		aegw_wipe(sdp, sizeof(sc->sdp_out));
		return reply_error(x, err);
	}
	aegw_ng_reply_begin(&e, x->out, x->cap, x->msg->cookie);
	aegw_benc_dict_add_str(&e, "sdp", sdp, sdp_len);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	n = aegw_ng_reply_end(&e);
	aegw_wipe(sdp, sdp_len);
	return n ? n : reply_error(x, "reply too large");
}

static size_t list_calls(const struct ng_ctx *x)
{
	const struct aegw_benc_node *lim =
		aegw_benc_dict_get(x->msg->dict, "limit");
	struct aegw_benc_enc e;
	int64_t limit = 32;

	aegw_benc_to_int(lim, &limit);
	aegw_ng_reply_begin(&e, x->out, x->cap, x->msg->cookie);
	aegw_benc_add_cstr(&e, "calls");
	aegw_benc_list_begin(&e);
	for (const struct ctl_call *c = x->ctl->calls.first;
	     c && limit > 0; c = c->next, limit--)
		aegw_benc_add_cstr(&e, c->call_id);
	aegw_benc_end(&e);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	return aegw_ng_reply_end(&e);
}

/* The registration store's commands return 0 for an error, with its
 * reason, so that it is counted and logged as every other. */
static size_t registration(const struct ng_ctx *x, ctl_ng_reg_fn *fn)
{
	char err[160] = "internal error";
	size_t n = fn(x->ctl, x->msg, x->req, x->out, x->cap, err,
		      sizeof(err));

	return n ? n : reply_error(x, err);
}

/* A command the ng protocol does not have: an admin command (ng_admin.h)
 * when it comes over the control socket, refused from anywhere else. */
static size_t admin(const struct ng_ctx *x)
{
	ctl_ng_admin_fn *fn = ctl_ng_admin_find(x->req->command_name.p,
						x->req->command_name.len);
	char err[160] = "internal error";
	size_t n;

	if (!fn)
		return reply_error(x, "Unrecognized command");
	if (x->from != CTL_NG_FROM_CTL_SOCKET)
		return reply_error(x, "command only on the control socket");
	n = fn(x->ctl, x->msg, x->req, x->out, x->cap, err, sizeof(err));
	return n ? n : reply_error(x, err);
}

static size_t dispatch(const struct ng_ctx *x)
{
	switch (x->req->command) {
	case AEGW_NG_CMD_PING:
		return reply_result(x, "pong", NULL);
	case AEGW_NG_CMD_OFFER:
		return offer_answer(x, false);
	case AEGW_NG_CMD_ANSWER:
		return offer_answer(x, true);
	case AEGW_NG_CMD_DELETE:
		return ctl_ng_delete(x->ctl, x->req, x->msg->cookie, x->out,
				     x->cap);
	case AEGW_NG_CMD_QUERY:
		return ctl_ng_query(x->ctl, x->req, x->msg->cookie, x->out,
				    x->cap);
	case AEGW_NG_CMD_LIST:
		return list_calls(x);
	case AEGW_NG_CMD_STATISTICS:
		return ctl_ng_statistics(x->ctl, x->msg->cookie, x->out,
					 x->cap);
	case AEGW_NG_CMD_REGISTER:
		return registration(x, ctl_ng_register);
	case AEGW_NG_CMD_DEREGISTER:
		return registration(x, ctl_ng_deregister);
	case AEGW_NG_CMD_LOOKUP:
		return registration(x, ctl_ng_lookup);
	default:
		return admin(x);
	}
}

/* A message that is not a request: answered with an error under its
 * cookie, or dropped when it has none (nothing to answer to). */
static size_t bad_message(struct ctl *ctl, const char *msg, size_t len,
			  const struct aegw_ng_error *ne, char *out, size_t cap)
{
	const char *sp = memchr(msg, ' ', len < AEGW_NG_COOKIE_MAX + 1 ?
						  len : AEGW_NG_COOKIE_MAX + 1);
	struct aegw_ng_str cookie = { msg, sp ? (size_t)(sp - msg) : 0 };
	char reason[160];

	aegw_ng_error_format(ne, reason, sizeof(reason));
	ctl->stats.errors++;
	ctl->stats.malformed++;
	if (ne->code == AEGW_NG_ERR_BAD_COOKIE || !cookie.len) {
		ctl_log(CTL_LOG_WARN, "ng message dropped: %s", reason);
		return 0;
	}
	ctl_log(CTL_LOG_INFO, "ng message refused: %s", reason);
	return aegw_ng_reply_error(out, cap, cookie, reason);
}

static const char *const result_names[] = {
#define CTL_NG_RESULT_NAME(id, name) [CTL_NG_RESULT_##id] = name,
	CTL_FOREACH_NG_RESULT(CTL_NG_RESULT_NAME)
#undef CTL_NG_RESULT_NAME
};

const char *ctl_ng_result_name(enum ctl_ng_result r)
{
	return (unsigned)r < CTL_NG_RESULT_COUNT ? result_names[r] : "unknown";
}

/* What a reply says under "result", for the counters by result. */
static enum ctl_ng_result result_of(const char *reply, size_t n)
{
	struct aegw_ng_str r = aegw_ng_reply_result(reply, n);

	if ((r.len == 2 && !memcmp(r.p, "ok", 2)) ||
	    (r.len == 4 && !memcmp(r.p, "pong", 4)))
		return CTL_NG_RESULT_OK;
	return r.len == 10 && !memcmp(r.p, "load limit", 10) ?
		       CTL_NG_RESULT_LOAD_LIMIT : CTL_NG_RESULT_ERROR;
}

size_t ctl_ng_handle(struct ctl *ctl, const uint8_t *peer, const char *msg,
		     size_t len, char *out, size_t cap)
{
	return ctl_ng_handle_from(ctl, CTL_NG_FROM_NET, peer, msg, len, out,
				  cap);
}

/* One call's requests keep their order, and what reads or changes more
 * than one call runs alone (fiber.h's gate); a no-op off fibers. */
static void gate(const struct aegw_ng_request *req)
{
	switch (req->command) {
	case AEGW_NG_CMD_PING:
		return;
	case AEGW_NG_CMD_OFFER:
	case AEGW_NG_CMD_ANSWER:
	case AEGW_NG_CMD_DELETE:
	case AEGW_NG_CMD_QUERY:
		if (!req->call_id.p)
			break;
		/* Two call-ids of one hash only wait for each other. */
		ctl_fiber_gate(ctl_fnv1a(CTL_FNV1A_INIT, req->call_id.p,
					 req->call_id.len), false);
		return;
	default:
		break;
	}
	ctl_fiber_gate(0, true);
}

size_t ctl_ng_handle_from(struct ctl *ctl, enum ctl_ng_transport from,
			  const uint8_t *peer, const char *msg, size_t len,
			  char *out, size_t cap)
{
	bool cache = from == CTL_NG_FROM_NET, counted;
	enum ctl_ng_result result;
	struct aegw_benc_node *nodes = scratch()->nodes;
	struct aegw_ng_msg m;
	struct aegw_ng_request req;
	struct aegw_ng_error ne;
	const char *cached;
	size_t n;
	uint64_t now = ctl_now_ns();

	if (aegw_ng_parse(msg, len, nodes, CTL_NG_MAX_NODES, &m, &ne) ||
	    aegw_ng_request_view(&m, &req, &ne))
		return bad_message(ctl, msg, len, &ne, out, cap);
	/* Through the gate before the cache: a retransmission of a request
	 * still running waits for it, then gets its reply. */
	gate(&req);
	cached = cache ? ng_cache_get(&ctl->cache, peer, m.cookie.p,
				     m.cookie.len, &n, now) : NULL;
	if (cached && n <= cap) {
		ctl->stats.retransmits++;
		memcpy(out, cached, n);
		return n;
	}
	/* `unknown` counts what the P-CSCF sends that aegw does not know,
	 * not the control socket's admin commands. */
	counted = from == CTL_NG_FROM_NET || req.command != AEGW_NG_CMD_UNKNOWN;
	if (counted)
		ctl->stats.commands[req.command]++;
	n = dispatch(&(struct ng_ctx){ ctl, &m, &req, out, cap, from });
	/* By what the reply says: a command may write its error itself
	 * (query's "Unknown call-id"), not through reply_error. */
	result = result_of(out, n);
	ctl->stats.errors += result == CTL_NG_RESULT_ERROR;
	if (counted) {
		ctl->stats.results[req.command][result]++;
		ctl_latency_add(&ctl->stats.duration[req.command],
				ctl_now_ns() - now);
	}
	if (n && cache && req.command != AEGW_NG_CMD_PING)
		ng_cache_put(&ctl->cache, peer, m.cookie.p, m.cookie.len, out,
			     n, now);
	return n;
}
