/* delete, query and statistics replies. A call's counters are read from
 * the dataplane (COUNTERS per stream) before its streams go. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ng_call_stats.h"
#include "quality.h"
#include "sdp_offer.h"
#include "secret.h"
#include "streams.h"

struct call_counts {
	struct ctl_counts media[AEGW_SDP_MAX_MEDIA];
};

static uint64_t drops(const uint64_t *c)
{
	uint64_t n = 0;

	for (unsigned k = AEGW_SC_drop_auth_failed; k <= AEGW_SC_drop_tx_full;
	     k++)
		n += c[k];
	return n;
}

static void add_stats(struct aegw_benc_enc *e, const char *key, uint64_t pk,
		      uint64_t bytes, uint64_t errors)
{
	aegw_benc_add_cstr(e, key);
	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_int(e, "bytes", (int64_t)bytes);
	aegw_benc_dict_add_int(e, "errors", (int64_t)errors);
	aegw_benc_dict_add_int(e, "packets", (int64_t)pk);
	aegw_benc_end(e);
}

static void add_endpoint(struct aegw_benc_enc *e, const struct aegw_endpoint *p)
{
	char buf[64] = "";

	if (p->family)
		inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->ip, buf,
			  sizeof(buf));
	aegw_benc_add_cstr(e, "endpoint");
	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_cstr(e, "address", buf);
	aegw_benc_dict_add_cstr(e, "family", p->family == 6 ? "IPv6" : "IPv4");
	aegw_benc_dict_add_int(e, "port", p->port);
	aegw_benc_end(e);
}

/* What the peer on leg `side` sent to aegw: one stream per media. */
static void add_media(struct aegw_benc_enc *e, const struct ctl_call *c,
		      unsigned side, unsigned i, const struct ctl_counts *k)
{
	const struct ctl_media *m = &c->media[i];
	const struct ctl_leg *l = &m->leg[side];
	const uint64_t *s = k->c[side];
	uint32_t ssrc;

	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_int(e, "index", i + 1);
	ctl_quality_add_ingress(e, c, i, side);
	aegw_benc_dict_add_cstr(e, "mode", ctl_mode_name(m->mode));
	aegw_benc_dict_add_cstr(e, "protocol",
				aegw_sdp_proto_name(l->proto) ?
					aegw_sdp_proto_name(l->proto) : "");
	aegw_benc_add_cstr(e, "streams");
	aegw_benc_list_begin(e);
	aegw_benc_dict_begin(e);
	if (!ctl_quality_ingress_ssrc(c, i, side, &ssrc))
		aegw_benc_dict_add_int(e, "SSRC", ssrc);
	add_endpoint(e, &l->peer);
	aegw_benc_dict_add_int(e, "local port", l->port);
	add_stats(e, "stats", s[AEGW_SC_rx_packets], s[AEGW_SC_rx_bytes],
		  drops(s));
	aegw_benc_end(e);
	aegw_benc_end(e);
	aegw_benc_dict_add_cstr(e, "type", m->type_name);
	aegw_benc_end(e);
}

static void add_tags(struct aegw_benc_enc *e, const struct ctl_call *c,
		     const struct call_counts *k)
{
	aegw_benc_add_cstr(e, "tags");
	aegw_benc_dict_begin(e);
	for (unsigned side = 0; side < 2; side++) {
		if (!c->tag[side])
			continue;
		aegw_benc_add_cstr(e, c->tag[side]);
		aegw_benc_dict_begin(e);
		aegw_benc_add_cstr(e, "medias");
		aegw_benc_list_begin(e);
		for (unsigned i = 0; i < c->n_media; i++)
			add_media(e, c, side, i, &k->media[i]);
		aegw_benc_end(e);
		aegw_benc_dict_add_cstr(e, "tag", c->tag[side]);
		aegw_benc_end(e);
	}
	aegw_benc_end(e);
}

/* rx_packets counts RTCP too (counters.h): RTP is the difference. RTCP
 * bytes are not counted apart; RTP's bytes are all the bytes. */
static void add_totals(struct aegw_benc_enc *e, const struct ctl_call *c,
		       const struct call_counts *k)
{
	uint64_t rtp = 0, rtcp = 0, bytes = 0, errors = 0;

	for (unsigned i = 0; i < c->n_media; i++) {
		for (unsigned side = 0; side < 2; side++) {
			const uint64_t *s = k->media[i].c[side];

			rtcp += s[AEGW_SC_rtcp_rx_packets];
			rtp += s[AEGW_SC_rx_packets] - s[AEGW_SC_rtcp_rx_packets];
			bytes += s[AEGW_SC_rx_bytes];
			errors += drops(s);
		}
	}
	aegw_benc_add_cstr(e, "totals");
	aegw_benc_dict_begin(e);
	add_stats(e, "RTCP", rtcp, 0, 0);
	add_stats(e, "RTP", rtp, bytes, errors);
	aegw_benc_end(e);
}

static size_t call_reply(const struct ctl_call *c, const struct call_counts *k,
			 const char *warning, struct aegw_ng_str cookie,
			 char *out, size_t cap)
{
	struct aegw_benc_enc e;

	aegw_ng_reply_begin(&e, out, cap, cookie);
	ctl_quality_add_ssrcs(&e, c);
	aegw_benc_dict_add_int(&e, "created", (int64_t)c->created);
	aegw_benc_dict_add_int(&e, "last signal", (int64_t)c->last_signal);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	add_tags(&e, c, k);
	add_totals(&e, c, k);
	if (warning)
		aegw_benc_dict_add_cstr(&e, "warning", warning);
	return aegw_ng_reply_end(&e);
}

static struct ctl_call *find(struct ctl *ctl, const struct aegw_ng_request *req)
{
	if (!req->call_id.p)
		return NULL;
	return ctl_call_find(&ctl->calls, req->call_id.p, req->call_id.len);
}

static void read_counts(struct ctl *ctl, const struct ctl_call *c,
			struct call_counts *k)
{
	memset(k, 0, sizeof(*k));
	for (unsigned i = 0; i < c->n_media; i++)
		ctl_media_counters(ctl, &c->media[i], &k->media[i]);
}

/* A delete's: the last counters, read as the streams go. */
static void read_counts_removing(struct ctl *ctl, struct ctl_call *c,
				 struct call_counts *k)
{
	memset(k, 0, sizeof(*k));
	for (unsigned i = 0; i < c->n_media; i++)
		ctl_media_uninstall_counted(ctl, &c->media[i], &k->media[i]);
}

/* The request's `delete delay`, or the daemon's --delete-delay when it
 * names none or a negative one (as rtpengine reads it). */
static unsigned delete_delay(const struct ctl *ctl,
			     const struct aegw_ng_request *req)
{
	if (!req->have_delete_delay || req->delete_delay < 0)
		return ctl->opt.delete_delay_s;
	return req->delete_delay < CTL_TIMEOUT_MAX_S ?
		       (unsigned)req->delete_delay : CTL_TIMEOUT_MAX_S;
}

/* With a delay the call stays, streams and all (media flows, query
 * answers), until timeout.c removes it, unless an offer or answer comes
 * first. The reply is the same either way: the counters of now. */
size_t ctl_ng_delete(struct ctl *ctl, const struct aegw_ng_request *req,
		     struct aegw_ng_str cookie, char *out, size_t cap)
{
	unsigned delay = delete_delay(ctl, req);
	struct call_counts k; /* the request's own: it may wait (fiber.h) */
	struct ctl_call *c = find(ctl, req);
	struct aegw_benc_enc e;
	size_t n;

	if (!req->call_id.p)
		return aegw_ng_reply_error(out, cap, cookie,
					   "No call-id in message");
	if (!c) {
		aegw_ng_reply_begin(&e, out, cap, cookie);
		aegw_benc_dict_add_cstr(&e, "result", "ok");
		aegw_benc_dict_add_cstr(&e, "warning", "Call-ID not found or "
					"tags didn't match");
		return aegw_ng_reply_end(&e);
	}
	if (delay) {
		read_counts(ctl, c, &k);
		n = call_reply(c, &k, NULL, cookie, out, cap);
		ctl_timeout_delete_after(ctl, c, delay);
		return n;
	}
	read_counts_removing(ctl, c, &k);
	n = call_reply(c, &k, NULL, cookie, out, cap);
	ctl_log(CTL_LOG_INFO, "call %s deleted", c->call_id);
	ctl_call_delete(ctl, c);
	return n;
}

size_t ctl_ng_query(struct ctl *ctl, const struct aegw_ng_request *req,
		    struct aegw_ng_str cookie, char *out, size_t cap)
{
	struct call_counts k;
	struct ctl_call *c = find(ctl, req);

	if (!req->call_id.p)
		return aegw_ng_reply_error(out, cap, cookie,
					   "No call-id in message");
	if (!c)
		return aegw_ng_reply_error(out, cap, cookie, "Unknown call-id");
	read_counts(ctl, c, &k);
	return call_reply(c, &k, NULL, cookie, out, cap);
}

void ctl_ng_add_interfaces(struct aegw_benc_enc *e, const struct ctl *ctl,
			   bool with_config)
{
	aegw_benc_add_cstr(e, "interfaces");
	aegw_benc_list_begin(e);
	for (unsigned i = 0; i < ctl->n_ifaces; i++) {
		const struct ctl_iface *f = &ctl->ifaces[i];

		/* Keys in bencode's (sorted) order. */
		aegw_benc_dict_begin(e);
		aegw_benc_dict_add_cstr(e, "address", f->cfg->addr_text);
		if (f->cfg->advertised.family)
			aegw_benc_dict_add_cstr(e, "advertised",
						f->cfg->advertised_text);
		if (with_config)
			aegw_benc_dict_add_int(e, "dpdk-port", f->cfg->dpdk_port);
		aegw_benc_dict_add_cstr(e, "name", f->cfg->name);
		if (with_config) {
			aegw_benc_dict_add_int(e, "port-max", f->cfg->port_max);
			aegw_benc_dict_add_int(e, "port-min", f->cfg->port_min);
		}
		aegw_benc_dict_add_int(e, "ports-free",
				       ctl_pool_free_pairs(&f->pool));
		aegw_benc_dict_add_int(e, "ports-used", f->pool.n_used);
		aegw_benc_end(e);
	}
	aegw_benc_end(e);
}

static void add_dataplane(struct aegw_benc_enc *e, const struct ctl *ctl)
{
	const struct ctl_ring *r = &ctl->ring;

	aegw_benc_add_cstr(e, "dataplane");
	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_int(e, "adopted-streams", (int64_t)ctl->stats.adopted);
	aegw_benc_dict_add_int(e, "adopted-streams-reaped",
			       (int64_t)ctl->stats.adopted_reaped);
	aegw_benc_dict_add_int(e, "alive", ctl_ring_ready(r));
	aegw_benc_dict_add_int(e, "commands", (int64_t)r->sent);
	aegw_benc_dict_add_int(e, "commands-refused", (int64_t)r->refused);
	aegw_benc_dict_add_int(e, "commands-timed-out", (int64_t)r->timeouts);
	aegw_benc_dict_add_int(e, "epoch", (int64_t)r->epoch);
	aegw_benc_dict_add_int(e, "heartbeat-age-ms",
			       ctl_ring_heartbeat_age_ms(r));
	aegw_benc_dict_add_int(e, "replayed-streams", (int64_t)ctl->stats.replays);
	aegw_benc_dict_add_int(e, "workers", r->n_workers);
	aegw_benc_end(e);
}

static void add_commands(struct aegw_benc_enc *e, const struct ctl *ctl)
{
	aegw_benc_add_cstr(e, "commands");
	aegw_benc_dict_begin(e);
	for (unsigned c = 0; c < AEGW_NG_CMD_COUNT; c++)
		aegw_benc_dict_add_int(e, aegw_ng_command_name(c),
				       (int64_t)ctl->stats.commands[c]);
	aegw_benc_end(e);
}

/* One kind of timeout's count, under rtpengine's key: the caller puts
 * it where the key sorts. */
static void add_timeouts(struct aegw_benc_enc *e, const struct ctl_stats *s,
			 enum ctl_timeout t)
{
	aegw_benc_dict_add_int(e, ctl_timeout_stat_name(t),
			       (int64_t)s->timeouts[t]);
}

size_t ctl_ng_statistics(struct ctl *ctl, struct aegw_ng_str cookie,
			 char *out, size_t cap)
{
	const struct ctl_stats *s = &ctl->stats;
	struct aegw_benc_enc e;

	aegw_ng_reply_begin(&e, out, cap, cookie);
	aegw_benc_add_cstr(&e, "statistics");
	aegw_benc_dict_begin(&e);
	add_commands(&e, ctl);
	aegw_benc_add_cstr(&e, "currentstatistics");
	aegw_benc_dict_begin(&e);
	aegw_benc_dict_add_int(&e, "keys-held", ctl_secret_in_use());
	aegw_benc_dict_add_int(&e, "registrations", ctl->registry.n);
	aegw_benc_dict_add_int(&e, "sessionsown", ctl->calls.n_calls);
	aegw_benc_dict_add_int(&e, "sessionstotal", ctl->calls.n_calls);
	aegw_benc_end(&e);
	add_dataplane(&e, ctl);
	ctl_ng_add_interfaces(&e, ctl, false);
	ctl_quality_add_statistics(&e, &s->quality);
	aegw_benc_add_cstr(&e, "totalstatistics");
	aegw_benc_dict_begin(&e);
	aegw_benc_dict_add_int(&e, "errors", (int64_t)s->errors);
	add_timeouts(&e, s, CTL_TIMEOUT_FINAL);
	aegw_benc_dict_add_int(&e, "loop-protected",
			       (int64_t)s->loop_protected);
	aegw_benc_dict_add_int(&e, "managedsessions",
			       (int64_t)ctl->calls.created_total);
	add_timeouts(&e, s, CTL_TIMEOUT_OFFER);
	aegw_benc_dict_add_int(&e, "registrations-expired",
			       (int64_t)ctl->registry.expired);
	aegw_benc_dict_add_int(&e, "registrations-refused",
			       (int64_t)ctl->registry.refused);
	aegw_benc_dict_add_int(&e, "rejectedsessions",
			       (int64_t)(s->load_limit + s->no_ports));
	aegw_benc_dict_add_int(&e, "retransmission-cache-evicted",
			       (int64_t)ctl->cache.evicted);
	aegw_benc_dict_add_int(&e, "retransmissions", (int64_t)s->retransmits);
	add_timeouts(&e, s, CTL_TIMEOUT_MEDIA);
	aegw_benc_dict_add_int(&e, "uptime", (int64_t)(time(NULL) - ctl->started));
	aegw_benc_end(&e);
	aegw_benc_end(&e);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	return aegw_ng_reply_end(&e);
}
