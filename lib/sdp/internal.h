/* Helpers the SDP parser, the a=crypto parser and the rewrite share: the
 * error message and pieces of text that are not NUL-terminated. */
#ifndef AEGW_SDP_INTERNAL_H
#define AEGW_SDP_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "aegw/sdp.h"

static inline int fail(int rc, char *err, size_t errlen, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));

static inline int fail(int rc, char *err, size_t errlen, const char *fmt,
		       ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static inline bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool str_eq(struct aegw_sdp_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* ABNF's quoted strings match in any case (RFC 5234 2.3): RFC 4568's
 * suite names, "inline" and session parameters among them. */
static inline bool str_ieq(struct aegw_sdp_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

/* Drops n bytes from the front of s (never moves a NULL pointer). */
static inline void str_skip(struct aegw_sdp_str *s, size_t n)
{
	if (n) {
		s->p += n;
		s->n -= n;
	}
}

/* Splits off the token up to the next SP or HTAB; *s becomes what follows
 * it, without the whitespace. An empty token means *s started with
 * whitespace or was empty. */
static inline struct aegw_sdp_str str_token(struct aegw_sdp_str *s)
{
	struct aegw_sdp_str t = { s->p, 0 };
	size_t i;

	while (t.n < s->n && !is_wsp(s->p[t.n]))
		t.n++;
	for (i = t.n; i < s->n && is_wsp(s->p[i]); i++)
		;
	str_skip(s, i);
	return t;
}

/* Decimal digits only (1 to max_digits, at most 9), value <= max. */
static inline int str_uint(struct aegw_sdp_str s, unsigned max_digits,
			   uint32_t max, uint32_t *v)
{
	uint32_t x = 0;

	if (s.n == 0 || s.n > max_digits || max_digits > 9)
		return -1;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		x = x * 10 + (uint32_t)(s.p[i] - '0');
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

static inline bool all_digits(struct aegw_sdp_str s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return s.n > 0;
}

#endif
