/* RFC 4568 a=crypto lines: the section 9.1 grammar, what makes a line
 * usable by aegw, its engine config, formatting, and the answerer's
 * choice (7.1). Keys are decoded only into the caller's config or into
 * temporaries that are wiped before return. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "aegw/sdp.h"
#include "aegw/wipe.h"
#include "internal.h"

enum {
	TAG_DIGITS = 9,        /* tag = 1*9DIGIT */
	SUITE_NAME_MAX = 64,
	/* The longest key-info aegw can use: 64 base64 characters, a
	 * 20-digit lifetime, a 4-byte MKI: about 100 characters. */
	KEY_INFO_MAX = 160,
	RFC_MKI_LEN_MAX = 128, /* RFC 4568 9.2: mki-length 1*3DIGIT, 1..128 */
};

static const unsigned KNOWN_FLAGS = AEGW_SRTP_UNENCRYPTED_SRTP |
				    AEGW_SRTP_UNENCRYPTED_SRTCP |
				    AEGW_SRTP_UNAUTHENTICATED_SRTP;

/* Where parsing stands: an unsupported feature is remembered (with its
 * message in err) while the rest of the line is still checked, because a
 * malformed line is reported as such even if it is also unsupported. */
struct parse {
	struct aegw_sdp_crypto *c;
	struct aegw_srtp_config *cfg;
	bool known_suite;
	bool unsupported;
	char *err;
	size_t errlen;
};

#define UNSUPPORTED(ps, ...)                                                 \
	do {                                                                 \
		if (!(ps)->unsupported)                                      \
			fail(0, (ps)->err, (ps)->errlen, __VA_ARGS__);       \
		(ps)->unsupported = true;                                    \
	} while (0)

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool is_name(struct aegw_sdp_str s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!is_name_char(s.p[i]))
			return false;
	return s.n > 0;
}

/* key-info = %x21-3A / %x3C-7E: visible characters but ';' */
static bool is_key_info(struct aegw_sdp_str s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < 0x21 || s.p[i] > 0x7e || s.p[i] == ';')
			return false;
	return s.n > 0;
}

/* Splits off the next ';'-separated key-param. */
static struct aegw_sdp_str next_param(struct aegw_sdp_str *s)
{
	const char *semi = s->n ? memchr(s->p, ';', s->n) : NULL;
	struct aegw_sdp_str t = { s->p, semi ? (size_t)(semi - s->p) : s->n };

	str_skip(s, t.n + (semi != NULL));
	return t;
}

/* key-param = key-method ":" key-info; sets *method and *info. */
static int split_key_param(struct aegw_sdp_str kp,
			   struct aegw_sdp_str *method,
			   struct aegw_sdp_str *info)
{
	const char *colon = kp.n ? memchr(kp.p, ':', kp.n) : NULL;

	if (!colon)
		return -1;
	*method = (struct aegw_sdp_str){ kp.p, (size_t)(colon - kp.p) };
	*info = (struct aegw_sdp_str){ colon + 1, kp.n - method->n - 1 };
	return is_name(*method) && is_key_info(*info) ? 0 : -1;
}

/* key-params = key-param *(";" key-param), the grammar only (9.1); also
 * FEC_KEY's value (6.3.5). Returns the number of key-params or -1. */
static int check_key_params(struct aegw_sdp_str s)
{
	struct aegw_sdp_str method, info;
	int n = 0;

	if (!s.n || s.p[s.n - 1] == ';') /* an empty last key-param */
		return -1;
	do {
		if (split_key_param(next_param(&s), &method, &info))
			return -1;
		n++;
	} while (s.n);
	return n;
}

/* RFC 4568 allows an MKI of up to 128 bytes; aegw of 1..4. A longer one
 * (the RFC's own examples use 1:32) is well-formed but unsupported, which
 * aegw_sdes_inline_parse cannot tell apart from garbage: look first. */
static bool long_mki(struct aegw_sdp_str info)
{
	size_t bar = info.n, colon;
	struct aegw_sdp_str len;
	uint32_t v;

	while (bar && info.p[bar - 1] != '|')
		bar--;
	for (colon = bar; colon < info.n && info.p[colon] != ':'; colon++)
		;
	if (!bar || colon == info.n)
		return false;
	len = (struct aegw_sdp_str){ info.p + colon + 1, info.n - colon - 1 };
	return !str_uint(len, 3, RFC_MKI_LEN_MAX, &v) &&
	       v > AEGW_SRTP_MAX_MKI_LEN;
}

/* Decodes one inline: key-info into cfg->keys[i]; the temporaries that
 * held key material are wiped. A long MKI only marks the line. */
static int decode_key(struct parse *ps, struct aegw_sdp_str info, unsigned i)
{
	struct aegw_srtp_master_key *mk = &ps->cfg->keys[i];
	char text[KEY_INFO_MAX];
	struct aegw_sdes_key k;
	int rc;

	if (long_mki(info)) {
		UNSUPPORTED(ps, "key %u: MKI longer than %d bytes", i + 1,
			    AEGW_SRTP_MAX_MKI_LEN);
		return 0;
	}
	if (info.n >= sizeof(text))
		return fail(AEGW_ERR_BAD_KEY, ps->err, ps->errlen,
			    "key %u: key-info of %zu characters", i + 1,
			    info.n);
	memcpy(text, info.p, info.n);
	text[info.n] = '\0';
	rc = aegw_sdes_inline_parse(text, ps->c->suite, &k, ps->err,
				    ps->errlen);
	if (!rc && i && k.mki_len != ps->cfg->mki_len)
		rc = fail(AEGW_ERR_INVALID_ARG, ps->err, ps->errlen,
			  "key %u: MKI of %u bytes, key 1's of %u", i + 1,
			  k.mki_len, ps->cfg->mki_len);
	if (!rc) {
		memcpy(mk->key, k.key, sizeof(mk->key));
		memcpy(mk->salt, k.salt, sizeof(mk->salt));
		memcpy(mk->mki, k.mki, sizeof(mk->mki));
		mk->lifetime = k.lifetime;
		ps->cfg->mki_len = k.mki_len;
	}
	aegw_wipe(text, sizeof(text));
	aegw_sdes_key_wipe(&k);
	return rc;
}

/* key-params of a known suite: every key decoded in order (RFC 4568
 * 6.1: several keys, told apart by their MKIs, form one key set). */
static int parse_keys(struct parse *ps, struct aegw_sdp_str s)
{
	struct aegw_sdp_str method, info;
	unsigned i = 0;
	int rc;

	do {
		split_key_param(next_param(&s), &method, &info);
		if (!str_ieq(method, "inline")) {
			UNSUPPORTED(ps, "key method '%.*s'", (int)method.n,
				    method.p);
			continue;
		}
		if (i == AEGW_SRTP_MAX_KEYS) {
			UNSUPPORTED(ps, "more than %d keys",
				    AEGW_SRTP_MAX_KEYS);
			break;
		}
		rc = decode_key(ps, info, i++);
		if (rc)
			return rc;
	} while (s.n);
	ps->cfg->n_keys = i;
	/* RFC 3711 3.1: with several master keys the MKI says which. */
	if (i > 1 && !ps->cfg->mki_len && !ps->unsupported)
		return fail(AEGW_ERR_INVALID_ARG, ps->err, ps->errlen,
			    "%u keys without MKIs", i);
	return 0;
}

/* KDR=n, n in 1..24 without leading zero (RFC 4568 6.3.1). */
static int parse_kdr(struct aegw_sdp_str v, unsigned *log2)
{
	uint32_t x;

	if (v.n == 0 || v.p[0] == '0' || str_uint(v, 2, 24, &x))
		return -1;
	*log2 = x;
	return 0;
}

/* Whether t starts with "NAME="; *v becomes what follows. */
static bool after(struct aegw_sdp_str t, const char *name,
		  struct aegw_sdp_str *v)
{
	size_t n = strlen(name);

	if (t.n < n || strncasecmp(t.p, name, n))
		return false;
	*v = (struct aegw_sdp_str){ t.p + n, t.n - n };
	return true;
}

/* One session parameter (RFC 4568 6.3); unknown ones make the line
 * unusable (6.3.7) but not malformed, unless they start with a dash:
 * those are optional, and ignored. */
static int session_param(struct parse *ps, struct aegw_sdp_str t)
{
	struct aegw_sdp_crypto *c = ps->c;
	struct aegw_sdp_str v;
	uint32_t x;

	for (size_t i = 0; i < t.n; i++)
		if (t.p[i] < 0x21 || t.p[i] > 0x7e) /* VCHAR */
			goto bad;
	if (str_ieq(t, "UNENCRYPTED_SRTP")) {
		c->session_params |= AEGW_SRTP_UNENCRYPTED_SRTP;
	} else if (str_ieq(t, "UNENCRYPTED_SRTCP")) {
		c->session_params |= AEGW_SRTP_UNENCRYPTED_SRTCP;
	} else if (str_ieq(t, "UNAUTHENTICATED_SRTP")) {
		c->session_params |= AEGW_SRTP_UNAUTHENTICATED_SRTP;
	} else if (after(t, "KDR=", &v)) {
		if (parse_kdr(v, &c->kdr_log2))
			goto bad;
	} else if (after(t, "WSH=", &v)) {
		/* 9.2 says at least 64; a smaller hint is taken as none
		 * (finish_config), not as a reason to refuse the key */
		if (v.n < 2 || str_uint(v, 9, 999999999, &x))
			goto bad;
		c->wsh = x;
	} else if (after(t, "FEC_ORDER=", &v)) {
		if (!str_ieq(v, "FEC_SRTP") && !str_ieq(v, "SRTP_FEC"))
			goto bad;
		c->fec_order = true;
	} else if (after(t, "FEC_KEY=", &v)) {
		if (check_key_params(v) < 0)
			goto bad;
		c->fec_key = true;
	} else if (t.p[0] != '-' || t.n < 2 || t.p[1] == '-') {
		/* "-" 1*VCHAR, the first of them not a dash (9.2) */
		UNSUPPORTED(ps, "unknown session parameter '%.*s'", (int)t.n,
			    t.p);
	}
	return 0;
bad:
	return fail(AEGW_ERR_INVALID_ARG, ps->err, ps->errlen,
		    "malformed session parameter '%.*s'", (int)t.n, t.p);
}

/* tag 1*WSP crypto-suite 1*WSP key-params *(1*WSP session-param) */
static int parse_grammar(struct parse *ps, struct aegw_sdp_str v,
			 struct aegw_sdp_str *keys)
{
	struct aegw_sdp_crypto *c = ps->c;
	struct aegw_sdp_str tag = str_token(&v);
	char name[SUITE_NAME_MAX + 1];
	int rc;

	if (str_uint(tag, TAG_DIGITS, 999999999, &c->tag))
		return fail(AEGW_ERR_INVALID_ARG, ps->err, ps->errlen,
			    "tag '%.*s' is not 1 to 9 digits", (int)tag.n,
			    tag.p);
	c->suite_name = str_token(&v);
	if (!is_name(c->suite_name))
		return fail(AEGW_ERR_INVALID_ARG, ps->err, ps->errlen,
			    "no crypto-suite after the tag");
	*keys = str_token(&v);
	rc = check_key_params(*keys);
	if (rc < 0)
		return fail(AEGW_ERR_INVALID_ARG, ps->err, ps->errlen,
			    "key-params are not key-method:key-info;...");
	c->n_keys = (unsigned)rc;
	while (v.n) {
		rc = session_param(ps, str_token(&v));
		if (rc)
			return rc;
	}
	if (c->suite_name.n <= SUITE_NAME_MAX) {
		for (size_t i = 0; i < c->suite_name.n; i++)
			name[i] = (char)toupper((unsigned char)c->suite_name.p[i]);
		name[c->suite_name.n] = '\0';
		ps->known_suite = !aegw_suite_from_name(name, &c->suite);
	}
	if (!ps->known_suite)
		UNSUPPORTED(ps, "unknown crypto-suite '%.*s'",
			    (int)c->suite_name.n, c->suite_name.p);
	return 0;
}

/* The line's own parameters into cfg, then the engine's own check. */
static int finish_config(const struct aegw_sdp_crypto *c,
			 struct aegw_srtp_config *cfg, char *err,
			 size_t errlen)
{
	int rc;

	cfg->kind = AEGW_SRTP_RTP;
	cfg->suite = c->suite;
	cfg->session_params = c->session_params;
	cfg->kdr_log2 = c->kdr_log2;
	/* RFC 4568 6.3.6: WSH is the sender's hint; RFC 3711 3.3.2 wants a
	 * window of at least 64, aegw has at most AEGW_SRTP_WINDOW_MAX. */
	if (c->wsh >= 64)
		cfg->window = c->wsh < AEGW_SRTP_WINDOW_MAX ?
				      c->wsh :
				      AEGW_SRTP_WINDOW_MAX;
	rc = aegw_srtp_config_check(cfg);
	if (rc)
		fail(rc, err, errlen, "the SRTP engine refuses the line: %s",
		     aegw_strerror(rc));
	return rc;
}

/* The whole line into c and, with its keys, into cfg (which the caller
 * wipes). Returns the status. */
static int parse_line(struct aegw_sdp_str v, struct aegw_sdp_crypto *c,
		      struct aegw_srtp_config *cfg, char *err, size_t errlen)
{
	struct parse ps = { c, cfg, false, false, err, errlen };
	struct aegw_sdp_str keys;
	int rc;

	memset(c, 0, sizeof(*c));
	memset(cfg, 0, sizeof(*cfg));
	if (!v.p)
		v = (struct aegw_sdp_str){ "", 0 };
	c->value = v;
	while (v.n && is_wsp(v.p[v.n - 1])) /* lenient: trailing blanks */
		v.n--;
	rc = parse_grammar(&ps, v, &keys);
	if (!rc && ps.known_suite)
		rc = parse_keys(&ps, keys);
	if (!rc && !ps.unsupported)
		rc = finish_config(c, cfg, err, errlen);
	if (!rc && ps.unsupported)
		rc = AEGW_ERR_UNSUPPORTED;
	c->status = rc;
	c->mki_len = cfg->mki_len;
	return rc;
}

int aegw_sdp_crypto_parse(const char *value, size_t len,
			  struct aegw_sdp_crypto *c, char *err, size_t errlen)
{
	struct aegw_sdp_str v = { value, value ? len : 0 };
	struct aegw_srtp_config cfg;
	int rc = parse_line(v, c, &cfg, err, errlen);

	aegw_srtp_config_wipe(&cfg);
	return rc;
}

int aegw_sdp_crypto_to_config(const struct aegw_sdp_crypto *c,
			      struct aegw_srtp_config *cfg, char *err,
			      size_t errlen)
{
	struct aegw_sdp_crypto again;
	int rc;

	if (c->status) {
		memset(cfg, 0, sizeof(*cfg));
		return fail(c->status, err, errlen,
			    "a=crypto:%u is not usable: %s", c->tag,
			    aegw_strerror(c->status));
	}
	rc = parse_line(c->value, &again, cfg, err, errlen);
	if (rc)
		aegw_srtp_config_wipe(cfg);
	return rc;
}

int aegw_sdp_crypto_format(uint32_t tag, enum aegw_suite suite,
			   const struct aegw_sdes_key *k,
			   unsigned session_params, char *out, size_t cap)
{
	const struct aegw_suite_info *si = aegw_suite_info(suite);
	const unsigned sp = session_params;
	char key[AEGW_SDES_INLINE_BUF];
	int rc = AEGW_ERR_INVALID_ARG, n;

	if (tag > 999999999 || !si || (sp & ~KNOWN_FLAGS))
		return rc;
	rc = aegw_sdes_inline_format(k, suite, key, sizeof(key));
	if (rc)
		goto out;
	n = snprintf(out, cap, "%u %s inline:%s%s%s%s", tag, si->name, key,
		     sp & AEGW_SRTP_UNENCRYPTED_SRTP ? " UNENCRYPTED_SRTP" : "",
		     sp & AEGW_SRTP_UNENCRYPTED_SRTCP ? " UNENCRYPTED_SRTCP" :
							"",
		     sp & AEGW_SRTP_UNAUTHENTICATED_SRTP ?
			     " UNAUTHENTICATED_SRTP" :
			     "");
	if (n < 0 || (size_t)n >= cap) {
		rc = AEGW_ERR_NO_ROOM;
		if (cap)
			aegw_wipe(out, cap); /* a cut key */
	}
out:
	aegw_wipe(key, sizeof(key));
	return rc;
}

int aegw_sdp_crypto_select(const struct aegw_sdp_crypto *lines, unsigned n,
			   const enum aegw_suite *allow, unsigned n_allow)
{
	for (unsigned i = 0; i < n; i++) {
		bool ok = n_allow == 0;

		if (lines[i].status)
			continue;
		for (unsigned j = 0; j < n_allow && !ok; j++)
			ok = allow[j] == lines[i].suite;
		if (ok)
			return (int)i;
	}
	return -1;
}
