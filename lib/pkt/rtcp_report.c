/* RTCP sender and receiver reports (RFC 3550 6.4.1, 6.4.2). */
#include <stdbool.h>
#include <string.h>

#include "aegw/error.h"
#include "aegw/rtcp.h"

enum {
	RTCP_HDR = 8,        /* V P RC PT length, and the sender's SSRC */
	RTCP_SENDER_INFO = 20,
	RTCP_BLOCK = 24,
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void read_block(const uint8_t *p, struct aegw_rtcp_block *b)
{
	uint32_t lost = (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];

	b->ssrc = get32(p);
	b->fraction_lost = p[4];
	/* 24-bit two's complement: a duplicate-heavy source reports less
	 * than zero (RFC 3550 6.4.1). */
	b->lost = (int32_t)(lost ^ 0x800000u) - 0x800000;
	b->highest_seq = get32(p + 8);
	b->jitter = get32(p + 12);
	b->lsr = get32(p + 16);
	b->dlsr = get32(p + 20);
	memset(b->pad, 0, sizeof(b->pad));
}

/* The blocks of one SR or RR, from blocks (rc of them) on. */
static void read_blocks(const uint8_t *blocks, unsigned rc,
			struct aegw_rtcp_report *r)
{
	for (unsigned k = 0; k < rc; k++) {
		if (r->n_blocks == AEGW_RTCP_REPORT_BLOCKS) {
			r->blocks_dropped = (uint8_t)(r->blocks_dropped +
						      (r->blocks_dropped < 255));
			continue;
		}
		read_block(blocks + k * RTCP_BLOCK, &r->block[r->n_blocks++]);
	}
}

static void read_sender_info(const uint8_t *si, struct aegw_rtcp_report *r)
{
	/* NTP seconds' low half and fraction's high half (6.4.1). */
	r->sr_ntp_mid = get32(si) << 16 | get32(si + 4) >> 16;
	r->sr_rtp_ts = get32(si + 8);
	r->sr_packets = get32(si + 12);
	r->sr_octets = get32(si + 16);
	r->has_sr = 1;
}

/* One SR or RR of plen bytes at p; its sender is the report's when it is
 * the first, and only then are its blocks taken. */
static int read_report(const uint8_t *p, uint32_t plen, bool *found,
		       struct aegw_rtcp_report *r)
{
	unsigned rc = p[0] & 0x1f;
	bool sr = p[1] == AEGW_RTCP_PT_SR;
	uint32_t need = RTCP_HDR + (sr ? RTCP_SENDER_INFO : 0) +
			rc * RTCP_BLOCK;
	uint32_t ssrc;

	if (plen < need)
		return AEGW_ERR_TRUNCATED;
	ssrc = get32(p + 4);
	if (!*found) {
		*found = true;
		r->ssrc = ssrc;
	} else if (ssrc != r->ssrc) {
		return 0;
	}
	if (sr && !r->has_sr)
		read_sender_info(p + RTCP_HDR, r);
	read_blocks(p + RTCP_HDR + (sr ? RTCP_SENDER_INFO : 0), rc, r);
	return 0;
}

int aegw_rtcp_report_parse(const uint8_t *p, uint32_t len,
			   struct aegw_rtcp_report *r)
{
	bool found = false;
	uint32_t off = 0;

	memset(r, 0, sizeof(*r));
	while (off < len) {
		uint32_t plen;
		int rc;

		if (len - off < 4)
			return AEGW_ERR_TRUNCATED;
		if (p[off] >> 6 != 2)
			return AEGW_ERR_BAD_VERSION;
		plen = ((uint32_t)p[off + 2] << 8 | p[off + 3]) * 4 + 4;
		if (plen > len - off)
			return AEGW_ERR_TRUNCATED;
		if (p[off + 1] == AEGW_RTCP_PT_SR ||
		    p[off + 1] == AEGW_RTCP_PT_RR) {
			rc = read_report(p + off, plen, &found, r);
			if (rc)
				return rc;
		}
		off += plen;
	}
	return 0;
}
