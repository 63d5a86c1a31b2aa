/* register, deregister and lookup: their keys checked and typed, the
 * network's answer from the e2ae policy of the UE's access network, the
 * store updated, the reply written. UE identities are personal data: they
 * are logged at debug level only. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ng_registry.h"

/* What a register asks, its strings pointing into the request. */
struct reg_req {
	struct aegw_ng_str id;
	struct aegw_ng_str access; /* the access-type; len 0: none */
	bool ue_e2ae;
	int64_t expires;           /* seconds */
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

/* Its type was checked by aegw_ng_request_view. */
static int ue_identity(const struct aegw_ng_request *req,
		       struct aegw_ng_str *id, char *err, size_t errlen)
{
	if (!req->ue_identity.p)
		return fail(err, errlen, "No ue-identity in message");
	if (req->ue_identity.len == 0 || req->ue_identity.len > CTL_REG_ID_MAX)
		return fail(err, errlen, "ue-identity must be 1 to %d bytes",
			    CTL_REG_ID_MAX);
	*id = req->ue_identity;
	return 0;
}

/* "supported" / "not-supported", or 1 / 0 (an integer, or a string as
 * Kamailio sends numbers); absent: the flag e2ae-security-supported. */
static int ue_e2ae(const struct aegw_benc_node *dict,
		   const struct aegw_benc_node *flags, bool *out, char *err,
		   size_t errlen)
{
	const struct aegw_benc_node *n = aegw_benc_dict_get(dict,
							    "e2ae-security");
	int64_t v = -1;

	if (!n)
		*out = aegw_ng_list_has(flags, "e2ae-security-supported");
	else if (aegw_benc_str_eq(n, "supported"))
		*out = true;
	else if (aegw_benc_str_eq(n, "not-supported"))
		*out = false;
	else if (!aegw_benc_to_int(n, &v) && (v == 0 || v == 1))
		*out = v == 1;
	else
		return fail(err, errlen, "key 'e2ae-security' must be "
			    "supported, not-supported, 1 or 0");
	return 0;
}

/* The access-type: a whole P-Access-Network-Info value may be given; only
 * what precedes its first ';' is kept (the cell id is location data the
 * store has no use for). Spaces around it are trimmed. */
static int access_network(const struct aegw_benc_node *dict,
			  struct aegw_ng_str *out, char *err, size_t errlen)
{
	const struct aegw_benc_node *n = aegw_benc_dict_get(dict,
							    "access-network");
	const char *p, *end;

	*out = (struct aegw_ng_str){ "", 0 };
	if (!n)
		return 0;
	if (!aegw_benc_is_str(n))
		return fail(err, errlen, "key 'access-network' must be a "
			    "string");
	p = n->str;
	end = memchr(p, ';', n->len);
	end = end ? end : p + n->len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - p > CTL_REG_ACCESS_MAX)
		return fail(err, errlen, "access-network longer than %d bytes",
			    CTL_REG_ACCESS_MAX);
	for (const char *c = p; c < end; c++)
		if (*c <= ' ' || *c > '~')
			return fail(err, errlen, "access-network is not a "
				    "token");
	*out = (struct aegw_ng_str){ p, (size_t)(end - p) };
	return 0;
}

/* Seconds, as SIP's Expires: 0 to 2^32 - 1. */
static int expires(const struct aegw_benc_node *dict, int64_t *out,
		   char *err, size_t errlen)
{
	const struct aegw_benc_node *n = aegw_benc_dict_get(dict, "expires");

	if (!n)
		return fail(err, errlen, "No expires in message");
	if (aegw_benc_to_int(n, out))
		return fail(err, errlen, "key 'expires' must be an integer");
	if (*out < 0 || *out > (int64_t)UINT32_MAX)
		return fail(err, errlen, "expires must be 0 to %u seconds",
			    UINT32_MAX);
	return 0;
}

static int parse_register(const struct aegw_ng_msg *msg,
			  const struct aegw_ng_request *req,
			  struct reg_req *q, char *err, size_t errlen)
{
	return ue_identity(req, &q->id, err, errlen) ||
	       ue_e2ae(msg->dict, req->flags, &q->ue_e2ae, err, errlen) ||
	       access_network(msg->dict, &q->access, err, errlen) ||
	       expires(msg->dict, &q->expires, err, errlen) ? -1 : 0;
}

static const char *supported(bool yes)
{
	return yes ? "supported" : "not-supported";
}

static size_t reply_register(const struct aegw_ng_msg *msg, bool net,
			     int64_t secs, const char *warning, char *out,
			     size_t cap, char *err, size_t errlen)
{
	struct aegw_benc_enc e;
	size_t n;

	aegw_ng_reply_begin(&e, out, cap, msg->cookie);
	aegw_benc_dict_add_cstr(&e, "e2ae-security-network", supported(net));
	aegw_benc_dict_add_int(&e, "expires", secs);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	if (warning)
		aegw_benc_dict_add_cstr(&e, "warning", warning);
	n = aegw_ng_reply_end(&e);
	if (!n)
		fail(err, errlen, "reply too large");
	return n;
}

/* The network supports e2ae for a registration when the UE said it does
 * (TS 24.229 echoes "mediasec" only to a UE that offered it) and the
 * policy of its access network is not off. */
static void reg_info(const struct ctl *ctl, const struct reg_req *q,
		     uint64_t now, struct ctl_reg_info *info)
{
	memset(info, 0, sizeof(*info));
	info->ue_e2ae = q->ue_e2ae;
	info->policy = ctl_e2ae_policy_for(&ctl->opt, q->access.p,
					   q->access.len);
	info->net_e2ae = q->ue_e2ae && info->policy != CTL_E2AE_OFF;
	memcpy(info->access, q->access.p, q->access.len);
	info->expires_ns = now + (uint64_t)q->expires * 1000000000ull;
}

size_t ctl_ng_register(struct ctl *ctl, const struct aegw_ng_msg *msg,
		       const struct aegw_ng_request *req, char *out,
		       size_t cap, char *err, size_t errlen)
{
	struct ctl_reg_info info;
	struct reg_req q;
	uint64_t now = ctl_now_ns();
	bool known;

	if (parse_register(msg, req, &q, err, errlen))
		return 0;
	if (q.expires == 0) { /* RFC 3261 10.2.2: Expires 0 removes */
		known = ctl_registry_remove(&ctl->registry, q.id.p, q.id.len,
					    now);
		return reply_register(msg, false, 0, known ? NULL :
				      "Unknown registration", out, cap, err,
				      errlen);
	}
	reg_info(ctl, &q, now, &info);
	if (!ctl_registry_put(&ctl->registry, q.id.p, q.id.len, &info, now,
			      err, errlen))
		return 0;
	ctl_log(CTL_LOG_DEBUG, "registered %.*s: e2ae UE %s, network %s "
		"(%s: %s), %lld s", (int)q.id.len, q.id.p,
		supported(info.ue_e2ae), supported(info.net_e2ae),
		info.access[0] ? info.access : "no access network",
		ctl_e2ae_policy_name(info.policy), (long long)q.expires);
	return reply_register(msg, info.net_e2ae, q.expires, NULL, out, cap,
			      err, errlen);
}

size_t ctl_ng_deregister(struct ctl *ctl, const struct aegw_ng_msg *msg,
			 const struct aegw_ng_request *req, char *out,
			 size_t cap, char *err, size_t errlen)
{
	struct aegw_ng_str id = { 0 };
	struct aegw_benc_enc e;
	size_t n;

	if (ue_identity(req, &id, err, errlen))
		return 0;
	aegw_ng_reply_begin(&e, out, cap, msg->cookie);
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	if (!ctl_registry_remove(&ctl->registry, id.p, id.len, ctl_now_ns()))
		aegw_benc_dict_add_cstr(&e, "warning", "Unknown registration");
	n = aegw_ng_reply_end(&e);
	if (!n)
		fail(err, errlen, "reply too large");
	return n;
}

static size_t reply_lookup(const struct ctl_registration *r, uint64_t now,
			   struct aegw_ng_str cookie, char *out, size_t cap)
{
	const struct ctl_reg_info *i = &r->info;
	struct aegw_benc_enc e;

	aegw_ng_reply_begin(&e, out, cap, cookie);
	aegw_benc_dict_add_cstr(&e, "access-network", i->access);
	aegw_benc_dict_add_cstr(&e, "e2ae-policy",
				ctl_e2ae_policy_name(i->policy));
	aegw_benc_dict_add_cstr(&e, "e2ae-security", supported(i->ue_e2ae));
	aegw_benc_dict_add_cstr(&e, "e2ae-security-network",
				supported(i->net_e2ae));
	/* Whole seconds left, rounded up: a live entry never says 0. */
	aegw_benc_dict_add_int(&e, "expires",
			       (int64_t)((i->expires_ns - now + 999999999ull) /
					 1000000000ull));
	aegw_benc_dict_add_cstr(&e, "result", "ok");
	aegw_benc_dict_add_str(&e, "ue-identity", r->id, r->id_len);
	return aegw_ng_reply_end(&e);
}

size_t ctl_ng_lookup(struct ctl *ctl, const struct aegw_ng_msg *msg,
		     const struct aegw_ng_request *req, char *out, size_t cap,
		     char *err, size_t errlen)
{
	const struct ctl_registration *r;
	struct aegw_ng_str id = { 0 };
	uint64_t now = ctl_now_ns();
	size_t n;

	if (ue_identity(req, &id, err, errlen))
		return 0;
	r = ctl_registry_find(&ctl->registry, id.p, id.len, now);
	if (!r) {
		fail(err, errlen, "Unknown registration");
		return 0;
	}
	n = reply_lookup(r, now, msg->cookie, out, cap);
	if (!n)
		fail(err, errlen, "reply too large");
	return n;
}
