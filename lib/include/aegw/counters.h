/* Counter names shared by the dataplane (which counts), the event ring
 * (which carries them) and the control daemon (which exports them). One
 * X-macro per level, so a counter and its name live in one place. */
#ifndef AEGW_COUNTERS_H
#define AEGW_COUNTERS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Per stream. Every engine error (aegw/error.h) that a packet can meet has
 * its drop counter here, plus the dataplane's own reasons. */
#define AEGW_FOREACH_STREAM_COUNTER(X)                                       \
	X(rx_packets, "packets received for the stream")                     \
	X(rx_bytes, "UDP payload bytes received")                            \
	X(tx_packets, "packets forwarded")                                   \
	X(tx_bytes, "UDP payload bytes forwarded")                           \
	X(rtcp_rx_packets, "of rx_packets, RTCP")                            \
	X(rtcp_tx_packets, "of tx_packets, RTCP")                            \
	X(drop_auth_failed, "authentication tag mismatch")                   \
	X(drop_replay, "replayed index")                                     \
	X(drop_too_old, "index older than the replay window")                \
	X(drop_key_expired, "master key lifetime exhausted")                 \
	X(drop_unknown_mki, "MKI names no key")                              \
	X(drop_policy, "contradicts negotiated parameters")                  \
	X(drop_malformed, "RTP/RTCP header truncated or invalid")            \
	X(drop_no_room, "no tailroom for the SRTP trailer")                  \
	X(drop_crypto, "crypto backend failure, or no memory for a context") \
	X(drop_wrong_source, "source address/port is not the peer's")        \
	X(drop_no_neighbour, "next hop's MAC address unknown")               \
	X(drop_tx_full, "egress TX queue full")                              \
	X(latched, "times the peer address was learned")

enum aegw_stream_counter {
#define AEGW_STREAM_COUNTER_ENUM(name, help) AEGW_SC_##name,
	AEGW_FOREACH_STREAM_COUNTER(AEGW_STREAM_COUNTER_ENUM)
#undef AEGW_STREAM_COUNTER_ENUM
	AEGW_SC_COUNT
};

/* Per worker: what happens before a packet has a stream, and the work the
 * worker does besides media. */
#define AEGW_FOREACH_WORKER_COUNTER(X)                                       \
	X(rx_packets, "frames taken from RX queues")                         \
	X(tx_packets, "frames given to TX queues")                           \
	X(drop_unknown_stream, "UDP to no stream's local address/port")      \
	X(drop_truncated, "frame shorter than its headers")                  \
	X(drop_not_ip, "ethertype neither IPv4, IPv6 nor ARP")               \
	X(drop_bad_ip_header, "IP header invalid (version, length, sum)")    \
	X(drop_ip_fragment, "IP fragment")                                   \
	X(drop_ip_options, "IPv4 header with options")                       \
	X(drop_ipv6_ext_header, "IPv6 extension header")                     \
	X(drop_not_udp, "IP protocol other than UDP/ICMP")                   \
	X(drop_bad_udp, "UDP length or checksum invalid")                    \
	X(drop_wrong_vlan, "802.1Q VLAN other than the port's")              \
	X(drop_tx_full, "TX queue full (non-stream frames)")                 \
	X(drop_handoff_full, "owner worker's handoff ring full")             \
	X(drop_no_mbuf, "no mbuf for a reply or request")                    \
	X(drop_other, "ARP/ICMP aegw does not answer")                       \
	X(handoff_out, "frames handed to their owning worker")               \
	X(handoff_in, "frames received from other workers")                  \
	X(arp_replies, "ARP requests answered")                              \
	X(nd_replies, "IPv6 neighbour solicitations answered")               \
	X(icmp_echo_replies, "ICMP/ICMPv6 echo requests answered")           \
	X(neigh_requests, "ARP requests / solicitations sent")               \
	X(neigh_learned, "neighbour entries learned")                        \
	X(commands, "ring commands executed")                                \
	X(command_errors, "ring commands refused")                           \
	X(readings_sent, "stream readings pushed to control (READING)")     \
	X(readings_lost, "stream readings not pushed: too many waiting")    \
	X(rtcp_reports, "peers' RTCP SR/RR pushed to control (RTCP)")       \
	X(rtcp_reports_lost, "peers' RTCP SR/RR not pushed: no room")

enum aegw_worker_counter {
#define AEGW_WORKER_COUNTER_ENUM(name, help) AEGW_WC_##name,
	AEGW_FOREACH_WORKER_COUNTER(AEGW_WORKER_COUNTER_ENUM)
#undef AEGW_WORKER_COUNTER_ENUM
	AEGW_WC_COUNT
};

/* A counter's name ("drop_replay") and help text, from the lists above;
 * "unknown" out of range. */
const char *aegw_stream_counter_name(enum aegw_stream_counter c);
const char *aegw_worker_counter_name(enum aegw_worker_counter c);
const char *aegw_stream_counter_help(enum aegw_stream_counter c);
const char *aegw_worker_counter_help(enum aegw_worker_counter c);

/* The stream drop counter for an engine error (enum aegw_err). */
enum aegw_stream_counter aegw_stream_counter_for_err(int err);

#ifdef __cplusplus
}
#endif
#endif
