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
 * value, and nothing aegw sends is fragmented. The header is made as
 * words in registers and its checksum summed from them: summing it back
 * from memory right after byte-wide stores defeats store forwarding (half
 * of this function's time in perf annotate). */
static void write_ipv4(uint8_t *ip, uint32_t total,
		       const struct aegw_endpoint *src,
		       const struct aegw_endpoint *dst)
{
	uint32_t w0 = htonl(0x45000000u | total);
	uint32_t w1 = htonl(PKT_IP4_DF); /* id 0 */
	uint32_t w2 = htonl((uint32_t)PKT_TTL << 24 |
			    (uint32_t)PKT_PROTO_UDP << 16);
	uint32_t a, b;
	uint16_t c;

	memcpy(&a, src->ip, 4);
	memcpy(&b, dst->ip, 4);
	c = (uint16_t)~csum_fold((uint64_t)w0 + w1 + w2 + a + b);
	/* Word by word: an array would be stored to the stack and read
	 * back 16 bytes at a time, the same stall again. */
	memcpy(ip, &w0, 4);
	memcpy(ip + 4, &w1, 4);
	memcpy(ip + 8, &w2, 4);
	memcpy(ip + PKT_IP4_CSUM, &c, 2);
	memcpy(ip + PKT_IP4_SRC, &a, 4);
	memcpy(ip + PKT_IP4_DST, &b, 4);
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

/* The UDP checksum field, from a sum that covers the pseudo-header and,
 * without offload, the whole datagram with its checksum field 0. With
 * offload, the NIC wants the pseudo-header sum uncomplemented, as DPDK's
 * rte_ipv4_phdr_cksum() and rte_ipv6_phdr_cksum() give it. Else RFC 768:
 * a computed 0 is sent as all ones (0 means "none" in IPv4, and RFC 8200
 * 8.1 says the same for IPv6, where a checksum is mandatory). */
static void udp_csum_store(uint8_t *udp, uint64_t sum, int csum_offload)
{
	uint16_t c = csum_fold(sum);

	if (!csum_offload) {
		c = (uint16_t)~c;
		if (c == 0)
			c = 0xffff;
	}
	memcpy(udp + PKT_UDP_CSUM, &c, 2);
}

/* What the UDP header adds to its checksum, its checksum field 0: from
 * the values, not read back from bytes just stored (see write_ipv4). */
static uint64_t udp_hdr_sum(const struct aegw_endpoint *src,
			    const struct aegw_endpoint *dst, uint32_t ulen)
{
	return (uint64_t)htons(src->port) + htons(dst->port) +
	       htons((uint16_t)ulen);
}

/* The checksum of the datagram at udp, its header as src, dst and ulen
 * say and its payload summed from memory; with offload, the
 * pseudo-header's alone. */
static void udp_csum_set(uint8_t *udp, uint32_t ulen,
			 const struct aegw_endpoint *src,
			 const struct aegw_endpoint *dst, int csum_offload)
{
	uint64_t sum = csum_pseudo(src, dst, ulen, PKT_PROTO_UDP);

	if (!csum_offload)
		sum = csum_add(sum + udp_hdr_sum(src, dst, ulen),
			       udp + AEGW_UDP_HDR_LEN, ulen - AEGW_UDP_HDR_LEN);
	udp_csum_store(udp, sum, csum_offload);
}

/* Everything but the UDP checksum field. */
static void write_headers(uint8_t *udp, uint32_t ulen,
			  const struct aegw_pkt_l2 *l2,
			  const struct aegw_endpoint *src,
			  const struct aegw_endpoint *dst)
{
	uint8_t *ip;

	pkt_put16(udp, src->port);
	pkt_put16(udp + 2, dst->port);
	pkt_put16(udp + PKT_UDP_LEN, ulen);
	if (src->family == 6) {
		ip = udp - AEGW_IPV6_HDR_LEN;
		write_ipv6(ip, ulen, src, dst);
		pkt_write_l2(ip, l2, l2->dst_mac, PKT_ETHERTYPE_IPV6);
	} else {
		ip = udp - AEGW_IPV4_HDR_LEN;
		write_ipv4(ip, AEGW_IPV4_HDR_LEN + ulen, src, dst);
		pkt_write_l2(ip, l2, l2->dst_mac, PKT_ETHERTYPE_IPV4);
	}
}

void aegw_pkt_write_udp(uint8_t *payload, uint16_t payload_len,
			const struct aegw_pkt_l2 *l2,
			const struct aegw_endpoint *src,
			const struct aegw_endpoint *dst, int csum_offload)
{
	uint8_t *udp = payload - AEGW_UDP_HDR_LEN;
	uint32_t ulen = payload_len + (uint32_t)AEGW_UDP_HDR_LEN;

	write_headers(udp, ulen, l2, src, dst);
	udp_csum_set(udp, ulen, src, dst, csum_offload);
}

void aegw_pkt_write_udp_relayed(uint8_t *payload, const struct aegw_pkt_info *rx,
				const struct aegw_pkt_l2 *l2,
				const struct aegw_endpoint *src,
				const struct aegw_endpoint *dst, int csum_offload)
{
	uint8_t *udp = payload - AEGW_UDP_HDR_LEN;
	uint32_t ulen = rx->payload_len + (uint32_t)AEGW_UDP_HDR_LEN;
	uint64_t was, now;
	uint16_t c = htons(rx->udp_csum);

	write_headers(udp, ulen, l2, src, dst);
	if (csum_offload || !rx->udp_csum) {
		/* No checksum came (IPv4 allows that): none to adjust. */
		udp_csum_set(udp, ulen, src, dst, csum_offload);
		return;
	}
	/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'): m the received headers'
	 * sum, m' the new ones'; the payload's part of the sum stays. */
	was = csum_pseudo(&rx->src, &rx->dst, ulen, PKT_PROTO_UDP) +
	      udp_hdr_sum(&rx->src, &rx->dst, ulen);
	now = csum_pseudo(src, dst, ulen, PKT_PROTO_UDP) +
	      udp_hdr_sum(src, dst, ulen);
	udp_csum_store(udp, (uint64_t)(uint16_t)~c +
				    (uint16_t)~csum_fold(was) + csum_fold(now),
		       0);
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
