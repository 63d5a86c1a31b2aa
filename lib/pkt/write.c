/* The headers aegw puts in front of a UDP payload it sends: Ethernet, an
 * optional 802.1Q tag, IPv4 or IPv6, UDP, written backwards from the
 * payload into the headroom the payload already has. Also the in-place
 * length and checksum fix for a payload that changed size. */
#include <string.h>

#include "aegw/pkt.h"
#include "csum.h"
#include "proto.h"

unsigned aegw_pkt_udp_hdr_len(unsigned family, int has_vlan)
{
	return AEGW_ETH_HDR_LEN + (has_vlan ? AEGW_VLAN_TAG_LEN : 0) +
	       (family == 6 ? AEGW_IPV6_HDR_LEN : AEGW_IPV4_HDR_LEN) +
	       AEGW_UDP_HDR_LEN;
}

/* DF set and id 0: RFC 6864 4.1 lets an atomic datagram's id be any
 * value, and nothing aegw sends is fragmented. */
static void write_ipv4(uint8_t *ip, uint32_t total,
		       const struct aegw_endpoint *src,
		       const struct aegw_endpoint *dst)
{
	ip[0] = 0x45;
	ip[1] = 0;
	pkt_put16(ip + PKT_IP4_TOTLEN, total);
	pkt_put16(ip + PKT_IP4_ID, 0);
	pkt_put16(ip + PKT_IP4_FRAG, PKT_IP4_DF);
	ip[PKT_IP4_TTL] = PKT_TTL;
	ip[PKT_IP4_PROTO] = PKT_PROTO_UDP;
	pkt_put16(ip + PKT_IP4_CSUM, 0);
	memcpy(ip + PKT_IP4_SRC, src->ip, 4);
	memcpy(ip + PKT_IP4_DST, dst->ip, 4);
	csum_store(ip + PKT_IP4_CSUM, csum_add(0, ip, AEGW_IPV4_HDR_LEN));
}

static void write_ipv6(uint8_t *ip, uint32_t plen,
		       const struct aegw_endpoint *src,
		       const struct aegw_endpoint *dst)
{
	ip[0] = 0x60; /* version 6, traffic class and flow label 0 */
	ip[1] = ip[2] = ip[3] = 0;
	pkt_put16(ip + PKT_IP6_PLEN, plen);
	ip[PKT_IP6_NH] = PKT_PROTO_UDP;
	ip[PKT_IP6_HOPS] = PKT_TTL;
	memcpy(ip + PKT_IP6_SRC, src->ip, 16);
	memcpy(ip + PKT_IP6_DST, dst->ip, 16);
}

/* The UDP checksum of the ulen bytes at udp, whose checksum field is 0.
 * With offload, the NIC wants the pseudo-header sum uncomplemented, as
 * DPDK's rte_ipv4_phdr_cksum() and rte_ipv6_phdr_cksum() give it. Else
 * RFC 768: a computed 0 is sent as all ones (0 means "none" in IPv4, and
 * RFC 8200 8.1 says the same for IPv6, where a checksum is mandatory). */
static void udp_csum_set(uint8_t *udp, uint32_t ulen,
			 const struct aegw_endpoint *src,
			 const struct aegw_endpoint *dst, int csum_offload)
{
	uint64_t sum = csum_pseudo(src, dst, ulen, PKT_PROTO_UDP);
	uint16_t c;

	if (csum_offload) {
		c = csum_fold(sum);
	} else {
		c = (uint16_t)~csum_fold(csum_add(sum, udp, ulen));
		if (c == 0)
			c = 0xffff;
	}
	memcpy(udp + PKT_UDP_CSUM, &c, 2);
}

void aegw_pkt_write_udp(uint8_t *payload, uint16_t payload_len,
			const struct aegw_pkt_l2 *l2,
			const struct aegw_endpoint *src,
			const struct aegw_endpoint *dst, int csum_offload)
{
	uint8_t *udp = payload - AEGW_UDP_HDR_LEN;
	uint32_t ulen = payload_len + (uint32_t)AEGW_UDP_HDR_LEN;
	uint8_t *ip;

	pkt_put16(udp, src->port);
	pkt_put16(udp + 2, dst->port);
	pkt_put16(udp + PKT_UDP_LEN, ulen);
	pkt_put16(udp + PKT_UDP_CSUM, 0);
	if (src->family == 6) {
		ip = udp - AEGW_IPV6_HDR_LEN;
		write_ipv6(ip, ulen, src, dst);
		pkt_write_l2(ip, l2, l2->dst_mac, PKT_ETHERTYPE_IPV6);
	} else {
		ip = udp - AEGW_IPV4_HDR_LEN;
		write_ipv4(ip, AEGW_IPV4_HDR_LEN + ulen, src, dst);
		pkt_write_l2(ip, l2, l2->dst_mac, PKT_ETHERTYPE_IPV4);
	}
	udp_csum_set(udp, ulen, src, dst, csum_offload);
}

void aegw_pkt_udp_set_len(uint8_t *frame, struct aegw_pkt_info *pi,
			  uint16_t payload_len, int csum_offload)
{
	uint8_t *ip = frame + pi->l3_off, *udp = frame + pi->l4_off;
	uint32_t ulen = payload_len + (uint32_t)AEGW_UDP_HDR_LEN;
	uint32_t hlen = (uint32_t)(pi->l4_off - pi->l3_off); /* options too */

	pkt_put16(udp + PKT_UDP_LEN, ulen);
	pkt_put16(udp + PKT_UDP_CSUM, 0);
	if (pi->family == 6) {
		pkt_put16(ip + PKT_IP6_PLEN, hlen - AEGW_IPV6_HDR_LEN + ulen);
	} else {
		pkt_put16(ip + PKT_IP4_TOTLEN, hlen + ulen);
		pkt_put16(ip + PKT_IP4_CSUM, 0);
		csum_store(ip + PKT_IP4_CSUM, csum_add(0, ip, hlen));
	}
	pi->payload_len = payload_len;
	udp_csum_set(udp, ulen, &pi->src, &pi->dst, csum_offload);
	pi->udp_csum = pkt_get16(udp + PKT_UDP_CSUM);
}
