/* SDP text (RFC 8866) into lines, and what aegw reads from them: o=, c=,
 * m= and the attributes the rewrite owns or the control daemon asks
 * about. One pass, no allocation; everything points into the text. */
#include <stddef.h>
#include <string.h>

#include "aegw/sdp.h"
#include "internal.h"

/* The type letters RFC 8866 5 defines (k= is obsolete but defined). RFC
 * 8866 5 lets a parser reject an SDP with any other one; aegw does. */
static const char TYPES[] = "vosiuepcbtrzkam";

static const char *const PROTO_NAMES[] = {
	[AEGW_SDP_PROTO_RTP_AVP] = "RTP/AVP",
	[AEGW_SDP_PROTO_RTP_SAVP] = "RTP/SAVP",
	[AEGW_SDP_PROTO_RTP_AVPF] = "RTP/AVPF",
	[AEGW_SDP_PROTO_RTP_SAVPF] = "RTP/SAVPF",
};

const char *aegw_sdp_proto_name(enum aegw_sdp_proto proto)
{
	if ((unsigned)proto >= sizeof(PROTO_NAMES) / sizeof(PROTO_NAMES[0]))
		return NULL;
	return PROTO_NAMES[proto];
}

static enum aegw_sdp_proto proto_id(struct aegw_sdp_str s)
{
	for (unsigned i = 1; i < sizeof(PROTO_NAMES) / sizeof(PROTO_NAMES[0]);
	     i++)
		if (str_eq(s, PROTO_NAMES[i]))
			return (enum aegw_sdp_proto)i;
	return AEGW_SDP_PROTO_OTHER;
}

/* <nettype> <addrtype> <address>: IN IP4/IP6 give a family, anything
 * else 0 (RFC 8866 5.7 allows other types; aegw relays those untouched). */
static int family_of(struct aegw_sdp_str net, struct aegw_sdp_str type)
{
	if (!str_eq(net, "IN"))
		return 0;
	return str_eq(type, "IP4") ? 4 : str_eq(type, "IP6") ? 6 : 0;
}

/* c=<nettype> <addrtype> <connection-address> (RFC 8866 5.7), also the
 * tail of a=rtcp (RFC 3605). */
static int parse_conn(struct aegw_sdp_str v, struct aegw_sdp_conn *c)
{
	struct aegw_sdp_str net = str_token(&v), type = str_token(&v);

	c->addr = str_token(&v);
	if (!net.n || !type.n || !c->addr.n || v.n)
		return -1;
	c->present = true;
	c->family = family_of(net, type);
	return 0;
}

/* RFC 8866 5.2: six fields; sess-id and sess-version are decimal. */
static int parse_origin(struct aegw_sdp *sdp, struct aegw_sdp_str v)
{
	struct aegw_sdp_origin *o = &sdp->origin;

	o->user = str_token(&v);
	o->sess_id = str_token(&v);
	o->sess_version = str_token(&v);
	o->nettype = str_token(&v);
	o->addrtype = str_token(&v);
	o->addr = str_token(&v);
	if (!o->user.n || !all_digits(o->sess_id) ||
	    !all_digits(o->sess_version) || !o->nettype.n ||
	    !o->addrtype.n || !o->addr.n || v.n)
		return -1;
	o->family = family_of(o->nettype, o->addrtype);
	return 0;
}

/* RFC 3551 6: the static payload types' clock rates; 0 for the
 * unassigned and reserved. */
static uint32_t static_clock_rate(unsigned pt)
{
	static const uint32_t rate[35] = {
		[0] = 8000, [3] = 8000, [4] = 8000, [5] = 8000,
		[6] = 16000, [7] = 8000, [8] = 8000, [9] = 8000,
		[10] = 44100, [11] = 44100, [12] = 8000, [13] = 8000,
		[14] = 90000, [15] = 8000, [16] = 11025, [17] = 22050,
		[18] = 8000, [25] = 90000, [26] = 90000, [28] = 90000,
		[31] = 90000, [32] = 90000, [33] = 90000, [34] = 90000,
	};

	return pt < sizeof(rate) / sizeof(rate[0]) ? rate[pt] : 0;
}

static void first_format(struct aegw_sdp_media *m)
{
	struct aegw_sdp_str f = m->formats, pt = str_token(&f);
	uint32_t x;

	m->first_pt = -1;
	if (str_uint(pt, 3, 127, &x))
		return;
	m->first_pt = (int)x;
	m->clock_rate = static_clock_rate(x);
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<params>] (RFC
 * 8866 6.6), read for the first format only. A malformed one is kept as
 * it came and tells nothing. */
static void parse_rtpmap(struct aegw_sdp_media *m, struct aegw_sdp_str v)
{
	struct aegw_sdp_str pt = str_token(&v), rate = str_token(&v);
	const char *slash;
	uint32_t x;

	if (m->first_pt < 0 || str_uint(pt, 3, 127, &x) ||
	    x != (uint32_t)m->first_pt || !rate.n ||
	    !(slash = memchr(rate.p, '/', rate.n)))
		return;
	str_skip(&rate, (size_t)(slash - rate.p) + 1); /* the name */
	if ((slash = memchr(rate.p, '/', rate.n)))
		rate.n = (size_t)(slash - rate.p); /* the parameters */
	if (!str_uint(rate, 7, 9999999, &x) && x)
		m->clock_rate = x;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 5.14) */
static int parse_media(struct aegw_sdp_media *m, struct aegw_sdp_str v)
{
	struct aegw_sdp_str port, count = { NULL, 0 };
	const char *slash;
	uint32_t x;

	m->media = str_token(&v);
	port = str_token(&v);
	m->proto = str_token(&v);
	m->formats = v;
	slash = port.n ? memchr(port.p, '/', port.n) : NULL;
	if (slash) {
		count.p = slash + 1;
		count.n = port.n - (size_t)(count.p - port.p);
		port.n = (size_t)(slash - port.p);
		if (str_uint(count, 5, 65535, &x) || x == 0)
			return -1;
		m->port_count = (uint16_t)x;
	}
	if (!m->media.n || str_uint(port, 5, 65535, &x) || !m->proto.n ||
	    !m->formats.n)
		return -1;
	m->port = (uint16_t)x;
	m->proto_id = proto_id(m->proto);
	first_format(m);
	return 0;
}

/* a=rtcp:<port> [<nettype> <addrtype> <connection-address>] (RFC 3605) */
static int parse_rtcp(struct aegw_sdp_media *m, struct aegw_sdp_str v)
{
	struct aegw_sdp_str port = str_token(&v);
	struct aegw_sdp_conn c = { 0 };
	uint32_t x;

	if (str_uint(port, 5, 65535, &x) || (v.n && parse_conn(v, &c)))
		return -1;
	if (!m->has_rtcp) {
		m->has_rtcp = true;
		m->rtcp_port = (uint16_t)x;
		m->rtcp_addr = c;
	}
	return 0;
}

/* RFC 8839 5: the ICE attributes, at whichever level they stand. */
static bool ice_attr(struct aegw_sdp_ice *ice, struct aegw_sdp_str name,
		     struct aegw_sdp_str val)
{
	if (str_eq(name, "candidate"))
		ice->n_candidates++;
	else if (str_eq(name, "ice-ufrag"))
		ice->ufrag = val;
	else if (str_eq(name, "ice-pwd"))
		ice->pwd = val;
	else if (str_eq(name, "ice-options"))
		ice->options = val;
	else if (str_eq(name, "ice-lite"))
		ice->lite = true;
	else if (str_eq(name, "end-of-candidates"))
		ice->end_of_candidates = true;
	else if (str_eq(name, "remote-candidates"))
		ice->remote_candidates = true;
	else if (!str_eq(name, "ice-mismatch") && !str_eq(name, "ice-pacing"))
		return false;
	return true;
}

static enum aegw_sdp_dir direction(struct aegw_sdp_str name)
{
	static const char *const names[] = { NULL, "sendrecv", "sendonly",
					     "recvonly", "inactive" };

	for (unsigned i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (str_eq(name, names[i]))
			return (enum aegw_sdp_dir)i;
	return AEGW_SDP_DIR_NONE;
}

/* Attributes of either level; returns the line kind. */
static enum aegw_sdp_kind any_level_attr(struct aegw_sdp_section *s,
					 struct aegw_sdp_str name,
					 struct aegw_sdp_str val)
{
	enum aegw_sdp_dir d = direction(name);

	if (d != AEGW_SDP_DIR_NONE) {
		s->dir = d;
		return AEGW_SDP_LINE_DIRECTION;
	}
	if (str_eq(name, "key-mgmt")) {
		s->key_mgmt = true;
		return AEGW_SDP_LINE_KEY_MGMT;
	}
	if (str_eq(name, "zrtp-hash"))
		s->zrtp = true; /* the line passes as any other */
	if (ice_attr(&s->ice, name, val))
		return AEGW_SDP_LINE_ICE;
	return AEGW_SDP_LINE_OTHER;
}

static enum aegw_sdp_e2ae e2ae_of(struct aegw_sdp_str val)
{
	if (str_eq(val, "requested"))
		return AEGW_SDP_E2AE_REQUESTED;
	if (str_eq(val, "applied"))
		return AEGW_SDP_E2AE_APPLIED;
	return AEGW_SDP_E2AE_OTHER;
}

/* Media-level attributes (RFC 3605, 5761, 4568, TS 24.229 7.5.2); -1 for
 * a malformed a=rtcp. At session level these names mean nothing to aegw
 * and stay OTHER lines. */
static int media_attr(struct aegw_sdp_media *m, struct aegw_sdp_str name,
		      struct aegw_sdp_str val)
{
	if (str_eq(name, "rtcp"))
		return parse_rtcp(m, val) ? -1 : AEGW_SDP_LINE_RTCP;
	if (str_eq(name, "rtcp-mux")) {
		m->rtcp_mux = true;
		return AEGW_SDP_LINE_RTCP_MUX;
	}
	if (str_eq(name, "crypto")) {
		if (m->n_crypto < AEGW_SDP_MAX_CRYPTO)
			aegw_sdp_crypto_parse(val.p, val.n,
					      &m->crypto[m->n_crypto++], NULL,
					      0);
		return AEGW_SDP_LINE_CRYPTO;
	}
	if (str_eq(name, "rtpmap"))
		parse_rtpmap(m, val);
	if (str_eq(name, "3ge2ae")) {
		if (m->e2ae == AEGW_SDP_E2AE_NONE)
			m->e2ae = e2ae_of(val);
		return AEGW_SDP_LINE_E2AE;
	}
	return any_level_attr(&m->s, name, val);
}

/* a=<attribute>[:<value>] (RFC 8866 5.13) */
static int parse_attr(struct aegw_sdp *sdp, struct aegw_sdp_line *l)
{
	struct aegw_sdp_str v = { l->value, l->len }, val = { NULL, 0 }, name;
	const char *colon;

	/* Lenient: "a=rtcp-mux " and "a=3ge2ae:requested " mean what they
	 * would without the blank (the line is still copied as it came). */
	while (v.n && is_wsp(v.p[v.n - 1]))
		v.n--;
	colon = v.n ? memchr(v.p, ':', v.n) : NULL;
	name = (struct aegw_sdp_str){ v.p, colon ? (size_t)(colon - v.p) : v.n };
	if (colon) {
		val.p = colon + 1;
		val.n = v.n - name.n - 1;
	}
	if (!name.n)
		return -1;
	if (l->media < 0 && str_eq(name, "group") && val.n >= 6 &&
	    !memcmp(val.p, "BUNDLE", 6) && (val.n == 6 || is_wsp(val.p[6])))
		return AEGW_SDP_LINE_BUNDLE;
	if (l->media < 0)
		return any_level_attr(&sdp->session, name, val);
	return media_attr(&sdp->media[l->media], name, val);
}

static struct aegw_sdp_section *section(struct aegw_sdp *sdp, int media)
{
	return media < 0 ? &sdp->session : &sdp->media[media].s;
}

/* Fills in what the line says; returns its kind or -1 if malformed. */
static int classify(struct aegw_sdp *sdp, struct aegw_sdp_line *l)
{
	struct aegw_sdp_str v = { l->value, l->len };
	struct aegw_sdp_section *s = section(sdp, l->media);
	struct aegw_sdp_conn c = { 0 };

	switch (l->type) {
	case 'o':
		return parse_origin(sdp, v) ? -1 : AEGW_SDP_LINE_ORIGIN;
	case 'c':
		if (parse_conn(v, &c))
			return -1;
		if (!s->c.present)
			s->c = c;
		return AEGW_SDP_LINE_CONN;
	case 'm':
		if (parse_media(&sdp->media[l->media], v))
			return -1;
		return AEGW_SDP_LINE_MEDIA;
	case 'a':
		return parse_attr(sdp, l);
	}
	return AEGW_SDP_LINE_OTHER;
}

/* Where each line's type may stand: v= first and only there, o= second
 * and only there (RFC 8866 5), at most AEGW_SDP_MAX_MEDIA m= sections. */
static int check_place(struct aegw_sdp *sdp, struct aegw_sdp_str l,
		       char *err, size_t errlen)
{
	unsigned no = sdp->n_lines + 1;

	if (no == 1 && !str_eq(l, "v=0"))
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "not SDP: the first line is not v=0");
	if ((no == 1) != (l.p[0] == 'v'))
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "line %u: v= may only be the first line", no);
	if ((no == 2) != (l.p[0] == 'o'))
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "line %u: o= must be the second line, and only it",
			    no);
	if (l.p[0] == 'm' && sdp->n_media == AEGW_SDP_MAX_MEDIA)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "line %u: more than %d m= sections", no,
			    AEGW_SDP_MAX_MEDIA);
	return 0;
}

/* One line without its line end: "<type>=<value>", where the value may
 * hold any byte but NUL, CR and LF (RFC 8866 9, byte-string). */
static int add_line(struct aegw_sdp *sdp, struct aegw_sdp_str l, char *err,
		    size_t errlen)
{
	unsigned no = sdp->n_lines + 1;
	struct aegw_sdp_line *line;
	int kind;

	if (l.n < 2 || l.p[1] != '=' || !l.p[0] || !strchr(TYPES, l.p[0]))
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "line %u is not <type>=<value> with a type letter "
			    "of RFC 8866", no);
	if (memchr(l.p, '\0', l.n) || memchr(l.p, '\r', l.n))
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "line %u holds a NUL or a bare CR", no);
	if (sdp->n_lines == AEGW_SDP_MAX_LINES)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "more than %d lines", AEGW_SDP_MAX_LINES);
	if (check_place(sdp, l, err, errlen))
		return AEGW_ERR_INVALID_ARG;
	if (l.p[0] == 'm')
		memset(&sdp->media[sdp->n_media++], 0, sizeof(sdp->media[0]));
	line = &sdp->lines[sdp->n_lines++];
	memset(line, 0, sizeof(*line));
	line->type = l.p[0];
	line->value = l.p + 2;
	line->len = (uint32_t)(l.n - 2);
	line->media = (int8_t)((int)sdp->n_media - 1);
	kind = classify(sdp, line);
	if (kind < 0)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "line %u: malformed %c= line", no, line->type);
	line->kind = (uint8_t)kind;
	return 0;
}

static bool only_line_ends(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

int aegw_sdp_parse(struct aegw_sdp *sdp, const char *text, size_t len,
		   char *err, size_t errlen)
{
	size_t pos = 0;
	int rc;

	/* Not all 40 KiB: each line and m= section is zeroed as it is
	 * added, and nothing is read past n_lines and n_media. */
	memset(sdp, 0, offsetof(struct aegw_sdp, lines));
	sdp->text = text;
	sdp->len = len;
	if (!text || len > AEGW_SDP_MAX_LEN)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "SDP of %zu bytes; at most %d", text ? len : 0,
			    AEGW_SDP_MAX_LEN);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		bool cr = end > pos && text[end - 1] == '\r';
		struct aegw_sdp_str l = { text + pos, end - pos - cr };

		if (pos == 0)
			sdp->lf_only = nl && !cr;
		if (l.n == 0 && only_line_ends(text + pos, len - pos))
			break;
		rc = add_line(sdp, l, err, errlen);
		if (rc)
			return rc;
		pos = nl ? end + 1 : len;
	}
	if (sdp->n_lines < 2)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "not SDP: %s", sdp->n_lines ? "no o= line" :
							  "no lines");
	return 0;
}
