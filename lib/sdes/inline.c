/* The RFC 4568 `inline:` key parameter (section 9.2 grammar, 6.1 for its
 * meaning): base64 key||salt, optional lifetime, optional MKI. Parsed,
 * and formatted back: aegw's one place for base64. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "aegw/error.h"
#include "aegw/sdes.h"
#include "aegw/wipe.h"

enum {
	/* Base64 text of the longest key||salt, padded to a whole quantum. */
	B64_MAX = (AEGW_SRTP_MAX_MASTER_LEN + 2) / 3 * 4,
	B64_BUF = B64_MAX + 4,
	RAW_BUF = B64_BUF / 4 * 3,
	DIGITS_MAX = 20, /* UINT64_MAX has 20 decimal digits */
};

/* A field of the value: not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Splits at the next '|'; *cur becomes NULL after the last field. */
static struct span next_field(const char **cur)
{
	const char *bar = strchr(*cur, '|');
	struct span f = { *cur, bar ? (size_t)(bar - *cur) : strlen(*cur) };

	*cur = bar ? bar + 1 : NULL;
	return f;
}

/* Decimal digits only, no sign, no overflow. */
static int parse_u64(struct span f, uint64_t *v)
{
	uint64_t x = 0;

	if (f.n == 0 || f.n > DIGITS_MAX)
		return -1;
	for (size_t i = 0; i < f.n; i++) {
		unsigned d = (unsigned)(f.p[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static int is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Checks the alphabet and where '=' may stand; returns the number of '='
 * or -1. Padding may be left out (some peers do), so n % 4 may be 2 or 3
 * then; 1 is never valid base64. */
static int b64_check(struct span f, char *err, size_t errlen)
{
	size_t pad = 0;

	while (pad < f.n && pad < 2 && f.p[f.n - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < f.n - pad; i++) {
		if (!is_b64(f.p[i]))
			return fail(-1, err, errlen,
				    "invalid base64 character at offset %zu of "
				    "the key", i);
	}
	if ((pad && f.n % 4) || f.n % 4 == 1)
		return fail(-1, err, errlen,
			    "key is not valid base64: %zu characters", f.n);
	return (int)pad;
}

/* EVP_DecodeBlock decodes whole quanta only and counts '=' as zero
 * bytes, so the text is padded here and the padding subtracted. */
static int decode_key(struct span f, const struct aegw_suite_info *si,
		      struct aegw_sdes_key *out, char *err, size_t errlen)
{
	unsigned need = (unsigned)si->key_len + si->salt_len;
	unsigned char text[B64_BUF], raw[RAW_BUF];
	int pad, len, rc = AEGW_ERR_BAD_KEY;

	if (f.n == 0 || f.n > B64_MAX) {
		fail(rc, err, errlen, "key||salt is %zu base64 characters; %s "
		     "needs %u bytes", f.n, si->name, need);
		goto out;
	}
	pad = b64_check(f, err, errlen);
	if (pad < 0)
		goto out;
	memcpy(text, f.p, f.n);
	len = (int)f.n;
	while (len % 4) {
		text[len++] = '=';
		pad++;
	}
	len = EVP_DecodeBlock(raw, text, len);
	if (len < 0) {
		fail(rc, err, errlen, "key is not valid base64");
		goto out;
	}
	len -= pad;
	if (len != (int)need) {
		fail(rc, err, errlen, "key||salt decodes to %d bytes; %s needs "
		     "%u", len, si->name, need);
		goto out;
	}
	memcpy(out->key, raw, si->key_len);
	memcpy(out->salt, raw + si->key_len, si->salt_len);
	rc = AEGW_ERR_OK;
out:
	aegw_wipe(text, sizeof(text));
	aegw_wipe(raw, sizeof(raw));
	return rc;
}

/* lifetime = ["2^"] 1*DIGIT (RFC 4568 9.2). */
static int parse_lifetime(struct span f, uint64_t *lifetime, char *err,
			  size_t errlen)
{
	struct span e = { f.p + 2, f.n >= 2 ? f.n - 2 : 0 };
	uint64_t v;

	if (f.n >= 2 && f.p[0] == '2' && f.p[1] == '^') {
		if (parse_u64(e, &v) || v > 63)
			return fail(AEGW_ERR_INVALID_ARG, err, errlen,
				    "lifetime '%.*s': exponent must be 0..63",
				    (int)f.n, f.p);
		*lifetime = 1ull << v;
		return 0;
	}
	if (parse_u64(f, &v) || v == 0)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "lifetime '%.*s' is neither a positive decimal "
			    "nor 2^n", (int)f.n, f.p);
	*lifetime = v;
	return 0;
}

/* mki-value ":" mki-length; the value is decimal and must fit in length
 * bytes, stored big-endian. RFC 4568 allows 1..128 bytes, aegw 1..4. */
static int parse_mki(struct span f, struct aegw_sdes_key *out, char *err,
		     size_t errlen)
{
	const char *colon = memchr(f.p, ':', f.n);
	struct span vs, ls;
	uint64_t v, l;

	if (!colon)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "'%.*s' is not MKI:length", (int)f.n, f.p);
	vs = (struct span){ f.p, (size_t)(colon - f.p) };
	ls = (struct span){ colon + 1, f.n - vs.n - 1 };
	if (parse_u64(ls, &l) || l < 1 || l > AEGW_SRTP_MAX_MKI_LEN)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "MKI length '%.*s' is not 1..%d", (int)ls.n, ls.p,
			    AEGW_SRTP_MAX_MKI_LEN);
	if (parse_u64(vs, &v) || v >> (8 * l))
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    "MKI value '%.*s' is not a decimal that fits in %u "
			    "byte(s)", (int)vs.n, vs.p, (unsigned)l);
	out->mki_len = (unsigned)l;
	for (unsigned i = 0; i < l; i++)
		out->mki[i] = (uint8_t)(v >> (8 * (l - 1 - i)));
	return 0;
}

/* What follows the key: [lifetime] then [MKI:length], nothing more. A
 * field with a ':' can only be the MKI. */
static int parse_params(const char *cur, struct aegw_sdes_key *out,
			char *err, size_t errlen)
{
	struct span f;
	int rc;

	if (!cur)
		return 0;
	f = next_field(&cur);
	if (!memchr(f.p, ':', f.n)) {
		rc = parse_lifetime(f, &out->lifetime, err, errlen);
		if (rc || !cur)
			return rc;
		f = next_field(&cur);
	}
	rc = parse_mki(f, out, err, errlen);
	if (!rc && cur)
		rc = fail(AEGW_ERR_INVALID_ARG, err, errlen,
			  "unexpected '|%s' after the MKI", cur);
	return rc;
}

int aegw_sdes_inline_parse(const char *value, enum aegw_suite suite,
			   struct aegw_sdes_key *out, char *err,
			   size_t errlen)
{
	const struct aegw_suite_info *si = aegw_suite_info(suite);
	const char *cur = value;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!si || !value)
		return fail(AEGW_ERR_INVALID_ARG, err, errlen,
			    si ? "no key parameter" : "unknown suite");
	rc = decode_key(next_field(&cur), si, out, err, errlen);
	if (!rc)
		rc = parse_params(cur, out, err, errlen);
	if (rc)
		aegw_sdes_key_wipe(out);
	return rc;
}

/* "|lifetime|MKI:len" as parse_params reads it back; "" when neither. */
static void format_params(const struct aegw_sdes_key *k, char *tail,
			  size_t cap)
{
	uint64_t mki = 0;
	int n = 0;

	tail[0] = '\0';
	if (k->lifetime && !(k->lifetime & (k->lifetime - 1)))
		n = snprintf(tail, cap, "|2^%d", __builtin_ctzll(k->lifetime));
	else if (k->lifetime)
		n = snprintf(tail, cap, "|%llu",
			     (unsigned long long)k->lifetime);
	for (unsigned i = 0; i < k->mki_len; i++)
		mki = mki << 8 | k->mki[i];
	if (k->mki_len)
		snprintf(tail + n, cap - (size_t)n, "|%llu:%u",
			 (unsigned long long)mki, k->mki_len);
}

int aegw_sdes_inline_format(const struct aegw_sdes_key *k,
			    enum aegw_suite suite, char *out, size_t cap)
{
	const struct aegw_suite_info *si = aegw_suite_info(suite);
	unsigned char raw[AEGW_SRTP_MAX_MASTER_LEN], text[B64_BUF];
	char tail[2 * DIGITS_MAX + 8];
	int rc = AEGW_ERR_INVALID_ARG, len;
	size_t tn;

	if (!si || k->mki_len > AEGW_SRTP_MAX_MKI_LEN)
		goto out;
	memcpy(raw, k->key, si->key_len);
	memcpy(raw + si->key_len, k->salt, si->salt_len);
	/* EVP_EncodeBlock pads to whole quanta and adds a NUL. */
	len = EVP_EncodeBlock(text, raw, si->key_len + si->salt_len);
	format_params(k, tail, sizeof(tail));
	tn = strlen(tail);
	rc = AEGW_ERR_NO_ROOM;
	if ((size_t)len + tn >= cap)
		goto out;
	memcpy(out, text, (size_t)len);
	memcpy(out + len, tail, tn + 1);
	rc = AEGW_ERR_OK;
out:
	aegw_wipe(raw, sizeof(raw));
	aegw_wipe(text, sizeof(text));
	return rc;
}

void aegw_sdes_key_wipe(struct aegw_sdes_key *k)
{
	aegw_wipe(k, sizeof(*k));
}

void aegw_sdes_key_to_config(const struct aegw_sdes_key *k,
			     enum aegw_suite suite,
			     struct aegw_srtp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->suite = suite;
	cfg->n_keys = 1;
	cfg->mki_len = k->mki_len;
	memcpy(cfg->keys[0].key, k->key, sizeof(k->key));
	memcpy(cfg->keys[0].salt, k->salt, sizeof(k->salt));
	memcpy(cfg->keys[0].mki, k->mki, sizeof(k->mki));
	cfg->keys[0].lifetime = k->lifetime;
}
