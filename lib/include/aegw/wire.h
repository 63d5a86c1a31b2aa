/* RTP, RTCP and SRTP wire layouts, suites and protocol constants: the one
 * header that says what the bytes on the wire look like (RFC 3550, RFC 3711,
 * RFC 4568, RFC 6188, RFC 7714). */
#ifndef AEGW_WIRE_H
#define AEGW_WIRE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	AEGW_RTP_VERSION = 2,
	AEGW_RTP_HDR_LEN = 12,      /* fixed part, before CSRCs */
	AEGW_RTP_EXT_HDR_LEN = 4,   /* profile id + length in words */
	AEGW_RTCP_HDR_LEN = 8,      /* V/P/RC, PT, length, sender SSRC */
	AEGW_SRTCP_INDEX_LEN = 4,   /* E flag + 31-bit index (RFC 3711 3.4) */
	AEGW_SRTCP_E_FLAG = 0x80,   /* in the first byte of that word */
	AEGW_SRTP_ROC_LEN = 4,      /* ROC appended to the authenticated part */
	AEGW_SRTP_MAX_MKI_LEN = 4,  /* aegw supports MKIs of 1 to 4 bytes */
	AEGW_SRTP_MAX_TAG_LEN = 16, /* GCM; HMAC-SHA1 tags are 10 or 4 */
	AEGW_SRTP_MAX_TRAILER = AEGW_SRTCP_INDEX_LEN + AEGW_SRTP_MAX_MKI_LEN +
				AEGW_SRTP_MAX_TAG_LEN,
	AEGW_SRTP_MAX_KEY_LEN = 32,
	AEGW_SRTP_MAX_SALT_LEN = 14,
	AEGW_SRTP_MAX_MASTER_LEN = AEGW_SRTP_MAX_KEY_LEN + AEGW_SRTP_MAX_SALT_LEN,
	AEGW_SRTP_HMAC_KEY_LEN = 20, /* n_a for HMAC-SHA1 (RFC 3711 8.2) */
};

/* First byte of an RTP/RTCP header. */
enum {
	AEGW_RTP_V_MASK = 0xc0,
	AEGW_RTP_P_BIT = 0x20,
	AEGW_RTP_X_BIT = 0x10,
	AEGW_RTP_CC_MASK = 0x0f,
};

/* RTP header as on the wire; multi-byte fields are big-endian. */
struct aegw_rtp_hdr {
	uint8_t vpxcc;
	uint8_t m_pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
} __attribute__((packed));

struct aegw_rtcp_hdr {
	uint8_t vprc;
	uint8_t pt;
	uint16_t length; /* in 32-bit words minus one */
	uint32_t ssrc;
} __attribute__((packed));

/* SRTP crypto suites as RFC 4568 (SDES) names them. The order is the
 * preference order aegw uses when it chooses among equals. */
#define AEGW_FOREACH_SUITE(X)                                                 \
	/* id, SDES name, key, salt, rtp tag, rtcp tag, aead */                  \
	X(AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10, 0) \
	X(AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10, 0)  \
	X(AES_192_CM_HMAC_SHA1_80, "AES_192_CM_HMAC_SHA1_80", 24, 14, 10, 10, 0) \
	X(AES_192_CM_HMAC_SHA1_32, "AES_192_CM_HMAC_SHA1_32", 24, 14, 4, 10, 0)  \
	X(AES_256_CM_HMAC_SHA1_80, "AES_256_CM_HMAC_SHA1_80", 32, 14, 10, 10, 0) \
	X(AES_256_CM_HMAC_SHA1_32, "AES_256_CM_HMAC_SHA1_32", 32, 14, 4, 10, 0)  \
	X(AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16, 12, 16, 16, 1)               \
	X(AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32, 12, 16, 16, 1)

enum aegw_suite {
#define AEGW_SUITE_ENUM(id, name, k, s, t, tc, a) AEGW_SUITE_##id,
	AEGW_FOREACH_SUITE(AEGW_SUITE_ENUM)
#undef AEGW_SUITE_ENUM
	AEGW_SUITE_COUNT
};

struct aegw_suite_info {
	const char *name;
	uint8_t key_len;
	uint8_t salt_len;
	uint8_t rtp_tag_len;  /* RFC 4568 6.2: the _32 suites keep an 80-bit */
	uint8_t rtcp_tag_len; /* SRTCP tag */
	uint8_t aead;
};

/* NULL for a value out of range. */
const struct aegw_suite_info *aegw_suite_info(enum aegw_suite suite);

/* Returns 0 and sets *suite for a known SDES name (exact, case-sensitive as
 * RFC 4568 registers them), -1 otherwise. */
int aegw_suite_from_name(const char *name, enum aegw_suite *suite);

#ifdef __cplusplus
}
#endif
#endif
