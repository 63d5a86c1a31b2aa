/* SDES (RFC 4568) key parameters: the `inline:` value of an a=crypto
 * line. Control-plane code: it fills a caller's message buffer on error so
 * the caller decides how to report. No state; any thread may call. */
#ifndef AEGW_SDES_H
#define AEGW_SDES_H

#include <stddef.h>
#include <stdint.h>

#include "aegw/srtp.h"
#include "aegw/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One parsed key parameter. Holds key material: the caller owns it and
 * wipes it (aegw_sdes_key_wipe) once the key has been handed on. */
struct aegw_sdes_key {
	uint8_t key[AEGW_SRTP_MAX_KEY_LEN];   /* suite's key_len bytes used */
	uint8_t salt[AEGW_SRTP_MAX_SALT_LEN]; /* suite's salt_len bytes used */
	uint64_t lifetime;                    /* packets; 0: not given */
	uint8_t mki[AEGW_SRTP_MAX_MKI_LEN];   /* big-endian MKI value */
	unsigned mki_len;                     /* 0: no MKI; else 1..4 */
};

/* Parses the part after "inline:" (RFC 4568 9.2):
 *   base64(key||salt) ["|" lifetime] ["|" mki-value ":" mki-length]
 * where lifetime is decimal or "2^n" and the base64 must decode to exactly
 * the suite's key_len + salt_len bytes. Returns 0, or an enum aegw_err
 * (AEGW_ERR_BAD_KEY for the key itself, AEGW_ERR_INVALID_ARG otherwise)
 * with a message naming the fault in err (errlen bytes, may be 0). On
 * failure *out holds no key material. */
int aegw_sdes_inline_parse(const char *value, enum aegw_suite suite,
			   struct aegw_sdes_key *out, char *err,
			   size_t errlen);

/* The inverse of aegw_sdes_inline_parse: writes base64(key||salt) with
 * RFC 4648 padding, then "|2^n" (a decimal when the lifetime is not a
 * power of two) if k->lifetime is set, then "|<mki-value>:<mki-length>"
 * if k->mki_len is, and a NUL. AEGW_SDES_INLINE_BUF bytes always do.
 * Returns 0, AEGW_ERR_INVALID_ARG (unknown suite, MKI over 4 bytes) or
 * AEGW_ERR_NO_ROOM. out holds key material: the caller wipes it. */
enum { AEGW_SDES_INLINE_BUF = 128 };
int aegw_sdes_inline_format(const struct aegw_sdes_key *k,
			    enum aegw_suite suite, char *out, size_t cap);

void aegw_sdes_key_wipe(struct aegw_sdes_key *k);

/* An engine config with this one master key (RTP kind; the caller sets
 * kind, ROC, window). The caller wipes both afterwards. */
void aegw_sdes_key_to_config(const struct aegw_sdes_key *k,
			     enum aegw_suite suite,
			     struct aegw_srtp_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
