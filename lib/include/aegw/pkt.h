/* Frames on the wire: Ethernet (optionally one 802.1Q tag), IPv4, IPv6,
 * UDP, ARP, ICMP echo and IPv6 neighbour discovery. Parsing classifies a
 * frame and says why one is dropped; the writers build the headers aegw
 * sends and the replies it owes. Byte buffers only, no DPDK: the dataplane,
 * aegw-srtp and the tests share it. No function keeps state: any thread,
 * a worker included, may call any of them on the buffers it owns. */
#ifndef AEGW_PKT_H
#define AEGW_PKT_H

#include <stdint.h>

#include "aegw/ring.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	AEGW_ETH_HDR_LEN = 14,
	AEGW_VLAN_TAG_LEN = 4,
	AEGW_IPV4_HDR_LEN = 20,
	AEGW_IPV6_HDR_LEN = 40,
	AEGW_UDP_HDR_LEN = 8,
	/* Largest Ethernet+VLAN+IPv6+UDP header aegw writes. */
	AEGW_PKT_MAX_HDR = AEGW_ETH_HDR_LEN + AEGW_VLAN_TAG_LEN +
			   AEGW_IPV6_HDR_LEN + AEGW_UDP_HDR_LEN,
};

/* What a frame is. Each DROP_ reason has a worker counter of its name. */
#define AEGW_FOREACH_PKT_CLASS(X)                                            \
	X(UDP)                 /* IPv4/IPv6 UDP, no fragment, no options */  \
	X(ARP)                 /* ARP over Ethernet/IPv4 */                  \
	X(ICMP4_ECHO)          /* ICMP echo request */                       \
	X(ICMP6_ECHO)          /* ICMPv6 echo request */                     \
	X(ICMP6_NS)            /* neighbour solicitation */                  \
	X(ICMP6_NA)            /* neighbour advertisement */                 \
	X(OTHER)               /* valid but nothing aegw answers */          \
	X(DROP_TRUNCATED)                                                    \
	X(DROP_NOT_IP)                                                       \
	X(DROP_BAD_IP_HEADER)  /* version, lengths, IPv4 header checksum */  \
	X(DROP_IP_FRAGMENT)    /* of UDP/ICMP (else NOT_UDP) */              \
	X(DROP_IP_OPTIONS)                                                   \
	X(DROP_IPV6_EXT_HEADER)                                              \
	X(DROP_NOT_UDP)                                                      \
	X(DROP_BAD_UDP)        /* UDP length disagrees with IP's */

enum aegw_pkt_class {
#define AEGW_PKT_CLASS_ENUM(id) AEGW_PKT_##id,
	AEGW_FOREACH_PKT_CLASS(AEGW_PKT_CLASS_ENUM)
#undef AEGW_PKT_CLASS_ENUM
	AEGW_PKT_CLASS_COUNT
};

const char *aegw_pkt_class_name(enum aegw_pkt_class c);

/* Where things are in a parsed frame. Offsets are from the frame start;
 * addresses are copied out in network order, ports in host order. A
 * dropped frame has the fields filled as far as parsing got (l3_off once
 * the link header is read, family once the ethertype says which IP).
 * ICMP classes: payload_off/payload_len are the ICMP message, its length
 * from the IP header. ARP: src and dst hold the sender and target
 * protocol addresses (family 4, port 0). */
struct aegw_pkt_info {
	uint8_t cls;       /* enum aegw_pkt_class */
	uint8_t family;    /* 4 or 6 for IP classes */
	uint8_t has_vlan;
	uint8_t pad;
	uint16_t vlan_tci; /* host order, when has_vlan */
	uint16_t l3_off;   /* after Ethernet and VLAN */
	uint16_t l4_off;   /* UDP/ICMP header */
	uint16_t payload_off; /* UDP payload */
	uint16_t payload_len; /* from the UDP length field */
	uint16_t udp_csum;    /* as on the wire, host order (0: none, IPv4) */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	struct aegw_endpoint src; /* IP classes: address (and UDP port) */
	struct aegw_endpoint dst;
};

/* Classifies a frame of len bytes; never reads past it. Trailing bytes
 * after the IP datagram (Ethernet padding) are allowed. The ICMP classes
 * need a right ICMP checksum, NS and NA also RFC 4861 7.1's checks (hop
 * limit 255, options); else they are OTHER. The UDP checksum is not
 * checked here (aegw_pkt_udp_csum_ok). */
enum aegw_pkt_class aegw_pkt_parse(const uint8_t *frame, uint32_t len,
				   struct aegw_pkt_info *pi);

/* Leniencies for tools that read whatever a capture holds (aegw-srtp).
 * The dataplane asks for none: it drops these. */
enum {
	AEGW_PKT_ALLOW_IPV4_OPTIONS = 1u << 0, /* skipped, not interpreted */
	/* Hop-by-hop, routing and destination options headers are walked (at
	 * most 8); then a fragment header is DROP_IP_FRAGMENT if it holds
	 * UDP or ICMPv6, DROP_NOT_UDP if not. */
	AEGW_PKT_ALLOW_IPV6_EXT = 1u << 1,
};

/* Classifies the IP packet at frame + l3_off (at most 256: a link header
 * other than Ethernet, as in Linux cooked or raw IP captures) as
 * aegw_pkt_parse does, with the leniencies in flags. The version nibble
 * says IPv4 or IPv6 (else DROP_NOT_IP). Offsets stay relative to frame;
 * the MAC and VLAN fields are zero. Never reads past len. */
enum aegw_pkt_class aegw_pkt_parse_ip(const uint8_t *frame, uint32_t len,
				      uint32_t l3_off, unsigned flags,
				      struct aegw_pkt_info *pi);

/* 1 if the UDP checksum is right or absent (IPv4 0), else 0. IPv6 UDP
 * with checksum 0 is wrong (RFC 8200 8.1). */
int aegw_pkt_udp_csum_ok(const uint8_t *frame, const struct aegw_pkt_info *pi);

/* The link layer of a frame aegw sends. */
struct aegw_pkt_l2 {
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	uint16_t vlan_tci; /* host order; used when has_vlan */
	uint8_t has_vlan;
};

/* Header bytes aegw_pkt_write_udp puts before a UDP payload. */
unsigned aegw_pkt_udp_hdr_len(unsigned family, int has_vlan);

/* Writes Ethernet[/VLAN]/IP/UDP headers into the
 * aegw_pkt_udp_hdr_len() bytes just before `payload`, for payload_len
 * bytes of payload that are already in place; src and dst must be of one
 * family. Computes the IPv4 header checksum, and the UDP checksum unless
 * `csum_offload` (then the pseudo-header sum is left in the UDP checksum
 * field, as NICs that offload it expect). IPv4 TTL / IPv6 hop limit 64, DF
 * set, IP id 0. */
void aegw_pkt_write_udp(uint8_t *payload, uint16_t payload_len,
			const struct aegw_pkt_l2 *l2,
			const struct aegw_endpoint *src,
			const struct aegw_endpoint *dst, int csum_offload);

/* aegw_pkt_write_udp for a payload that has not changed since it came in
 * as rx describes (relay) and whose checksum was found right: the UDP
 * checksum is the received one adjusted for the new headers (RFC 1624),
 * without reading the payload again; computed in full when none came. */
void aegw_pkt_write_udp_relayed(uint8_t *payload, const struct aegw_pkt_info *rx,
				const struct aegw_pkt_l2 *l2,
				const struct aegw_endpoint *src,
				const struct aegw_endpoint *dst, int csum_offload);

/* For a frame parsed as UDP whose payload changed length in place (SRTP
 * protect adds a trailer, unprotect takes it off): sets the UDP and IP
 * lengths for payload_len, the IPv4 header checksum and the UDP checksum
 * (the pseudo-header sum with csum_offload), and pi->payload_len; every
 * other header byte stays. The caller keeps the IP length within 65535. */
void aegw_pkt_udp_set_len(uint8_t *frame, struct aegw_pkt_info *pi,
			  uint16_t payload_len, int csum_offload);

/* Responders: each turns a request frame into its reply in place, when
 * it is addressed to my_ip (4 or 16 bytes as family says), and returns the
 * reply's length (0: not for us, or not a request we answer). The frame
 * must have been classified by aegw_pkt_parse. ICMP echo replies keep the
 * request's length; the caller checks the destination address (there is
 * no my_ip), and requests to a broadcast or multicast address are not
 * answered. An NA carries the target link-layer address option; an NS
 * from :: (duplicate address detection) is answered to all-nodes. */
uint32_t aegw_pkt_arp_reply(uint8_t *frame, uint32_t len,
			    const struct aegw_pkt_info *pi,
			    const uint8_t my_mac[6], const uint8_t my_ip[4]);
uint32_t aegw_pkt_icmp_echo_reply(uint8_t *frame, uint32_t len,
				  const struct aegw_pkt_info *pi);
uint32_t aegw_pkt_nd_reply(uint8_t *frame, uint32_t len, uint32_t size,
			   const struct aegw_pkt_info *pi,
			   const uint8_t my_mac[6], const uint8_t my_ip6[16]);

/* Requests aegw sends to resolve a next hop: ARP request (broadcast) or a
 * neighbour solicitation (to the solicited-node multicast address) with
 * the source link-layer address option. Writes into buf (size bytes, at
 * least 128) and returns the frame length, 0 if it does not fit. */
uint32_t aegw_pkt_arp_request(uint8_t *buf, uint32_t size,
			      const struct aegw_pkt_l2 *l2,
			      const uint8_t my_ip[4], const uint8_t target[4]);
uint32_t aegw_pkt_nd_solicit(uint8_t *buf, uint32_t size,
			     const struct aegw_pkt_l2 *l2,
			     const uint8_t my_ip6[16],
			     const uint8_t target[16]);

/* From an ARP request or reply, or an NA with a target link-layer option
 * (or an NS with a source one), the IP/MAC pair the sender vouches for.
 * Returns 1 and fills ip (family 4 or 6) and mac, else 0. */
int aegw_pkt_neigh_learn(const uint8_t *frame, uint32_t len,
			 const struct aegw_pkt_info *pi,
			 struct aegw_endpoint *ip, uint8_t mac[6]);

/* RFC 5761 4: with RTCP multiplexed on the RTP port, a packet whose
 * second byte is 192..223 (payload types 64..95 with the marker bit) is
 * RTCP. */
int aegw_pkt_is_rtcp(const uint8_t *udp_payload, uint32_t len);

#ifdef __cplusplus
}
#endif
#endif
