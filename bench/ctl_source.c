/* aegw-bench control, latency phase: the media around the dataplane. In:
 * a capture with one plain RTP frame from the core toward each port of
 * the core pool, which the dataplane's core port (net_pcap1, infinite_rx)
 * replays forever. Out: what the access port sends, which net_pcap0
 * writes as a pcap stream into a FIFO, read here.
 *
 * Each source frame repeats one sequence number and carries its port in
 * its SSRC: once a new stream has forwarded it, its next copies are
 * dropped by the protect side's replay check, so an install forwards
 * exactly one frame, and that frame says which port it came in on (SRTP
 * leaves the RTP header in the clear). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "aegw/pkt.h"
#include "ctlbench.h"

enum {
	PAYLOAD = 160,         /* G.711, 20 ms */
	PCAP_FILE_HDR = 24,
	PCAP_REC_HDR = 16,
};

/* net_pcap's second device (the core port, net_pcap1), and the core
 * gateway's MAC the frames come from. */
static const uint8_t core_mac[6] = { 0x02, 0x70, 0x63, 0x61, 0x70, 0x01 };
static const uint8_t gw_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0xfe };

uint32_t ctb_ssrc_of_port(uint16_t port)
{
	return 0x0a000000u | port;
}

static void ip4(struct aegw_endpoint *e, const uint8_t a[4], uint16_t port)
{
	memset(e, 0, sizeof(*e));
	e->family = 4;
	e->port = port;
	memcpy(e->ip, a, 4);
}

/* Plain RTP from the core (192.168.0.2:42000) to aegw's core port. */
static unsigned source_frame(uint8_t *f, uint16_t port)
{
	static const uint8_t core[4] = { 192, 168, 0, 2 },
			     aegw[4] = { 192, 168, 0, 1 };
	unsigned hdr = aegw_pkt_udp_hdr_len(4, 0);
	struct aegw_pkt_l2 l2 = { .has_vlan = 0 };
	struct aegw_endpoint src, dst;
	uint8_t *rtp = f + hdr;
	uint32_t ssrc = ctb_ssrc_of_port(port);

	memcpy(l2.dst_mac, core_mac, 6);
	memcpy(l2.src_mac, gw_mac, 6);
	ip4(&src, core, 42000);
	ip4(&dst, aegw, port);
	memset(rtp, 0xd5, AEGW_RTP_HDR_LEN + PAYLOAD); /* PCMU silence */
	rtp[0] = 0x80; /* V=2, PT 0 */
	rtp[1] = 0;
	rtp[2] = 0;
	rtp[3] = 1;    /* sequence number 1, always */
	memset(rtp + 4, 0, 4);
	for (int i = 0; i < 4; i++)
		rtp[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	aegw_pkt_write_udp(rtp, AEGW_RTP_HDR_LEN + PAYLOAD, &l2, &src, &dst, 0);
	return hdr + AEGW_RTP_HDR_LEN + PAYLOAD;
}

int ctb_source_pcap(const char *path, unsigned core_pairs)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, path) : NULL;
	uint8_t frame[512];
	int rc = 0;

	if (!d) {
		fprintf(stderr, "aegw-bench: %s: %s\n", path,
			dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		if (dead)
			pcap_close(dead);
		return -1;
	}
	for (unsigned k = 0; k < core_pairs; k++) {
		struct pcap_pkthdr h = { .ts = { 0, (suseconds_t)k } };

		h.caplen = h.len = source_frame(
			frame, (uint16_t)(CTB_CORE_PORT_MIN + 2 * k));
		pcap_dump((u_char *)d, &h, frame);
	}
	if (pcap_dump_flush(d))
		rc = -1;
	pcap_dump_close(d);
	pcap_close(dead);
	return rc;
}

/* The SSRC of an RTP/UDP/IPv4 frame from aegw's access address
 * (10.0.0.1), or 0. */
static uint32_t frame_ssrc(const uint8_t *f, size_t n)
{
	size_t udp;

	if (n < 14 + 20 || f[12] != 0x08 || f[13] != 0x00)
		return 0;
	udp = 14 + (size_t)(f[14] & 0x0f) * 4;
	if (f[23] != 17 || f[26] != 10 || n < udp + 8 + AEGW_RTP_HDR_LEN)
		return 0;
	return (uint32_t)f[udp + 16] << 24 | (uint32_t)f[udp + 17] << 16 |
	       (uint32_t)f[udp + 18] << 8 | f[udp + 19];
}

/* Whole records from the front of the buffer; returns the bytes used. */
static size_t records(struct ctb_fifo *q, uint32_t want, double t,
		      double *when)
{
	size_t off = 0;

	if (!q->header_seen) {
		if (q->len < PCAP_FILE_HDR)
			return 0;
		off = PCAP_FILE_HDR;
		q->header_seen = 1;
	}
	while (q->len - off >= PCAP_REC_HDR) {
		uint32_t cap;

		memcpy(&cap, q->buf + off + 8, 4);
		if (q->len - off < PCAP_REC_HDR + cap)
			break;
		q->frames++;
		if (want && *when == 0 &&
		    frame_ssrc(q->buf + off + PCAP_REC_HDR, cap) == want)
			*when = t;
		off += PCAP_REC_HDR + cap;
	}
	return off;
}

void ctb_fifo_read(struct ctb_fifo *q, uint32_t want, double *when)
{
	ssize_t n;

	while ((n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len)) >
	       0) {
		double t = ctb_now_s();
		size_t used;

		q->len += (size_t)n;
		used = records(q, want, t, when);
		memmove(q->buf, q->buf + used, q->len - used);
		q->len -= used;
	}
}
