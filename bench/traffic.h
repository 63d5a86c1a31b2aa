/* aegw-bench's synthetic media: N streams of 172-byte RTP (G.711, 20 ms),
 * one SSRC each, with the addresses, keys and frames that the dataplane
 * benchmark, the pcap writer and the stream installer must agree on.
 * Everything about stream s is a pure function of s, so a pcap written
 * today and streams installed tomorrow still match. */
#ifndef AEGW_BENCH_TRAFFIC_H
#define AEGW_BENCH_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include "aegw/pkt.h"
#include "aegw/ring.h"
#include "aegw/srtp.h"

enum {
	TRAFFIC_PAYLOAD = 160,   /* G.711, 20 ms at 8 kHz */
	TRAFFIC_RTP_LEN = AEGW_RTP_HDR_LEN + TRAFFIC_PAYLOAD, /* 172 */
	TRAFFIC_MIN_PKTS = 65536,
	TRAFFIC_MIN_STREAMS = 16, /* at most 4096 packets a stream: no ROC wrap */
	TRAFFIC_MAX_STREAMS = 1 << 22,
	TRAFFIC_SLOT = 256,      /* bytes per frame buffer */
	/* Ethernet/IPv4/UDP in front of the RTP header. */
	TRAFFIC_L4_PAYLOAD_OFF = AEGW_ETH_HDR_LEN + AEGW_IPV4_HDR_LEN +
				 AEGW_UDP_HDR_LEN,
	TRAFFIC_MASTER_LEN = 30, /* AES_CM_128: key 16 || salt 14 */
	/* The egress next hop every stream leaves through (port 1). */
	TRAFFIC_OUT_PORT = 1,
};

#define TRAFFIC_SUITE AEGW_SUITE_AES_CM_128_HMAC_SHA1_80
/* aegw's addresses and the core-side gateway, as aegw-dataplane's options
 * (--addr, --gw, --neigh) spell them. */
#define TRAFFIC_ADDR0 "0:10.127.255.254/10"
#define TRAFFIC_ADDR1 "1:172.16.0.1/16"
#define TRAFFIC_GW1 "1:172.16.0.254"
#define TRAFFIC_NEIGH1 "1:172.16.0.254,02:00:00:00:fe:01"
/* net_pcap's first device's MAC (02:70:63:61:70:<index>). */
#define TRAFFIC_PCAP_MAC "02:70:63:61:70:00"

/* Stream s: local 10.64.0.0/10 + 1024 streams per IP, RTP ports
 * 16384 + 2i (RTCP on port + 1, not multiplexed); the UE 100.64/10;
 * egress from 172.16.0.1 to a media server in 172.20/16 via the gateway.
 * Stream ids are s + 1. */
struct traffic_addr {
	struct aegw_endpoint local, remote, egress_src, egress_dst;
};

void traffic_addr_of(unsigned s, struct traffic_addr *a);
/* The worker of n_workers that owns stream s (aegw_ring_worker_for_port). */
unsigned traffic_worker_of(unsigned s, unsigned n_workers);

/* Master key || salt of stream s: which 0 is the UE's (the in key that
 * e2ae-in and recrypt unprotect with), 1 is aegw's own (the out key). */
void traffic_master(unsigned s, int which, uint8_t out[TRAFFIC_MASTER_LEN]);
/* An engine config for that key, with AEGW_SRTP_NO_REPLAY_CHECK: the
 * capture loops, so every index comes back. The caller wipes it. */
void traffic_config(unsigned s, int which, enum aegw_srtp_kind kind,
		    struct aegw_srtp_config *cfg);
/* The ADD_STREAM spec of stream s for action a (flag NO_REPLAY, no latch,
 * no RTCP mux, in port 0, out port 1). The caller wipes it. */
void traffic_spec(unsigned s, enum aegw_action a,
		  struct aegw_stream_spec *spec);

/* The frames of one run: n_pkts = max(n_streams, TRAFFIC_MIN_PKTS); packet
 * k belongs to stream k % n_streams, each stream's packets in sequence.
 * SRTP under the in key for e2ae-in, recrypt and relay; plain RTP for
 * e2ae-out. Every frame is frame_len bytes at frames + k * TRAFFIC_SLOT. */
struct traffic {
	unsigned n_streams;
	unsigned n_pkts;
	enum aegw_action action;
	unsigned frame_len;
	uint8_t *frames;
};

/* dst_mac: aegw's ingress port. 0 or -1 (message printed). */
int traffic_make(struct traffic *t, unsigned n_streams, enum aegw_action a,
		 const uint8_t dst_mac[6]);
void traffic_free(struct traffic *t);

static inline uint8_t *traffic_frame(const struct traffic *t, unsigned k)
{
	return t->frames + (size_t)k * TRAFFIC_SLOT;
}

/* Writes the frames worker w of n_workers owns, in order, as a pcap.
 * Returns how many, or -1 (message printed). */
long traffic_write_pcap(const struct traffic *t, unsigned w,
			unsigned n_workers, const char *path);

/* "aa:bb:cc:dd:ee:ff" -> mac; 0 or -1. */
int traffic_parse_mac(const char *s, uint8_t mac[6]);
/* "1000,100000" -> values (each lo..hi); count or -1. */
int traffic_parse_list(const char *s, unsigned lo, unsigned hi,
		       unsigned *out, int max);

#endif
