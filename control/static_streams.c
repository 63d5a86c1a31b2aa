/* Static streams: checked, installed and removed by hand, through the
 * ring functions a call's streams use. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aegw/wipe.h"
#include "dp_view.h"
#include "log.h"
#include "static_streams.h"
#include "streams.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static struct ctl_static_stream *find(struct ctl_statics *t, uint32_t id)
{
	for (unsigned i = 0; id && i < CTL_STATIC_MAX; i++)
		if (t->s[i].id == id)
			return &t->s[i];
	return NULL;
}

const struct ctl_static_stream *ctl_static_find(const struct ctl *ctl,
						uint32_t id)
{
	for (unsigned i = 0; id && i < CTL_STATIC_MAX; i++)
		if (ctl->statics.s[i].id == id)
			return &ctl->statics.s[i];
	return NULL;
}

/* The keys each action needs, and no other: a key given to an action
 * that does not use it is a mistake the operator should hear of. */
static int keys_fit(const struct ctl_static_req *r, char *err, size_t errlen)
{
	bool in = aegw_action_unprotects(r->action);
	bool out = aegw_action_protects(r->action);

	if (r->action >= AEGW_ACTION_COUNT)
		return fail(err, errlen, "unknown action");
	if (in != r->have_in_key)
		return fail(err, errlen, "%s %s in-key",
			    aegw_action_name(r->action),
			    in ? "needs an" : "takes no");
	if (out != r->have_out_key)
		return fail(err, errlen, "%s %s out-key",
			    aegw_action_name(r->action),
			    out ? "needs an" : "takes no");
	return 0;
}

/* Another static stream already on that address and port. */
static bool taken(const struct ctl *ctl, const struct ctl_iface *ifc,
		  uint16_t port)
{
	for (unsigned i = 0; i < CTL_STATIC_MAX; i++) {
		const struct ctl_static_stream *s = &ctl->statics.s[i];

		if (s->id && s->port == port &&
		    ctl_same_ip(&s->iface->cfg->addr, &ifc->cfg->addr))
			return true;
	}
	return false;
}

static int check(struct ctl *ctl, const struct ctl_static_req *r,
		 struct ctl_iface **in, struct ctl_iface **out, char *err,
		 size_t errlen)
{
	*in = ctl_iface_find(ctl, r->iface, r->iface_len);
	*out = r->out_iface ? ctl_iface_find(ctl, r->out_iface,
					     r->out_iface_len) : *in;
	if (!*in || !*out)
		return fail(err, errlen, "no interface '%.*s'",
			    (int)(*in ? r->out_iface_len : r->iface_len),
			    *in ? r->out_iface : r->iface);
	if (!r->port)
		return fail(err, errlen, "no local port");
	if (r->peer.family != (*out)->cfg->addr.family || !r->peer.port)
		return fail(err, errlen, "the peer must be an address and port "
			    "of interface %s's family", (*out)->cfg->name);
	if (r->remote.family && r->remote.family != (*in)->cfg->addr.family)
		return fail(err, errlen, "the remote must be of interface %s's "
			    "family", (*in)->cfg->name);
	if (keys_fit(r, err, errlen))
		return -1;
	if (taken(ctl, *in, r->port))
		return fail(err, errlen, "a static stream is on port %u of "
			    "%s already", r->port, (*in)->cfg->name);
	return 0;
}

/* Outside the pool no call takes the port; inside, its pair must be
 * free, and stays taken until uninstall. */
static int reserve(struct ctl_iface *ifc, uint16_t port, bool *reserved,
		   char *err, size_t errlen)
{
	*reserved = false;
	if (!ctl_pool_contains(&ifc->pool, port))
		return 0;
	if (!ctl_pool_reserve(&ifc->pool, port))
		return fail(err, errlen, "port %u of %s is in use", port,
			    ifc->cfg->name);
	*reserved = true;
	return 0;
}

static struct ctl_static_stream *free_slot(struct ctl *ctl)
{
	for (unsigned i = 0; i < CTL_STATIC_MAX; i++)
		if (!ctl->statics.s[i].id)
			return &ctl->statics.s[i];
	return NULL;
}

static void spec_of(const struct ctl_static_stream *s,
		    const struct ctl_static_req *r, struct aegw_stream_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->stream_id = s->id;
	spec->action = (uint8_t)s->action;
	spec->flags = (uint8_t)(AEGW_STREAM_STATIC |
				(s->remote.family ? 0 : AEGW_STREAM_LATCH) |
				(s->rtcp_mux ? AEGW_STREAM_RTCP_MUX : 0) |
				s->rtcp_out);
	spec->in_port = s->iface->cfg->dpdk_port;
	spec->out_port = s->out_iface->cfg->dpdk_port;
	spec->local = s->iface->cfg->addr;
	spec->local.port = s->port;
	spec->remote = s->remote;
	spec->egress_src = s->out_iface->cfg->addr;
	spec->egress_src.port = s->source_port;
	spec->egress_dst = s->peer;
	if (r->have_in_key)
		spec->in_crypto = r->in_key;
	if (r->have_out_key)
		spec->out_crypto = r->out_key;
}

static void describe(struct ctl_static_stream *s, const struct ctl_static_req *r,
		     struct ctl_iface *in, struct ctl_iface *out, bool reserved)
{
	s->action = r->action;
	s->iface = in;
	s->out_iface = out;
	s->port = r->port;
	s->source_port = r->source_port ? r->source_port : r->port;
	s->reserved = reserved;
	s->rtcp_mux = r->rtcp_mux;
	s->rtcp_out = r->rtcp_out;
	s->peer = r->peer;
	s->remote = r->remote;
}

const struct ctl_static_stream *ctl_static_install(struct ctl *ctl,
						   const struct ctl_static_req *r,
						   char *err, size_t errlen)
{
	struct ctl_iface *in, *out;
	struct ctl_static_stream *s = free_slot(ctl);
	struct aegw_stream_spec spec;
	bool reserved;
	int rc;

	if (!s) {
		fail(err, errlen, "at most %d static streams", CTL_STATIC_MAX);
		return NULL;
	}
	if (check(ctl, r, &in, &out, err, errlen) ||
	    reserve(in, r->port, &reserved, err, errlen))
		return NULL;
	describe(s, r, in, out, reserved);
	s->id = ctl_stream_id_next(ctl);
	spec_of(s, r, &spec);
	rc = ctl_stream_add(ctl, &spec);
	aegw_wipe(&spec, sizeof(spec));
	if (rc) {
		fail(err, errlen, "dataplane refused the stream: %s",
		     ctl_ring_strerror(rc));
		if (reserved)
			ctl_pool_put(&in->pool, r->port);
		memset(s, 0, sizeof(*s));
		return NULL;
	}
	ctl->statics.n++;
	ctl_log(CTL_LOG_INFO, "static stream %u installed: %s on %s port %u",
		s->id, aegw_action_name(s->action), in->cfg->name, s->port);
	return s;
}

/* The interface whose address ep has, the one with ep's port in its
 * pool first (ctl_iface_index_of). */
static struct ctl_iface *iface_of(struct ctl *ctl,
				  const struct aegw_endpoint *ep)
{
	int i = ctl_iface_index_of(ctl, ep);

	return i < 0 ? NULL : &ctl->ifaces[i];
}

bool ctl_static_adopt(struct ctl *ctl, const struct aegw_evt *e)
{
	struct ctl_static_stream *s = free_slot(ctl);
	struct ctl_iface *in = iface_of(ctl, &e->local);
	struct ctl_iface *out = iface_of(ctl, &e->egress_src);

	if (!(e->flags & AEGW_STREAM_STATIC) || !s || !in || !out ||
	    e->action >= AEGW_ACTION_COUNT || taken(ctl, in, e->local.port))
		return false;
	s->id = e->stream_id;
	s->action = (enum aegw_action)e->action;
	s->iface = in;
	s->out_iface = out;
	s->port = e->local.port;
	s->source_port = e->egress_src.port;
	s->reserved = ctl_pool_contains(&in->pool, s->port) &&
		      ctl_pool_reserve(&in->pool, s->port);
	s->rtcp_mux = e->flags & AEGW_STREAM_RTCP_MUX;
	s->rtcp_out = e->flags & (AEGW_STREAM_RTCP_OUT_MUX |
				  AEGW_STREAM_RTCP_OUT_SPLIT);
	s->peer = e->egress_dst;
	if (!(e->flags & AEGW_STREAM_LATCH))
		s->remote = e->remote;
	ctl->statics.n++;
	ctl_log(CTL_LOG_INFO, "static stream %u of a previous control kept: "
		"%s on %s port %u", s->id, aegw_action_name(s->action),
		in->cfg->name, s->port);
	return true;
}

static int remove_static(struct ctl *ctl, struct ctl_static_stream *s,
			 char *err, size_t errlen)
{
	int rc = ctl_stream_remove(ctl, s->port, s->id);

	/* Not there (a new dataplane) or no dataplane at all: gone. Any
	 * other failure may leave it running, so its port stays taken. */
	if (rc && rc != AEGW_ERR_NOT_FOUND && rc != -ENOTCONN)
		return fail(err, errlen, "stream %u not removed: %s", s->id,
			    ctl_ring_strerror(rc));
	if (s->reserved)
		ctl_pool_put(&s->iface->pool, s->port);
	ctl_log(CTL_LOG_INFO, "static stream %u uninstalled", s->id);
	memset(s, 0, sizeof(*s));
	ctl->statics.n--;
	return 0;
}

/* A stream of a previous daemon: its pair was reserved at adoption, on
 * the interface of its local address. */
static void release_adopted(struct ctl *ctl, const struct aegw_endpoint *local)
{
	for (unsigned i = 0; i < ctl->n_ifaces; i++)
		if (ctl_same_ip(&ctl->ifaces[i].cfg->addr, local))
			ctl_pool_put(&ctl->ifaces[i].pool, local->port);
}

static int remove_adopted(struct ctl *ctl, uint32_t id, char *err,
			  size_t errlen)
{
	struct ctl_dp_view v = { 0 };
	const struct aegw_evt *e;
	struct aegw_endpoint local;
	int rc = ctl_dp_view_read(ctl, &v);

	e = ctl_dp_view_find(&v, id);
	if (e)
		local = e->local;
	ctl_dp_view_free(&v);
	if (!e && !rc && ctl_adopted_forget(ctl, id)) {
		/* Gone already (a REMOVE that timed out but ran): its port
		 * is free again. */
		ctl_log(CTL_LOG_INFO, "stream %u of a previous control was "
			"gone; forgotten", id);
		return 0;
	}
	if (!e && rc)
		return fail(err, errlen, "no stream %u known (dataplane: %s)",
			    id, ctl_ring_strerror(rc));
	if (!e)
		return fail(err, errlen, "no stream %u", id);
	rc = ctl_stream_remove(ctl, local.port, id);
	if (rc && rc != AEGW_ERR_NOT_FOUND)
		return fail(err, errlen, "stream %u not removed: %s", id,
			    ctl_ring_strerror(rc));
	if (!ctl_adopted_forget(ctl, id))
		release_adopted(ctl, &local);
	ctl_log(CTL_LOG_INFO, "stream %u of a previous control removed", id);
	return 0;
}

int ctl_static_uninstall(struct ctl *ctl, uint32_t id, char *err,
			 size_t errlen)
{
	struct ctl_static_stream *s = find(&ctl->statics, id);
	const struct ctl_call *c;

	if (s)
		return remove_static(ctl, s, err, errlen);
	if (!id)
		return fail(err, errlen, "no stream 0");
	c = ctl_call_by_stream(&ctl->calls, id);
	if (c)
		return fail(err, errlen, "stream %u belongs to call %s: delete "
			    "the call", id, c->call_id);
	return remove_adopted(ctl, id, err, errlen);
}
