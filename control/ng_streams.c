/* The admin command `streams`: every stream the daemon installed (its
 * calls' and the static ones), joined by id to the dataplane's dump (the
 * latched peer, where it sends now, the counters), and the streams only
 * the dataplane has (a previous daemon's). The reply is written from
 * descriptions that hold no key: a call stream's spec is wiped as soon as
 * its addresses are read. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/wipe.h"
#include "dp_view.h"
#include "ng_admin.h"
#include "streams.h"

enum {
	STREAMS_LIMIT_DEFAULT = 500,
	/* A bound on one entry's bytes: a call-id and a tag (CTL_ID_MAX
	 * each) and some 700 bytes of addresses and counters. A page ends
	 * before the next entry could overflow the reply. */
	STREAMS_ENTRY_MAX = 2 * CTL_ID_MAX + 1024,
};

/* A stream the daemon installed: a call's, or a static one. */
struct row {
	uint32_t id;
	const struct ctl_call *call;
	unsigned media, from;
	const struct ctl_static_stream *st;
};

struct rows {
	struct row *r;
	size_t n, cap;
};

/* What one entry says, whoever owns the stream. */
struct desc {
	uint32_t id;
	const char *owner, *mode, *call_id, *tag, *iface;
	unsigned media;               /* 1-based; 0: not a call's */
	enum aegw_action action;
	struct aegw_endpoint local, dest, peer;
};

static int push(struct rows *t, struct row r)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct row *p = realloc(t->r, cap * sizeof(*p));

		if (!p)
			return -1;
		t->r = p;
		t->cap = cap;
	}
	t->r[t->n++] = r;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = ((const struct row *)a)->id, y = ((const struct row *)b)->id;

	return x < y ? -1 : x > y;
}

static int collect(const struct ctl *ctl, struct rows *t)
{
	for (const struct ctl_call *c = ctl->calls.first; c; c = c->next)
		for (unsigned i = 0; i < c->n_media; i++)
			for (unsigned from = 0;
			     c->media[i].installed && from < 2; from++)
				if (push(t, (struct row){
					    c->media[i].stream_id[from], c, i,
					    from, NULL }))
					return -1;
	for (unsigned i = 0; i < CTL_STATIC_MAX; i++)
		if (ctl->statics.s[i].id &&
		    push(t, (struct row){ ctl->statics.s[i].id, NULL, 0, 0,
					  &ctl->statics.s[i] }))
			return -1;
	if (t->n)
		qsort(t->r, t->n, sizeof(*t->r), by_id);
	return 0;
}

static void desc_call(const struct row *r, struct desc *d)
{
	const struct ctl_call *c = r->call;
	const struct ctl_media *m = &c->media[r->media];
	struct aegw_stream_spec spec;

	ctl_stream_spec(c, m, r->from, &spec);
	d->action = (enum aegw_action)spec.action;
	d->local = spec.local;
	d->dest = spec.egress_dst;
	aegw_wipe(&spec, sizeof(spec));
	d->owner = "call";
	d->mode = ctl_mode_name(m->mode);
	d->call_id = c->call_id;
	d->tag = c->tag[r->from] ? c->tag[r->from] : "";
	d->iface = c->iface[r->from]->cfg->name;
	d->media = r->media + 1;
	d->peer = m->leg[r->from].peer;
}

static void desc_static(const struct ctl_static_stream *s, struct desc *d)
{
	d->owner = "static";
	d->mode = "static";
	d->iface = s->iface->cfg->name;
	d->action = s->action;
	d->local = s->iface->cfg->addr;
	d->local.port = s->port;
	d->dest = s->peer;
	d->peer = s->remote;
}

/* A stream only the dataplane has: named by its local address. */
static void desc_adopted(const struct ctl *ctl, const struct aegw_evt *ev,
			 struct desc *d)
{
	int i;

	d->owner = "adopted";
	d->action = (enum aegw_action)ev->action;
	d->local = ev->local;
	d->dest = ev->egress_dst;
	i = ctl_iface_index_of(ctl, &ev->local);
	d->iface = i >= 0 ? ctl->ifaces[i].cfg->name : "";
}

static void add_ep(struct aegw_benc_enc *e, const char *key,
		   const struct aegw_endpoint *p)
{
	char ip[64] = "", buf[80] = "";

	if (p->family == 4 || p->family == 6) {
		inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->ip, ip,
			  sizeof(ip));
		snprintf(buf, sizeof(buf), p->family == 4 ? "%s:%u" : "[%s]:%u",
			 ip, p->port);
	}
	aegw_benc_dict_add_cstr(e, key, buf);
}

/* The drop counters that are not zero, by reason ("auth_failed"). */
static void add_drops(struct aegw_benc_enc *e, const uint64_t *c)
{
	aegw_benc_add_cstr(e, "drops");
	aegw_benc_dict_begin(e);
	for (unsigned k = AEGW_SC_drop_auth_failed; k <= AEGW_SC_drop_tx_full;
	     k++)
		if (c[k])
			aegw_benc_dict_add_int(e, aegw_stream_counter_name(
					(enum aegw_stream_counter)k) +
					sizeof("drop_") - 1, (int64_t)c[k]);
	aegw_benc_end(e);
}

static void add_entry(struct aegw_benc_enc *e, const struct desc *d,
		      const struct aegw_evt *ev)
{
	static const uint64_t zero[AEGW_EVT_COUNTER_SLOTS];
	const uint64_t *c = ev ? ev->counters : zero;

	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_cstr(e, "action", aegw_action_name(d->action));
	aegw_benc_dict_add_int(e, "bytes", (int64_t)c[AEGW_SC_rx_bytes]);
	aegw_benc_dict_add_int(e, "bytes-out", (int64_t)c[AEGW_SC_tx_bytes]);
	if (d->call_id)
		aegw_benc_dict_add_cstr(e, "call-id", d->call_id);
	add_ep(e, "destination", ev ? &ev->egress_dst : &d->dest);
	add_drops(e, c);
	aegw_benc_dict_add_int(e, "id", d->id);
	aegw_benc_dict_add_int(e, "in-dataplane", ev != NULL);
	aegw_benc_dict_add_cstr(e, "interface", d->iface);
	add_ep(e, "latched", ev ? &ev->remote : &(struct aegw_endpoint){ 0 });
	add_ep(e, "local", &d->local);
	if (d->media)
		aegw_benc_dict_add_int(e, "media", d->media);
	if (d->mode)
		aegw_benc_dict_add_cstr(e, "mode", d->mode);
	aegw_benc_dict_add_cstr(e, "owner", d->owner);
	aegw_benc_dict_add_int(e, "packets", (int64_t)c[AEGW_SC_rx_packets]);
	aegw_benc_dict_add_int(e, "packets-out", (int64_t)c[AEGW_SC_tx_packets]);
	add_ep(e, "peer", &d->peer);
	if (ev) {
		/* Where RTCP goes as the dataplane has it: on the RTP port
		 * (RFC 5761) or on the next, arriving and leaving; the peer's
		 * separate RTCP at its a=rtcp port (RFC 3605) or RTP's + 1. */
		struct aegw_endpoint rtcp = ev->egress_dst;

		if (rtcp.family && !aegw_stream_rtcp_mux_out(ev->flags))
			rtcp.port = ev->egress_rtcp_port ?
					    ev->egress_rtcp_port :
					    (uint16_t)(rtcp.port + 1);
		add_ep(e, "rtcp-destination", &rtcp);
		aegw_benc_dict_add_cstr(e, "rtcp-in",
					ev->flags & AEGW_STREAM_RTCP_MUX ?
						"mux" : "port+1");
		aegw_benc_dict_add_cstr(e, "rtcp-out",
					aegw_stream_rtcp_mux_out(ev->flags) ?
						"mux" : "port+1");
	}
	if (d->tag)
		aegw_benc_dict_add_cstr(e, "tag", d->tag);
	aegw_benc_end(e);
}

struct page {
	const struct ctl *ctl;
	const struct rows *t;
	const struct ctl_dp_view *v;
	size_t i, j;                  /* next row, next dump entry */
};

/* The next stream by id: a row, a dump entry, or both for one id. */
static bool next_entry(struct page *p, struct desc *d,
		       const struct aegw_evt **ev)
{
	const struct row *r = p->i < p->t->n ? &p->t->r[p->i] : NULL;
	const struct aegw_evt *x = p->j < p->v->n ? &p->v->evt[p->j] : NULL;

	if (!r && !x)
		return false;
	memset(d, 0, sizeof(*d));
	if (r && x && x->stream_id < r->id)
		r = NULL;
	else if (r && x && r->id < x->stream_id)
		x = NULL;
	*ev = x;
	p->i += r != NULL;
	p->j += x != NULL;
	if (r && r->call)
		desc_call(r, d);
	else if (r)
		desc_static(r->st, d);
	else
		desc_adopted(p->ctl, x, d);
	d->id = r ? r->id : x->stream_id;
	return true;
}

static void skip_to(struct page *p, int64_t after)
{
	while (p->i < p->t->n && p->t->r[p->i].id <= after)
		p->i++;
	while (p->j < p->v->n && p->v->evt[p->j].stream_id <= after)
		p->j++;
}

static size_t write_page(struct page *p, int64_t limit, int dp_rc,
			 struct aegw_ng_str cookie, char *out, size_t cap)
{
	struct aegw_benc_enc e;
	const struct aegw_evt *ev;
	struct desc d;
	int64_t last = -1;

	aegw_ng_reply_begin(&e, out, cap, cookie);
	aegw_benc_dict_add_cstr(&e, "dataplane", ctl_ring_strerror(dp_rc));
	aegw_benc_add_cstr(&e, "streams");
	aegw_benc_list_begin(&e);
	while (limit > 0 && e.len + STREAMS_ENTRY_MAX < cap &&
	       next_entry(p, &d, &ev)) {
		add_entry(&e, &d, ev);
		last = d.id;
		limit--;
	}
	aegw_benc_end(&e);
	/* More to come: the next page starts after the last id given. */
	if (p->i < p->t->n || p->j < p->v->n) {
		if (last < 0)
			return 0; /* not one entry fits: no page at all */
		aegw_benc_dict_add_int(&e, "next", last);
	}
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	return aegw_ng_reply_end(&e);
}

size_t ctl_ng_streams(struct ctl *ctl, const struct aegw_ng_msg *msg,
		      const struct aegw_ng_request *req, char *out, size_t cap,
		      char *err, size_t errlen)
{
	int64_t after = 0, limit = STREAMS_LIMIT_DEFAULT;
	struct rows t = { 0 };
	struct ctl_dp_view v = { 0 };
	struct page p = { ctl, &t, &v, 0, 0 };
	size_t n = 0;
	int rc;

	(void)req;
	aegw_benc_to_int(aegw_benc_dict_get(msg->dict, "after"), &after);
	aegw_benc_to_int(aegw_benc_dict_get(msg->dict, "limit"), &limit);
	if (limit <= 0)
		limit = STREAMS_LIMIT_DEFAULT;
	if (collect(ctl, &t)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = ctl_dp_view_read(ctl, &v);
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	skip_to(&p, after);
	n = write_page(&p, limit, rc, msg->cookie, out, cap);
	if (!n)
		snprintf(err, errlen, "reply too large");
out:
	free(t.r);
	ctl_dp_view_free(&v);
	return n;
}
