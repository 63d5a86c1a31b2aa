/* Internal to lib/pkt: where the fields of Ethernet, ARP, IPv4, IPv6, UDP,
 * ICMP and neighbour discovery headers are (byte offsets, as on the wire),
 * their protocol numbers, and big-endian accessors. */
#ifndef AEGW_PKT_PROTO_H
#define AEGW_PKT_PROTO_H

#include <stdint.h>
#include <string.h>

#include "aegw/pkt.h"

enum {
	PKT_ETHERTYPE_IPV4 = 0x0800,
	PKT_ETHERTYPE_ARP = 0x0806,
	PKT_ETHERTYPE_VLAN = 0x8100, /* 802.1Q C-tag */
	PKT_ETHERTYPE_IPV6 = 0x86dd,
	PKT_ETH_TYPE = 12,           /* ethertype, or the tag's TPID */
	PKT_ETH_ZLEN = 60,           /* shortest frame without the FCS */
};

/* IP protocol / IPv6 next-header numbers (IANA). */
enum {
	PKT_PROTO_HOPOPTS = 0,
	PKT_PROTO_ICMP = 1,
	PKT_PROTO_UDP = 17,
	PKT_PROTO_ROUTING = 43,
	PKT_PROTO_FRAGMENT = 44,
	PKT_PROTO_ESP = 50,
	PKT_PROTO_AH = 51,
	PKT_PROTO_ICMPV6 = 58,
	PKT_PROTO_DSTOPTS = 60,
	PKT_PROTO_MOBILITY = 135,
	PKT_PROTO_HIP = 139,
	PKT_PROTO_SHIM6 = 140,
	PKT_PROTO_EXP1 = 253, /* RFC 3692 experiments */
	PKT_PROTO_EXP2 = 254,
};

enum {
	PKT_IP4_TOTLEN = 2,
	PKT_IP4_ID = 4,
	PKT_IP4_FRAG = 6,          /* flags and fragment offset */
	PKT_IP4_DF = 0x4000,
	PKT_IP4_MF_OFFSET = 0x3fff, /* MF and the offset: a fragment */
	PKT_IP4_TTL = 8,
	PKT_IP4_PROTO = 9,
	PKT_IP4_CSUM = 10,
	PKT_IP4_SRC = 12,
	PKT_IP4_DST = 16,
	PKT_IP6_PLEN = 4,
	PKT_IP6_NH = 6,
	PKT_IP6_HOPS = 7,
	PKT_IP6_SRC = 8,
	PKT_IP6_DST = 24,
	PKT_IP6_EXT_MAX = 8, /* extension headers walked when allowed */
	PKT_TTL = 64,        /* what aegw sends with */
};

enum {
	PKT_UDP_LEN = 4,
	PKT_UDP_CSUM = 6,
	PKT_ICMP_HDR_LEN = 8, /* type, code, checksum, 4 more */
	PKT_ICMP_CSUM = 2,
	PKT_ICMP_ECHO_REPLY = 0,
	PKT_ICMP_ECHO_REQUEST = 8,
	PKT_ICMPV6_ECHO_REQUEST = 128,
	PKT_ICMPV6_ECHO_REPLY = 129,
};

/* RFC 826 over Ethernet and IPv4. */
enum {
	PKT_ARP_HTYPE_ETHER = 1,
	PKT_ARP_OP = 6,
	PKT_ARP_REQUEST = 1,
	PKT_ARP_REPLY = 2,
	PKT_ARP_SHA = 8,
	PKT_ARP_SPA = 14,
	PKT_ARP_THA = 18,
	PKT_ARP_TPA = 24,
	PKT_ARP_FIXED_LEN = 8, /* htype, ptype, hlen, plen, op */
	PKT_ARP_LEN = 28,
};

/* RFC 4861 4.3, 4.4, 4.6.1. */
enum {
	PKT_ND_NS = 135,
	PKT_ND_NA = 136,
	PKT_ND_HOP_LIMIT = 255,
	PKT_ND_TARGET = 8,
	PKT_ND_HDR_LEN = 24,  /* through the target address */
	PKT_ND_OPT_SLLA = 1,
	PKT_ND_OPT_TLLA = 2,
	PKT_ND_LLA_LEN = 8,   /* type, length 1 (8 bytes), a 6-byte MAC */
	PKT_ND_NA_ROUTER = 0x80,
	PKT_ND_NA_SOLICITED = 0x40,
	PKT_ND_NA_OVERRIDE = 0x20,
};

static inline uint16_t pkt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void pkt_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Writes Ethernet, and l2's tag if it has one, so that it ends where the
 * network header l3 starts; returns the frame start. dst is the
 * destination MAC (l2's own, or a broadcast or multicast one). */
static inline uint8_t *pkt_write_l2(uint8_t *l3, const struct aegw_pkt_l2 *l2,
				    const uint8_t dst[6], uint16_t type)
{
	uint8_t *eth = l3 - AEGW_ETH_HDR_LEN;

	if (l2->has_vlan) {
		eth -= AEGW_VLAN_TAG_LEN;
		pkt_put16(eth + AEGW_ETH_HDR_LEN, l2->vlan_tci);
		pkt_put16(eth + AEGW_ETH_HDR_LEN + 2, type);
		type = PKT_ETHERTYPE_VLAN;
	}
	memmove(eth, dst, 6);
	memcpy(eth + 6, l2->src_mac, 6);
	pkt_put16(eth + PKT_ETH_TYPE, type);
	return eth;
}

/* An IPv6 address is multicast if its first byte is ff (RFC 4291 2.7). */
static inline int pkt_ip6_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static inline int pkt_ip6_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* The link-layer address option of `type` among the options of an NS or
 * NA message m of n bytes (RFC 4861 4.6.1); 1 and the MAC if there is
 * one. Stops at an option of length 0, which makes a message invalid. */
static inline int pkt_nd_lla(const uint8_t *m, uint32_t n, uint8_t type,
			     uint8_t mac[6])
{
	for (uint32_t o = PKT_ND_HDR_LEN; o + 2 <= n; o += m[o + 1] * 8u) {
		if (m[o + 1] == 0)
			return 0;
		if (m[o] == type && m[o + 1] == 1 && o + PKT_ND_LLA_LEN <= n) {
			memcpy(mac, m + o + 2, 6);
			return 1;
		}
	}
	return 0;
}

#endif
