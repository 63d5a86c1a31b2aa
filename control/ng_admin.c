/* The admin commands' table, and those that read the daemon's state
 * (registrations, policy) or change the dataplane by hand (install,
 * uninstall: their requests parsed into static_streams.h's actions).
 * `streams` is in ng_streams.c. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/sdes.h"
#include "aegw/wipe.h"
#include "ng_admin.h"
#include "ng_call_stats.h"

enum {
	REGISTRATIONS_LIMIT_DEFAULT = 1000,
	/* A bound on one registration's bytes in the reply. */
	REGISTRATION_ENTRY_MAX = CTL_REG_ID_MAX + CTL_REG_ACCESS_MAX + 256,
	KEY_TEXT_MAX = 256, /* SUITE:inline:base64|lifetime|mki:len */
};

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

static size_t done(struct aegw_benc_enc *e, char *err, size_t errlen)
{
	size_t n = aegw_ng_reply_end(e);

	if (!n)
		fail(err, errlen, "reply too large");
	return n;
}

/* ---- registrations ---------------------------------------------------- */

static const char *supported(bool yes)
{
	return yes ? "supported" : "not-supported";
}

static void add_registration(struct aegw_benc_enc *e,
			     const struct ctl_registration *r, uint64_t now)
{
	const struct ctl_reg_info *i = &r->info;

	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_cstr(e, "access-network", i->access);
	aegw_benc_dict_add_cstr(e, "e2ae-policy",
				ctl_e2ae_policy_name(i->policy));
	aegw_benc_dict_add_cstr(e, "e2ae-security", supported(i->ue_e2ae));
	aegw_benc_dict_add_cstr(e, "e2ae-security-network",
				supported(i->net_e2ae));
	aegw_benc_dict_add_int(e, "expires",
			       (int64_t)((i->expires_ns - now + 999999999ull) /
					 1000000000ull));
	aegw_benc_dict_add_str(e, "ue-identity", r->id, r->id_len);
	aegw_benc_end(e);
}

/* In the store's heap order (soonest expiry near the front, not sorted):
 * `limit` of them, and the number held. */
static size_t registrations(struct ctl *ctl, const struct aegw_ng_msg *msg,
			    const struct aegw_ng_request *req, char *out,
			    size_t cap, char *err, size_t errlen)
{
	const struct ctl_registry *reg = &ctl->registry;
	int64_t limit = REGISTRATIONS_LIMIT_DEFAULT;
	uint64_t now = ctl_now_ns();
	struct aegw_benc_enc e;

	(void)req;
	aegw_benc_to_int(aegw_benc_dict_get(msg->dict, "limit"), &limit);
	aegw_ng_reply_begin(&e, out, cap, msg->cookie);
	aegw_benc_add_cstr(&e, "registrations");
	aegw_benc_list_begin(&e);
	for (unsigned i = 0; i < reg->n && limit > 0 &&
			     e.len + REGISTRATION_ENTRY_MAX < cap; i++) {
		if (reg->heap[i]->info.expires_ns <= now)
			continue; /* the tick has not swept it yet */
		add_registration(&e, reg->heap[i], now);
		limit--;
	}
	aegw_benc_end(&e);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	aegw_benc_dict_add_int(&e, "total", reg->n);
	return done(&e, err, errlen);
}

/* ---- policy ------------------------------------------------------------ */

/* The e2ae policy per access network as configured, then the default
 * (`*`), which is `supported` unless --e2ae-policy names it. */
static void add_e2ae(struct aegw_benc_enc *e, const struct ctl_options *o)
{
	bool dflt = false;

	aegw_benc_add_cstr(e, "e2ae-policy");
	aegw_benc_list_begin(e);
	for (unsigned i = 0; i < o->n_e2ae; i++) {
		dflt |= !strcmp(o->e2ae[i].access, "*");
		aegw_benc_dict_begin(e);
		aegw_benc_dict_add_cstr(e, "access-network", o->e2ae[i].access);
		aegw_benc_dict_add_cstr(e, "policy",
					ctl_e2ae_policy_name(o->e2ae[i].policy));
		aegw_benc_end(e);
	}
	if (!dflt) {
		aegw_benc_dict_begin(e);
		aegw_benc_dict_add_cstr(e, "access-network", "*");
		aegw_benc_dict_add_cstr(e, "policy",
					ctl_e2ae_policy_name(CTL_E2AE_SUPPORTED));
		aegw_benc_end(e);
	}
	aegw_benc_end(e);
}

static void add_limits(struct aegw_benc_enc *e, const struct ctl *ctl)
{
	const struct ctl_options *o = &ctl->opt;

	aegw_benc_add_cstr(e, "limits");
	aegw_benc_dict_begin(e);
	aegw_benc_dict_add_int(e, "delete-delay", o->delete_delay_s);
	aegw_benc_dict_add_int(e, "final-timeout", o->final_timeout_s);
	aegw_benc_dict_add_int(e, "max-registrations", o->max_registrations);
	aegw_benc_dict_add_int(e, "max-sessions", o->max_sessions);
	aegw_benc_dict_add_int(e, "ng-cache-mb", o->cache_mb);
	aegw_benc_dict_add_int(e, "offer-timeout", o->offer_timeout_s);
	aegw_benc_dict_add_int(e, "silent-timeout", o->silent_timeout_s);
	aegw_benc_dict_add_int(e, "static-streams", ctl->statics.n);
	aegw_benc_dict_add_int(e, "static-streams-max", CTL_STATIC_MAX);
	aegw_benc_dict_add_int(e, "timeout", o->timeout_s);
	aegw_benc_end(e);
}

/* The suites aegw terminates (--srtp-suites), in its order of
 * preference; the preferred one is its own key's when an offer gives it
 * no suite (a plain offer turned into RTP/SAVP). */
static void add_suites(struct aegw_benc_enc *e, const struct ctl_options *o)
{
	aegw_benc_dict_add_cstr(e, "preferred-suite",
				aegw_suite_info(o->suites[0])->name);
	aegw_benc_add_cstr(e, "suites");
	aegw_benc_list_begin(e);
	for (unsigned i = 0; i < o->n_suites; i++)
		aegw_benc_add_cstr(e, aegw_suite_info(o->suites[i])->name);
	aegw_benc_end(e);
}

/* --ng-allow: where requests may come from; empty: anywhere. */
static void add_ng_allow(struct aegw_benc_enc *e, const struct ctl_options *o)
{
	char text[64];

	aegw_benc_add_cstr(e, "ng-allow");
	aegw_benc_list_begin(e);
	for (unsigned i = 0; i < o->n_ng_allow; i++) {
		ctl_cidr_format(&o->ng_allow[i], text, sizeof(text));
		aegw_benc_add_cstr(e, text);
	}
	aegw_benc_end(e);
}

static size_t policy(struct ctl *ctl, const struct aegw_ng_msg *msg,
		     const struct aegw_ng_request *req, char *out, size_t cap,
		     char *err, size_t errlen)
{
	struct aegw_benc_enc e;

	(void)req;
	aegw_ng_reply_begin(&e, out, cap, msg->cookie);
	add_e2ae(&e, &ctl->opt);
	ctl_ng_add_interfaces(&e, ctl, true);
	add_limits(&e, ctl);
	add_suites(&e, &ctl->opt);
	add_ng_allow(&e, &ctl->opt);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	return done(&e, err, errlen);
}

/* ---- install, uninstall ----------------------------------------------- */

/* "ADDR:PORT" or "[ADDR6]:PORT", PORT 1..65535. */
static int endpoint(const struct aegw_benc_node *n, struct aegw_endpoint *ep)
{
	char buf[64];
	const char *colon;
	unsigned long port;
	char *end;

	memset(ep, 0, sizeof(*ep));
	if (!aegw_benc_is_str(n) || n->len == 0 || n->len >= sizeof(buf))
		return -1;
	memcpy(buf, n->str, n->len);
	buf[n->len] = 0;
	colon = strrchr(buf, ':');
	if (!colon || colon == buf)
		return -1;
	port = strtoul(colon + 1, &end, 10);
	if (*end || colon[1] < '0' || colon[1] > '9' || port == 0 ||
	    port > 65535)
		return -1;
	ep->port = (uint16_t)port;
	buf[colon - buf] = 0;
	if (buf[0] == '[' && colon[-1] == ']') {
		buf[colon - buf - 1] = 0;
		ep->family = 6;
		return inet_pton(AF_INET6, buf + 1, ep->ip) == 1 ? 0 : -1;
	}
	ep->family = 4;
	return inet_pton(AF_INET, buf, ep->ip) == 1 ? 0 : -1;
}

/* "SUITE:INLINE" (INLINE with or without its "inline:"), as aegw-dpctl
 * takes it. The text is copied to be terminated, and wiped. */
static int key(const struct aegw_benc_node *n, const char *name,
	       struct aegw_srtp_config *cfg, char *err, size_t errlen)
{
	char text[KEY_TEXT_MAX], msg[160] = "";
	struct aegw_sdes_key k;
	enum aegw_suite suite;
	char *colon, *value;
	int rc = -1;

	memset(&k, 0, sizeof(k));
	if (!aegw_benc_is_str(n) || n->len >= sizeof(text))
		return fail(err, errlen, "key '%s' must be SUITE:INLINE", name);
	memcpy(text, n->str, n->len);
	text[n->len] = 0;
	colon = strchr(text, ':');
	if (colon)
		*colon = 0;
	if (!colon || aegw_suite_from_name(text, &suite)) {
		fail(err, errlen, "key '%s': expected SUITE:INLINE with a "
		     "suite aegw knows", name);
		goto out;
	}
	value = colon + 1;
	if (!strncmp(value, "inline:", 7))
		value += 7;
	if (aegw_sdes_inline_parse(value, suite, &k, msg, sizeof(msg))) {
		fail(err, errlen, "key '%s': %s", name, msg);
		goto out;
	}
	aegw_sdes_key_to_config(&k, suite, cfg);
	cfg->kind = AEGW_SRTP_RTP;
	rc = 0;
out:
	aegw_sdes_key_wipe(&k);
	aegw_wipe(text, sizeof(text));
	return rc;
}

static int port_of(const struct aegw_benc_node *n, uint16_t *port)
{
	int64_t v;

	if (aegw_benc_to_int(n, &v) || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int action_of(const struct aegw_benc_node *n, enum aegw_action *a)
{
	char buf[16];

	if (!aegw_benc_is_str(n) || n->len >= sizeof(buf))
		return -1;
	memcpy(buf, n->str, n->len);
	buf[n->len] = 0;
	return aegw_action_from_name(buf, a);
}

static int iface_name(const struct aegw_benc_node *n, const char **p,
		      size_t *len)
{
	if (!aegw_benc_is_str(n))
		return -1;
	*p = n->str;
	*len = n->len;
	return 0;
}

/* The addresses, ports and action; the keys in install_keys. */
static int install_req(const struct aegw_ng_msg *msg,
		       const struct aegw_ng_request *req,
		       struct ctl_static_req *r, char *err, size_t errlen)
{
	const struct aegw_benc_node *d = msg->dict, *n;

	if (iface_name(aegw_benc_dict_get(d, "interface"), &r->iface,
		       &r->iface_len))
		return fail(err, errlen, "No interface in message");
	n = aegw_benc_dict_get(d, "out-interface");
	if (n && iface_name(n, &r->out_iface, &r->out_iface_len))
		return fail(err, errlen, "key 'out-interface' must be a string");
	if (port_of(aegw_benc_dict_get(d, "port"), &r->port))
		return fail(err, errlen, "No port (1 to 65535) in message");
	n = aegw_benc_dict_get(d, "source-port");
	if (n && port_of(n, &r->source_port))
		return fail(err, errlen, "source-port must be 1 to 65535");
	if (action_of(aegw_benc_dict_get(d, "action"), &r->action))
		return fail(err, errlen, "No action (relay, e2ae-in, e2ae-out, "
			    "recrypt) in message");
	if (endpoint(aegw_benc_dict_get(d, "peer"), &r->peer))
		return fail(err, errlen, "No peer (ADDR:PORT) in message");
	n = aegw_benc_dict_get(d, "remote");
	if (n && endpoint(n, &r->remote))
		return fail(err, errlen, "remote must be ADDR:PORT");
	r->rtcp_mux = aegw_ng_list_has(req->flags, "rtcp-mux");
	if (aegw_ng_list_has(req->flags, "rtcp-out-mux"))
		r->rtcp_out |= AEGW_STREAM_RTCP_OUT_MUX;
	if (aegw_ng_list_has(req->flags, "rtcp-out-split"))
		r->rtcp_out |= AEGW_STREAM_RTCP_OUT_SPLIT;
	if (r->rtcp_out == (AEGW_STREAM_RTCP_OUT_MUX |
			    AEGW_STREAM_RTCP_OUT_SPLIT))
		return fail(err, errlen, "flags rtcp-out-mux and rtcp-out-split "
			    "exclude each other");
	return 0;
}

static int install_keys(const struct aegw_ng_msg *msg,
			struct ctl_static_req *r, char *err, size_t errlen)
{
	const struct aegw_benc_node *in = aegw_benc_dict_get(msg->dict, "in-key"),
				    *out = aegw_benc_dict_get(msg->dict,
							      "out-key");

	r->have_in_key = in != NULL;
	r->have_out_key = out != NULL;
	if (in && key(in, "in-key", &r->in_key, err, errlen))
		return -1;
	if (out && key(out, "out-key", &r->out_key, err, errlen))
		return -1;
	return 0;
}

/* The reply names the stream, never its keys. */
static size_t install(struct ctl *ctl, const struct aegw_ng_msg *msg,
		      const struct aegw_ng_request *req, char *out, size_t cap,
		      char *err, size_t errlen)
{
	struct ctl_static_req r;
	const struct ctl_static_stream *s = NULL;
	struct aegw_benc_enc e;
	size_t n = 0;

	memset(&r, 0, sizeof(r));
	if (install_req(msg, req, &r, err, errlen) ||
	    install_keys(msg, &r, err, errlen))
		goto out;
	s = ctl_static_install(ctl, &r, err, errlen);
	if (!s)
		goto out;
	aegw_ng_reply_begin(&e, out, cap, msg->cookie);
	aegw_benc_dict_add_int(&e, "id", s->id);
	aegw_benc_dict_add_cstr(&e, "interface", s->iface->cfg->name);
	aegw_benc_dict_add_int(&e, "port", s->port);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	n = done(&e, err, errlen);
out:
	aegw_srtp_config_wipe(&r.in_key);
	aegw_srtp_config_wipe(&r.out_key);
	return n;
}

static size_t uninstall(struct ctl *ctl, const struct aegw_ng_msg *msg,
			const struct aegw_ng_request *req, char *out,
			size_t cap, char *err, size_t errlen)
{
	struct aegw_benc_enc e;
	int64_t id;

	(void)req;
	if (aegw_benc_to_int(aegw_benc_dict_get(msg->dict, "id"), &id) ||
	    id < 1 || id > UINT32_MAX) {
		fail(err, errlen, "No stream id in message");
		return 0;
	}
	if (ctl_static_uninstall(ctl, (uint32_t)id, err, errlen))
		return 0;
	aegw_ng_reply_begin(&e, out, cap, msg->cookie);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	return done(&e, err, errlen);
}

/* ---- the table ---------------------------------------------------------- */

static const struct {
	const char *name;
	ctl_ng_admin_fn *fn;
} commands[] = {
	{ "streams", ctl_ng_streams },
	{ "registrations", registrations },
	{ "policy", policy },
	{ "install", install },
	{ "uninstall", uninstall },
};

ctl_ng_admin_fn *ctl_ng_admin_find(const char *name, size_t len)
{
	for (size_t i = 0; name && i < sizeof(commands) / sizeof(*commands);
	     i++)
		if (strlen(commands[i].name) == len &&
		    !memcmp(commands[i].name, name, len))
			return commands[i].fn;
	return NULL;
}
