/* A new SDP from a parsed one and an edit, written line by line into the
 * caller's buffer: lines aegw does not own are copied byte for byte and
 * in order, owned lines are changed in place or dropped, and lines the
 * edit adds go where RFC 8866 5 puts them (c=) or at the end of their m=
 * section (attributes). No allocation; the output is bounded by cap. */
#include <arpa/inet.h>
#include <string.h>

#include "aegw/sdp.h"
#include "internal.h"

struct out {
	char *p;
	size_t cap, len;
	bool full;
	const char *eol;
};

/* What one section has had written so far. */
struct sect_state {
	bool c_done, rtcp_done, mux_seen, crypto_done, e2ae_done;
};

struct rw {
	const struct aegw_sdp *in;
	const struct aegw_sdp_edit *ed;
	struct out o;
	int c_family[1 + AEGW_SDP_MAX_MEDIA];    /* [0] session, [1+i] m= i */
	int rtcp_family[AEGW_SDP_MAX_MEDIA];
	int origin_family;
	struct sect_state st[1 + AEGW_SDP_MAX_MEDIA];
};

static void put(struct out *o, const char *s, size_t n)
{
	if (!n || o->full)
		return;
	if (n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void put_z(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_s(struct out *o, struct aegw_sdp_str s)
{
	put(o, s.p, s.n);
}

static void put_u(struct out *o, unsigned v)
{
	char b[16];
	int n = snprintf(b, sizeof(b), "%u", v);

	put(o, b, (size_t)n);
}

/* "IN IP4 <addr>" or "IN IP6 <addr>" */
static void put_addr(struct out *o, int family, const char *addr)
{
	put_z(o, family == 6 ? "IN IP6 " : "IN IP4 ");
	put_z(o, addr);
}

static void put_line(struct out *o, const struct aegw_sdp_line *l)
{
	char head[2] = { l->type, '=' };

	put(o, head, 2);
	put(o, l->value, l->len);
	put_z(o, o->eol);
}

/* sess-version + 1 in decimal, of any length (RFC 8866 5.2: it only has
 * to increase). */
static void put_bumped(struct out *o, struct aegw_sdp_str v)
{
	size_t k = v.n;
	char d;

	while (k && v.p[k - 1] == '9')
		k--;
	if (k) {
		put(o, v.p, k - 1);
		d = (char)(v.p[k - 1] + 1);
		put(o, &d, 1);
	} else {
		put_z(o, "1");
	}
	for (size_t i = k; i < v.n; i++)
		put_z(o, "0");
}

static void put_origin(struct rw *w, const struct aegw_sdp_line *l)
{
	const struct aegw_sdp_origin *og = &w->in->origin;

	if (!w->ed->origin_addr && !w->ed->origin_bump &&
	    !w->ed->origin_version) {
		put_line(&w->o, l);
		return;
	}
	put_z(&w->o, "o=");
	put_s(&w->o, og->user);
	put_z(&w->o, " ");
	put_s(&w->o, og->sess_id);
	put_z(&w->o, " ");
	if (w->ed->origin_version)
		put_z(&w->o, w->ed->origin_version);
	else if (w->ed->origin_bump)
		put_bumped(&w->o, og->sess_version);
	else
		put_s(&w->o, og->sess_version);
	put_z(&w->o, " ");
	if (w->ed->origin_addr) {
		put_addr(&w->o, w->origin_family, w->ed->origin_addr);
	} else {
		put_s(&w->o, og->nettype);
		put_z(&w->o, " ");
		put_s(&w->o, og->addrtype);
		put_z(&w->o, " ");
		put_s(&w->o, og->addr);
	}
	put_z(&w->o, w->o.eol);
}

static const char *sect_addr(const struct rw *w, int media)
{
	return media < 0 ? w->ed->addr : w->ed->media[media].addr;
}

static void put_conn(struct rw *w, int media)
{
	put_z(&w->o, "c=");
	put_addr(&w->o, w->c_family[media + 1], sect_addr(w, media));
	put_z(&w->o, w->o.eol);
	w->st[media + 1].c_done = true;
}

static void put_mline(struct rw *w, const struct aegw_sdp_line *l)
{
	const struct aegw_sdp_media *m = &w->in->media[l->media];
	const struct aegw_sdp_media_edit *me = &w->ed->media[l->media];

	if (!me->set_port && me->proto == AEGW_SDP_PROTO_OTHER) {
		put_line(&w->o, l);
		return;
	}
	put_z(&w->o, "m=");
	put_s(&w->o, m->media);
	put_z(&w->o, " ");
	put_u(&w->o, me->set_port ? me->port : m->port);
	/* "/2" would name port + 2 as well (RFC 8866 5.14): aegw's port
	 * stands for one RTP port and its RTCP port only. */
	if (m->port_count && !me->set_port) {
		put_z(&w->o, "/");
		put_u(&w->o, m->port_count);
	}
	put_z(&w->o, " ");
	if (me->proto != AEGW_SDP_PROTO_OTHER)
		put_z(&w->o, aegw_sdp_proto_name(me->proto));
	else
		put_s(&w->o, m->proto);
	put_z(&w->o, " ");
	put_s(&w->o, m->formats);
	put_z(&w->o, w->o.eol);
}

static void put_rtcp(struct rw *w, int media)
{
	const struct aegw_sdp_media_edit *me = &w->ed->media[media];

	put_z(&w->o, "a=rtcp:");
	put_u(&w->o, me->rtcp_port);
	if (me->rtcp_addr) {
		put_z(&w->o, " ");
		put_addr(&w->o, w->rtcp_family[media], me->rtcp_addr);
	}
	put_z(&w->o, w->o.eol);
	w->st[media + 1].rtcp_done = true;
}

static void put_crypto(struct rw *w, int media)
{
	const struct aegw_sdp_media_edit *me = &w->ed->media[media];

	for (unsigned i = 0; i < me->n_crypto_lines; i++) {
		put_z(&w->o, "a=crypto:");
		put_z(&w->o, me->crypto_lines[i]);
		put_z(&w->o, w->o.eol);
	}
	w->st[media + 1].crypto_done = true;
}

static void put_e2ae(struct rw *w, int media)
{
	put_z(&w->o, "a=3ge2ae:applied");
	put_z(&w->o, w->o.eol);
	w->st[media + 1].e2ae_done = true;
}

static const struct aegw_sdp_section *in_sect(const struct rw *w, int media)
{
	return media < 0 ? &w->in->session : &w->in->media[media].s;
}

/* A c= the edit sets where the section has none. */
static bool c_pending(const struct rw *w, int media)
{
	return sect_addr(w, media) && !in_sect(w, media)->c.present &&
	       !w->st[media + 1].c_done;
}

/* RFC 8866 5: c= follows v= o= s= i= u= e= p= at session level, m= i=
 * in a media section; an added one goes right after those. */
static void before_line(struct rw *w, const struct aegw_sdp_line *l)
{
	const char *before = l->media < 0 ? "vosiuep" : "mi";

	if (c_pending(w, l->media) && !strchr(before, l->type))
		put_conn(w, l->media);
}

/* An attribute line of a kind the edit owns: kept, dropped, or the first
 * one of its kind replaced by the edit's line(s) and the rest dropped. */
static void owned(struct rw *w, const struct aegw_sdp_line *l,
		  enum aegw_sdp_op op, bool done,
		  void (*put_new)(struct rw *, int))
{
	if (op == AEGW_SDP_SET) {
		if (!done)
			put_new(w, l->media);
	} else if (op != AEGW_SDP_REMOVE) {
		put_line(&w->o, l);
	}
}

static void emit(struct rw *w, const struct aegw_sdp_line *l)
{
	const struct aegw_sdp_media_edit *me =
		l->media < 0 ? NULL : &w->ed->media[l->media];
	struct sect_state *st = &w->st[l->media + 1];

	switch (l->kind) {
	case AEGW_SDP_LINE_ORIGIN:
		put_origin(w, l);
		return;
	case AEGW_SDP_LINE_CONN:
		if (!sect_addr(w, l->media))
			put_line(&w->o, l);
		else if (!st->c_done)
			put_conn(w, l->media);
		return;
	case AEGW_SDP_LINE_MEDIA:
		put_mline(w, l);
		return;
	case AEGW_SDP_LINE_RTCP:
		owned(w, l, me->rtcp, st->rtcp_done, put_rtcp);
		return;
	case AEGW_SDP_LINE_RTCP_MUX:
		if (me->rtcp_mux != AEGW_SDP_REMOVE)
			put_line(&w->o, l);
		st->mux_seen = true;
		return;
	case AEGW_SDP_LINE_CRYPTO:
		owned(w, l, me->crypto, st->crypto_done, put_crypto);
		return;
	case AEGW_SDP_LINE_E2AE:
		owned(w, l, me->e2ae, st->e2ae_done, put_e2ae);
		return;
	case AEGW_SDP_LINE_ICE:
		if (!w->ed->remove_ice)
			put_line(&w->o, l);
		return;
	case AEGW_SDP_LINE_BUNDLE:
		if (!w->ed->remove_bundle)
			put_line(&w->o, l);
		return;
	}
	put_line(&w->o, l);
}

/* What the edit adds to a section that did not have it. */
static void section_end(struct rw *w, int media)
{
	const struct aegw_sdp_media_edit *me;
	const struct sect_state *st;

	if (c_pending(w, media))
		put_conn(w, media);
	if (media < 0)
		return;
	me = &w->ed->media[media];
	st = &w->st[media + 1];
	if (me->rtcp == AEGW_SDP_SET && !st->rtcp_done)
		put_rtcp(w, media);
	if (me->rtcp_mux == AEGW_SDP_SET && !st->mux_seen) {
		put_z(&w->o, "a=rtcp-mux");
		put_z(&w->o, w->o.eol);
	}
	if (me->crypto == AEGW_SDP_SET && !st->crypto_done)
		put_crypto(w, media);
	if (me->e2ae == AEGW_SDP_SET && !st->e2ae_done)
		put_e2ae(w, media);
	if (w->ed->media_attr) {
		put_z(&w->o, "a=");
		put_z(&w->o, w->ed->media_attr);
		put_z(&w->o, w->o.eol);
	}
}

static int check_addr(const char *a, int *family, const char *what,
		      char *err, size_t errlen)
{
	unsigned char b[16];

	if (!a)
		return 0;
	if (inet_pton(AF_INET, a, b) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, a, b) == 1)
		*family = 6;
	else
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "%s '%.64s' is neither IPv4 nor IPv6", what, a);
	return 0;
}

/* Lines the caller hands in become SDP lines: one line each, no control
 * characters (RFC 8866 9 would allow more; a=crypto does not). */
/* A line's value aegw writes: printable, not empty. */
static bool printable(const char *s)
{
	for (size_t j = 0; s && s[j]; j++)
		if (s[j] < 0x20 || s[j] > 0x7e)
			return false;
	return s && s[0];
}

static int check_crypto_lines(const struct aegw_sdp_media_edit *me,
			      unsigned media, char *err, size_t errlen)
{
	if (me->crypto != AEGW_SDP_SET)
		return 0;
	if (me->n_crypto_lines > AEGW_SDP_MAX_CRYPTO ||
	    (me->n_crypto_lines && !me->crypto_lines))
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "m= %u: %u a=crypto lines", media,
			    me->n_crypto_lines);
	for (unsigned i = 0; i < me->n_crypto_lines; i++) {
		if (!printable(me->crypto_lines[i]))
			return fail(AEGW_ERR_INVALID_ARG, err, errlen,
				    "m= %u: a=crypto line %u is empty or holds "
				    "a control character", media, i + 1);
	}
	return 0;
}

static int check_edit(struct rw *w, char *err, size_t errlen)
{
	const struct aegw_sdp_edit *ed = w->ed;
	int rc = check_addr(ed->addr, &w->c_family[0], "c= address", err,
			    errlen);

	if (!rc)
		rc = check_addr(ed->origin_addr, &w->origin_family,
				"o= address", err, errlen);
	if (!rc && ed->media_attr && !printable(ed->media_attr))
		rc = fail(AEGW_ERR_INVALID_ARG, err, errlen,
			  "the attribute for every m= is empty or holds a "
			  "control character");
	if (!rc && ed->origin_version &&
	    (!*ed->origin_version || strlen(ed->origin_version) > 20 ||
	     ed->origin_version[strspn(ed->origin_version, "0123456789")]))
		rc = fail(AEGW_ERR_INVALID_ARG, err, errlen,
			  "o= version '%.24s' is not 1 to 20 digits",
			  ed->origin_version);
	for (unsigned i = 0; !rc && i < w->in->n_media; i++) {
		const struct aegw_sdp_media_edit *me = &ed->media[i];

		rc = check_addr(me->addr, &w->c_family[i + 1], "c= address",
				err, errlen);
		if (!rc && me->rtcp == AEGW_SDP_SET)
			rc = check_addr(me->rtcp_addr, &w->rtcp_family[i],
					"a=rtcp address", err, errlen);
		if (!rc && me->proto != AEGW_SDP_PROTO_OTHER &&
		    !aegw_sdp_proto_name(me->proto))
			rc = fail(AEGW_ERR_INVALID_ARG, err, errlen,
				  "m= %u: unknown protocol %d", i,
				  (int)me->proto);
		if (!rc)
			rc = check_crypto_lines(me, i, err, errlen);
	}
	return rc;
}

int aegw_sdp_rewrite(const struct aegw_sdp *in,
		     const struct aegw_sdp_edit *edit, char *out, size_t cap,
		     size_t *out_len, char *err, size_t errlen)
{
	struct rw w;
	int cur = -1, rc;

	*out_len = 0;
	memset(&w, 0, sizeof(w));
	w.in = in;
	w.ed = edit;
	w.o = (struct out){ out, out ? cap : 0, 0, false,
			    in->lf_only ? "\n" : "\r\n" };
	rc = check_edit(&w, err, errlen);
	if (rc)
		return rc;
	for (unsigned i = 0; i < in->n_lines; i++) {
		const struct aegw_sdp_line *l = &in->lines[i];

		if (l->media != cur) { /* an m= line opens a section */
			section_end(&w, cur);
			cur = l->media;
		} else {
			before_line(&w, l);
		}
		emit(&w, l);
	}
	section_end(&w, cur);
	if (w.o.full)
		return fail(AEGW_ERR_NO_ROOM, err, errlen,
			    "the rewritten SDP does not fit in %zu bytes", cap);
	*out_len = w.o.len;
	return 0;
}
