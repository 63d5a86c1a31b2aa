/* RTCP sender and receiver reports (RFC 3550 6.4): what a call's quality
 * figures need from a compound packet the dataplane could read (RTCP it
 * authenticated and decrypted, or plain RTCP it will protect). The
 * dataplane parses, control computes (control/quality.c). */
#ifndef AEGW_RTCP_H
#define AEGW_RTCP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	AEGW_RTCP_PT_SR = 200,
	AEGW_RTCP_PT_RR = 201,
	/* Report blocks kept from one compound packet: a call's peer
	 * reports on one source per media, a conference's on a few. */
	AEGW_RTCP_REPORT_BLOCKS = 4,
};

/* One report block (RFC 3550 6.4.1). */
struct aegw_rtcp_block {
	uint32_t ssrc;          /* SSRC_n, the source reported on */
	int32_t lost;           /* cumulative number of packets lost
				 * (24-bit signed on the wire) */
	uint32_t highest_seq;   /* extended highest sequence number */
	uint32_t jitter;        /* interarrival jitter, timestamp units */
	uint32_t lsr;           /* middle 32 bits of the last SR's NTP
				 * timestamp; 0: none received */
	uint32_t dlsr;          /* delay since that SR, 1/65536 s */
	uint8_t fraction_lost;  /* since the previous report, /256 */
	uint8_t pad[3];
};

struct aegw_rtcp_report {
	uint64_t rx_ns;         /* when it arrived (CLOCK_MONOTONIC); set
				 * by whoever received it, not the parser */
	uint32_t ssrc;          /* its sender: the first SR or RR's */
	uint8_t has_sr;         /* the sender info below is set */
	uint8_t n_blocks;
	uint8_t blocks_dropped; /* past AEGW_RTCP_REPORT_BLOCKS */
	uint8_t pad;
	uint32_t sr_ntp_mid;    /* SR: middle 32 bits of its NTP timestamp,
				 * what a receiver's LSR will echo */
	uint32_t sr_rtp_ts;
	uint32_t sr_packets, sr_octets;
	struct aegw_rtcp_block block[AEGW_RTCP_REPORT_BLOCKS];
};

/* Reads the SR and RR packets of a compound RTCP packet (len bytes, no
 * SRTCP trailer): the sender info of the first SR and the report blocks
 * of every SR or RR from the same sender, the first
 * AEGW_RTCP_REPORT_BLOCKS of them. Other packet types (SDES, BYE, APP,
 * feedback, XR) are stepped over; RFC 5506 reduced-size packets need
 * not start with a report. Returns 0 (with has_sr and n_blocks both 0
 * when the packet had no report of a source), or AEGW_ERR_TRUNCATED or
 * AEGW_ERR_BAD_VERSION (nothing in *r to trust) when a header, a length
 * or a report count runs past the end, or a packet is not version 2. */
int aegw_rtcp_report_parse(const uint8_t *p, uint32_t len,
			   struct aegw_rtcp_report *r);

#ifdef __cplusplus
}
#endif
#endif
