/* Frame classification: Ethernet with at most one 802.1Q tag, IPv4,
 * IPv6, UDP, ARP, ICMP echo and neighbour discovery, with the reason for
 * every drop. A worker runs the UDP path once per packet: it is straight
 * line code with constant-size loads, no loop and no copy beyond the
 * addresses. Every read is checked against the frame length first. */
#include <string.h>

#include "aegw/pkt.h"
#include "csum.h"
#include "proto.h"

enum {
	PARSE_MAX_L3_OFF = 256, /* aegw_pkt_parse_ip's limit on link headers */
};

static const char *const class_names[AEGW_PKT_CLASS_COUNT] = {
#define AEGW_PKT_CLASS_NAME(id) [AEGW_PKT_##id] = #id,
	AEGW_FOREACH_PKT_CLASS(AEGW_PKT_CLASS_NAME)
#undef AEGW_PKT_CLASS_NAME
};

const char *aegw_pkt_class_name(enum aegw_pkt_class c)
{
	if ((unsigned)c >= AEGW_PKT_CLASS_COUNT)
		return "UNKNOWN";
	return class_names[c];
}

/* RFC 5761 4: RTCP packet types 192..223 cannot be RTP payload types
 * with or without the marker bit, once PTs 64..95 are avoided. */
int aegw_pkt_is_rtcp(const uint8_t *udp_payload, uint32_t len)
{
	return len >= 2 && (uint8_t)(udp_payload[1] - 192) < 32;
}

/* The UDP header at l4, inside an IP datagram that ends at end. */
static enum aegw_pkt_class udp(const uint8_t *f, uint32_t l4, uint32_t end,
			       struct aegw_pkt_info *pi)
{
	const uint8_t *u = f + l4;
	uint32_t ulen;

	pi->l4_off = (uint16_t)l4;
	if (end - l4 < AEGW_UDP_HDR_LEN)
		return AEGW_PKT_DROP_TRUNCATED;
	ulen = pkt_get16(u + PKT_UDP_LEN);
	pi->src.port = pkt_get16(u);
	pi->dst.port = pkt_get16(u + 2);
	pi->udp_csum = pkt_get16(u + PKT_UDP_CSUM);
	/* RFC 768: the length counts the header; bytes after it inside the
	 * IP payload are tolerated, as Linux does (it trims them). */
	if (ulen < AEGW_UDP_HDR_LEN || ulen > end - l4)
		return AEGW_PKT_DROP_BAD_UDP;
	pi->payload_off = (uint16_t)(l4 + AEGW_UDP_HDR_LEN);
	pi->payload_len = (uint16_t)(ulen - AEGW_UDP_HDR_LEN);
	return AEGW_PKT_UDP;
}

/* The ICMP or ICMPv6 message from l4 to end: at least the 8 bytes every
 * message type has. */
static int icmp_locate(uint32_t l4, uint32_t end, struct aegw_pkt_info *pi)
{
	pi->l4_off = (uint16_t)l4;
	if (end - l4 < PKT_ICMP_HDR_LEN)
		return 0;
	pi->payload_off = (uint16_t)l4;
	pi->payload_len = (uint16_t)(end - l4);
	return 1;
}

/* An echo request is answered only if its checksum is right (RFC 792;
 * RFC 1122 3.2.2 lets us drop the rest silently). */
static enum aegw_pkt_class icmp4(const uint8_t *f, uint32_t l4, uint32_t end,
				 struct aegw_pkt_info *pi)
{
	const uint8_t *m = f + l4;

	if (!icmp_locate(l4, end, pi))
		return AEGW_PKT_DROP_TRUNCATED;
	if (m[0] != PKT_ICMP_ECHO_REQUEST || m[1] != 0 ||
	    !csum_valid(csum_add(0, m, end - l4)))
		return AEGW_PKT_OTHER;
	return AEGW_PKT_ICMP4_ECHO;
}

/* RFC 4861 7.1.1 (NS) and 7.1.2 (NA), beyond hop limit, code, length and
 * checksum: no option of length 0, the target not multicast; an NS from
 * the unspecified address goes to a solicited-node address and has no
 * source link-layer option; an NA to a multicast address is unsolicited. */
static int nd_valid(const uint8_t *ip, const uint8_t *m, uint32_t n)
{
	static const uint8_t snm[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
					 0, 0, 0, 0x01, 0xff };
	uint8_t mac[6];
	uint32_t o;

	for (o = PKT_ND_HDR_LEN; o + 2 <= n && m[o + 1]; o += m[o + 1] * 8u)
		;
	if (o != n || pkt_ip6_multicast(m + PKT_ND_TARGET))
		return 0;
	if (m[0] == PKT_ND_NA)
		return !(pkt_ip6_multicast(ip + PKT_IP6_DST) &&
			 (m[4] & PKT_ND_NA_SOLICITED));
	if (!pkt_ip6_unspecified(ip + PKT_IP6_SRC))
		return 1;
	return memcmp(ip + PKT_IP6_DST, snm, sizeof(snm)) == 0 &&
	       !pkt_nd_lla(m, n, PKT_ND_OPT_SLLA, mac);
}

static enum aegw_pkt_class icmp6_type(const uint8_t *ip, const uint8_t *m,
				      uint32_t n)
{
	switch (m[0]) {
	case PKT_ICMPV6_ECHO_REQUEST:
		return m[1] == 0 ? AEGW_PKT_ICMP6_ECHO : AEGW_PKT_OTHER;
	case PKT_ND_NS:
	case PKT_ND_NA:
		if (ip[PKT_IP6_HOPS] != PKT_ND_HOP_LIMIT || m[1] != 0 ||
		    n < PKT_ND_HDR_LEN || !nd_valid(ip, m, n))
			return AEGW_PKT_OTHER;
		return m[0] == PKT_ND_NS ? AEGW_PKT_ICMP6_NS :
					   AEGW_PKT_ICMP6_NA;
	}
	return AEGW_PKT_OTHER;
}

/* RFC 4443 2.3: the checksum covers the pseudo-header; a message that
 * fails it is not answered and nothing is learned from it. */
static enum aegw_pkt_class icmp6(const uint8_t *f, uint32_t l3, uint32_t l4,
				 uint32_t end, struct aegw_pkt_info *pi)
{
	const uint8_t *m = f + l4;
	enum aegw_pkt_class c;
	uint64_t sum;

	if (!icmp_locate(l4, end, pi))
		return AEGW_PKT_DROP_TRUNCATED;
	c = icmp6_type(f + l3, m, end - l4);
	if (c == AEGW_PKT_OTHER)
		return c;
	sum = csum_pseudo(&pi->src, &pi->dst, end - l4, PKT_PROTO_ICMPV6);
	return csum_valid(csum_add(sum, m, end - l4)) ? c : AEGW_PKT_OTHER;
}

/* The IPv4 header is 20 bytes on the fast path: a constant-size sum. */
static uint64_t ipv4_hdr_sum(const uint8_t *ip, uint32_t hlen)
{
	if (hlen == AEGW_IPV4_HDR_LEN)
		return csum_add(0, ip, AEGW_IPV4_HDR_LEN);
	return csum_add(0, ip, hlen);
}

static enum aegw_pkt_class ipv4(const uint8_t *f, uint32_t len, uint32_t l3,
				unsigned flags, struct aegw_pkt_info *pi)
{
	const uint8_t *ip = f + l3;
	uint32_t hlen, total, end;
	int frag;

	pi->family = 4;
	if (len - l3 < AEGW_IPV4_HDR_LEN)
		return AEGW_PKT_DROP_TRUNCATED;
	hlen = (ip[0] & 0x0fu) * 4;
	total = pkt_get16(ip + PKT_IP4_TOTLEN);
	if (ip[0] >> 4 != 4 || hlen < AEGW_IPV4_HDR_LEN || total < hlen)
		return AEGW_PKT_DROP_BAD_IP_HEADER;
	if (hlen != AEGW_IPV4_HDR_LEN && !(flags & AEGW_PKT_ALLOW_IPV4_OPTIONS))
		return AEGW_PKT_DROP_IP_OPTIONS;
	/* RFC 1122 3.2.1.2: a datagram with a wrong header checksum is
	 * discarded; so is one longer than what arrived. */
	if (total > len - l3 || !csum_valid(ipv4_hdr_sum(ip, hlen)))
		return AEGW_PKT_DROP_BAD_IP_HEADER;
	pi->src.family = pi->dst.family = 4;
	memcpy(pi->src.ip, ip + PKT_IP4_SRC, 4);
	memcpy(pi->dst.ip, ip + PKT_IP4_DST, 4);
	pi->l4_off = (uint16_t)(l3 + hlen);
	frag = (pkt_get16(ip + PKT_IP4_FRAG) & PKT_IP4_MF_OFFSET) != 0;
	end = l3 + total;
	switch (ip[PKT_IP4_PROTO]) {
	case PKT_PROTO_UDP:
		return frag ? AEGW_PKT_DROP_IP_FRAGMENT :
			      udp(f, l3 + hlen, end, pi);
	case PKT_PROTO_ICMP:
		return frag ? AEGW_PKT_DROP_IP_FRAGMENT :
			      icmp4(f, l3 + hlen, end, pi);
	}
	return AEGW_PKT_DROP_NOT_UDP;
}

/* RFC 8200 4 and the IANA list of IPv6 extension headers (RFC 7045). */
static int ipv6_ext_header(uint8_t nh)
{
	switch (nh) {
	case PKT_PROTO_HOPOPTS:
	case PKT_PROTO_ROUTING:
	case PKT_PROTO_FRAGMENT:
	case PKT_PROTO_ESP:
	case PKT_PROTO_AH:
	case PKT_PROTO_DSTOPTS:
	case PKT_PROTO_MOBILITY:
	case PKT_PROTO_HIP:
	case PKT_PROTO_SHIM6:
	case PKT_PROTO_EXP1:
	case PKT_PROTO_EXP2:
		return 1;
	}
	return 0;
}

/* AEGW_PKT_ALLOW_IPV6_EXT: steps over hop-by-hop, routing and destination
 * options headers (each 8 * (1 + its length byte) bytes, RFC 8200 4.3),
 * moving *l4 and *nh on. Returns 1 and sets *drop if the packet ends
 * there: a malformed chain or a fragment. */
static int ipv6_walk(const uint8_t *f, uint32_t end, uint32_t *l4,
		     uint8_t *nh, enum aegw_pkt_class *drop)
{
	*drop = AEGW_PKT_DROP_BAD_IP_HEADER;
	for (int i = 0; i < PKT_IP6_EXT_MAX &&
			(*nh == PKT_PROTO_HOPOPTS || *nh == PKT_PROTO_ROUTING ||
			 *nh == PKT_PROTO_DSTOPTS);
	     i++) {
		if (end - *l4 < 8)
			return 1;
		*nh = f[*l4];
		*l4 += (f[*l4 + 1] + 1u) * 8;
		if (*l4 > end)
			return 1;
	}
	if (*nh != PKT_PROTO_FRAGMENT)
		return 0;
	if (end - *l4 < 8)
		return 1;
	*drop = f[*l4] == PKT_PROTO_UDP || f[*l4] == PKT_PROTO_ICMPV6 ?
			AEGW_PKT_DROP_IP_FRAGMENT :
			AEGW_PKT_DROP_NOT_UDP;
	return 1;
}

static enum aegw_pkt_class ipv6(const uint8_t *f, uint32_t len, uint32_t l3,
				unsigned flags, struct aegw_pkt_info *pi)
{
	const uint8_t *ip = f + l3;
	uint32_t plen, end, l4 = l3 + AEGW_IPV6_HDR_LEN;
	enum aegw_pkt_class c;
	uint8_t nh;

	pi->family = 6;
	if (len - l3 < AEGW_IPV6_HDR_LEN)
		return AEGW_PKT_DROP_TRUNCATED;
	plen = pkt_get16(ip + PKT_IP6_PLEN);
	if (ip[0] >> 4 != 6 || plen > len - l4)
		return AEGW_PKT_DROP_BAD_IP_HEADER;
	pi->src.family = pi->dst.family = 6;
	memcpy(pi->src.ip, ip + PKT_IP6_SRC, 16);
	memcpy(pi->dst.ip, ip + PKT_IP6_DST, 16);
	end = l4 + plen;
	nh = ip[PKT_IP6_NH];
	if ((flags & AEGW_PKT_ALLOW_IPV6_EXT) &&
	    ipv6_walk(f, end, &l4, &nh, &c)) {
		pi->l4_off = (uint16_t)l4;
		return c;
	}
	switch (nh) {
	case PKT_PROTO_UDP:
		return udp(f, l4, end, pi);
	case PKT_PROTO_ICMPV6:
		return icmp6(f, l3, l4, end, pi);
	}
	pi->l4_off = (uint16_t)l4;
	return ipv6_ext_header(nh) ? AEGW_PKT_DROP_IPV6_EXT_HEADER :
				     AEGW_PKT_DROP_NOT_UDP;
}

/* RFC 826 for Ethernet and IPv4 only: request or reply. */
static enum aegw_pkt_class arp(const uint8_t *f, uint32_t len, uint32_t l3,
			       struct aegw_pkt_info *pi)
{
	const uint8_t *a = f + l3;
	uint16_t op;

	if (len - l3 < PKT_ARP_FIXED_LEN)
		return AEGW_PKT_DROP_TRUNCATED;
	op = pkt_get16(a + PKT_ARP_OP);
	if (pkt_get16(a) != PKT_ARP_HTYPE_ETHER ||
	    pkt_get16(a + 2) != PKT_ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4 ||
	    (op != PKT_ARP_REQUEST && op != PKT_ARP_REPLY))
		return AEGW_PKT_OTHER;
	if (len - l3 < PKT_ARP_LEN)
		return AEGW_PKT_DROP_TRUNCATED;
	pi->src.family = pi->dst.family = 4;
	memcpy(pi->src.ip, a + PKT_ARP_SPA, 4);
	memcpy(pi->dst.ip, a + PKT_ARP_TPA, 4);
	return AEGW_PKT_ARP;
}

static enum aegw_pkt_class done(struct aegw_pkt_info *pi,
				enum aegw_pkt_class c)
{
	pi->cls = (uint8_t)c;
	return c;
}

enum aegw_pkt_class aegw_pkt_parse(const uint8_t *frame, uint32_t len,
				   struct aegw_pkt_info *pi)
{
	uint32_t l3 = AEGW_ETH_HDR_LEN;
	uint16_t type;

	memset(pi, 0, sizeof(*pi));
	if (len < AEGW_ETH_HDR_LEN)
		return done(pi, AEGW_PKT_DROP_TRUNCATED);
	memcpy(pi->dst_mac, frame, 6);
	memcpy(pi->src_mac, frame + 6, 6);
	type = pkt_get16(frame + PKT_ETH_TYPE);
	/* One 802.1Q tag; a second one (QinQ, or an 802.1ad S-tag 0x88a8
	 * outside) is not ours to unwrap and reads as DROP_NOT_IP. */
	if (type == PKT_ETHERTYPE_VLAN) {
		l3 += AEGW_VLAN_TAG_LEN;
		if (len < l3)
			return done(pi, AEGW_PKT_DROP_TRUNCATED);
		pi->has_vlan = 1;
		pi->vlan_tci = pkt_get16(frame + AEGW_ETH_HDR_LEN);
		type = pkt_get16(frame + AEGW_ETH_HDR_LEN + 2);
	}
	pi->l3_off = (uint16_t)l3;
	switch (type) {
	case PKT_ETHERTYPE_IPV4:
		return done(pi, ipv4(frame, len, l3, 0, pi));
	case PKT_ETHERTYPE_IPV6:
		return done(pi, ipv6(frame, len, l3, 0, pi));
	case PKT_ETHERTYPE_ARP:
		return done(pi, arp(frame, len, l3, pi));
	}
	return done(pi, AEGW_PKT_DROP_NOT_IP);
}

enum aegw_pkt_class aegw_pkt_parse_ip(const uint8_t *frame, uint32_t len,
				      uint32_t l3_off, unsigned flags,
				      struct aegw_pkt_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	if (l3_off > PARSE_MAX_L3_OFF)
		return done(pi, AEGW_PKT_DROP_NOT_IP);
	pi->l3_off = (uint16_t)l3_off;
	if (len <= l3_off)
		return done(pi, AEGW_PKT_DROP_TRUNCATED);
	switch (frame[l3_off] >> 4) {
	case 4:
		return done(pi, ipv4(frame, len, l3_off, flags, pi));
	case 6:
		return done(pi, ipv6(frame, len, l3_off, flags, pi));
	}
	return done(pi, AEGW_PKT_DROP_NOT_IP);
}

int aegw_pkt_udp_csum_ok(const uint8_t *frame, const struct aegw_pkt_info *pi)
{
	uint32_t ulen = pi->payload_len + (uint32_t)AEGW_UDP_HDR_LEN;
	uint64_t sum;

	if (pi->cls != AEGW_PKT_UDP)
		return 0;
	if (pi->udp_csum == 0)
		return pi->family == 4; /* RFC 768: none computed */
	sum = csum_pseudo(&pi->src, &pi->dst, ulen, PKT_PROTO_UDP);
	return csum_valid(csum_add(sum, frame + pi->l4_off, ulen));
}
