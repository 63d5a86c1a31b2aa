/* What aegw owes its neighbours: ARP replies, ICMP and ICMPv6 echo
 * replies and neighbour advertisements, made in place from the request;
 * the ARP requests and neighbour solicitations it sends to resolve a next
 * hop; and the IP/MAC pairs it learns from what it hears. All of it is
 * the exception path: clarity over speed. */
#include <string.h>

#include "aegw/pkt.h"
#include "csum.h"
#include "proto.h"

static const uint8_t mac_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* A group MAC (I/G bit set) is no one's own address. */
static int mac_group(const uint8_t *mac)
{
	return mac[0] & 1;
}

/* Neither 0.0.0.0/8 ("this network"), multicast, nor class E and the
 * limited broadcast (RFC 1122 3.2.1.3, RFC 1112 4). */
static int ip4_unicast(const uint8_t *a)
{
	return a[0] != 0 && a[0] < 224;
}

static void swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

uint32_t aegw_pkt_arp_reply(uint8_t *frame, uint32_t len,
			    const struct aegw_pkt_info *pi,
			    const uint8_t my_mac[6], const uint8_t my_ip[4])
{
	uint8_t *a = frame + pi->l3_off;

	/* Not a request for my_ip; or a sender claiming my_ip (a gratuitous
	 * ARP or a conflict: answering it would not help); or a sender with
	 * a group MAC, which cannot be answered. */
	if (pi->cls != AEGW_PKT_ARP ||
	    pkt_get16(a + PKT_ARP_OP) != PKT_ARP_REQUEST ||
	    memcmp(a + PKT_ARP_TPA, my_ip, 4) != 0 ||
	    memcmp(a + PKT_ARP_SPA, my_ip, 4) == 0 ||
	    mac_group(a + PKT_ARP_SHA))
		return 0;
	/* RFC 826 "Packet reception": swap the hardware and protocol
	 * fields, put in the local ones, make it a reply, send it to the
	 * requester. The target pair follows the sender pair, 10 bytes. */
	memcpy(a + PKT_ARP_THA, a + PKT_ARP_SHA, 10);
	memcpy(a + PKT_ARP_SHA, my_mac, 6);
	memcpy(a + PKT_ARP_SPA, my_ip, 4);
	pkt_put16(a + PKT_ARP_OP, PKT_ARP_REPLY);
	memcpy(frame, a + PKT_ARP_THA, 6);
	memcpy(frame + 6, my_mac, 6);
	return len;
}

/* Echo -> echo reply changes the type word only, so the checksum is
 * updated, not recomputed (RFC 1624); in ICMPv6 the pseudo-header sum
 * does not change when the two addresses swap. */
static void icmp_set_type(uint8_t *m, uint8_t type)
{
	uint16_t old, new, check;

	memcpy(&old, m, 2);
	m[0] = type;
	memcpy(&new, m, 2);
	memcpy(&check, m + PKT_ICMP_CSUM, 2);
	check = csum_replace16(check, old, new);
	memcpy(m + PKT_ICMP_CSUM, &check, 2);
}

/* RFC 1122 3.2.2.6: the reply goes back from the address the request was
 * sent to; requests to a broadcast or multicast address are not answered
 * (we have no unicast address at hand to answer them from). */
static uint32_t echo4(uint8_t *frame, uint32_t len,
		      const struct aegw_pkt_info *pi)
{
	uint8_t *ip = frame + pi->l3_off;
	uint32_t hlen = (uint32_t)(pi->l4_off - pi->l3_off);

	if (!ip4_unicast(pi->src.ip) || !ip4_unicast(pi->dst.ip))
		return 0;
	swap_bytes(ip + PKT_IP4_SRC, ip + PKT_IP4_DST, 4);
	ip[PKT_IP4_TTL] = PKT_TTL;
	pkt_put16(ip + PKT_IP4_CSUM, 0);
	csum_store(ip + PKT_IP4_CSUM, csum_add(0, ip, hlen));
	icmp_set_type(frame + pi->l4_off, PKT_ICMP_ECHO_REPLY);
	return len;
}

/* RFC 4443 4.2 (the reply to a multicast request would need a unicast
 * source we do not have here). With extension headers, a routing header
 * would make swapping the addresses wrong: not answered. */
static uint32_t echo6(uint8_t *frame, uint32_t len,
		      const struct aegw_pkt_info *pi)
{
	uint8_t *ip = frame + pi->l3_off;

	if (pi->l4_off != pi->l3_off + AEGW_IPV6_HDR_LEN ||
	    pkt_ip6_multicast(pi->dst.ip) || pkt_ip6_multicast(pi->src.ip) ||
	    pkt_ip6_unspecified(pi->src.ip))
		return 0;
	swap_bytes(ip + PKT_IP6_SRC, ip + PKT_IP6_DST, 16);
	ip[PKT_IP6_HOPS] = PKT_TTL;
	icmp_set_type(frame + pi->l4_off, PKT_ICMPV6_ECHO_REPLY);
	return len;
}

uint32_t aegw_pkt_icmp_echo_reply(uint8_t *frame, uint32_t len,
				  const struct aegw_pkt_info *pi)
{
	uint32_t out;

	if (mac_group(frame)) /* our source MAC is their destination */
		return 0;
	if (pi->cls == AEGW_PKT_ICMP4_ECHO)
		out = echo4(frame, len, pi);
	else if (pi->cls == AEGW_PKT_ICMP6_ECHO)
		out = echo6(frame, len, pi);
	else
		return 0;
	if (out)
		swap_bytes(frame, frame + 6, 6);
	return out;
}

/* An IPv6 header for ICMPv6 with hop limit 255, as ND requires (RFC 4861
 * 7.1); the checksum over the pseudo-header and the n-byte message. */
static void nd_finish(uint8_t *ip, const uint8_t src[16],
		      const uint8_t dst[16], uint32_t n)
{
	struct aegw_endpoint s = { .family = 6 }, d = { .family = 6 };
	uint8_t *m = ip + AEGW_IPV6_HDR_LEN;

	ip[0] = 0x60;
	ip[1] = ip[2] = ip[3] = 0;
	pkt_put16(ip + PKT_IP6_PLEN, n);
	ip[PKT_IP6_NH] = PKT_PROTO_ICMPV6;
	ip[PKT_IP6_HOPS] = PKT_ND_HOP_LIMIT;
	memcpy(s.ip, src, 16);
	memcpy(d.ip, dst, 16);
	memcpy(ip + PKT_IP6_SRC, s.ip, 16);
	memcpy(ip + PKT_IP6_DST, d.ip, 16);
	pkt_put16(m + PKT_ICMP_CSUM, 0);
	csum_store(m + PKT_ICMP_CSUM,
		   csum_add(csum_pseudo(&s, &d, n, PKT_PROTO_ICMPV6), m, n));
}

/* Type, code, checksum (left to nd_finish), 4 bytes of flags, the
 * target, and one link-layer address option. */
static void nd_message(uint8_t *m, uint8_t type, uint8_t flags,
		       const uint8_t target[16], uint8_t opt,
		       const uint8_t mac[6])
{
	memset(m, 0, PKT_ND_HDR_LEN);
	m[0] = type;
	m[4] = flags;
	memcpy(m + PKT_ND_TARGET, target, 16);
	m[PKT_ND_HDR_LEN] = opt;
	m[PKT_ND_HDR_LEN + 1] = 1;
	memcpy(m + PKT_ND_HDR_LEN + 2, mac, 6);
}

/* RFC 4861 7.2.4. The MAC to answer comes from the source link-layer
 * option, or else from the frame (a unicast NS may omit the option). An NS
 * from :: is duplicate address detection: the NA goes to all-nodes, not
 * solicited (RFC 4862 5.4.3 lets us defend the address that way). */
uint32_t aegw_pkt_nd_reply(uint8_t *frame, uint32_t len, uint32_t size,
			   const struct aegw_pkt_info *pi,
			   const uint8_t my_mac[6], const uint8_t my_ip6[16])
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };
	uint32_t n = PKT_ND_HDR_LEN + PKT_ND_LLA_LEN;
	uint32_t out = pi->l3_off + AEGW_IPV6_HDR_LEN + n;
	const uint8_t *m = frame + pi->l4_off;
	struct aegw_pkt_l2 l2 = { .has_vlan = pi->has_vlan,
				  .vlan_tci = pi->vlan_tci };
	uint8_t to[16], to_mac[6], flags;

	/* A multicast source is invalid (RFC 4291 2.7) and cannot be sent to
	 * as a solicited reply. */
	if (pi->cls != AEGW_PKT_ICMP6_NS || out > size ||
	    pi->l4_off + (uint32_t)PKT_ND_HDR_LEN > len ||
	    memcmp(m + PKT_ND_TARGET, my_ip6, 16) != 0 ||
	    pkt_ip6_multicast(pi->src.ip))
		return 0;
	if (pkt_ip6_unspecified(pi->src.ip)) {
		memcpy(to, all_nodes, 16);
		memcpy(to_mac, all_nodes_mac, 6);
		flags = PKT_ND_NA_OVERRIDE;
	} else {
		memcpy(to, pi->src.ip, 16);
		if (!pkt_nd_lla(m, pi->payload_len, PKT_ND_OPT_SLLA, to_mac))
			memcpy(to_mac, pi->src_mac, 6);
		flags = PKT_ND_NA_SOLICITED | PKT_ND_NA_OVERRIDE;
	}
	memcpy(l2.src_mac, my_mac, 6);
	pkt_write_l2(frame + pi->l3_off, &l2, to_mac, PKT_ETHERTYPE_IPV6);
	nd_message(frame + pi->l3_off + AEGW_IPV6_HDR_LEN, PKT_ND_NA, flags,
		   my_ip6, PKT_ND_OPT_TLLA, my_mac);
	nd_finish(frame + pi->l3_off, my_ip6, to, n);
	return out;
}

/* Zero-fills a short frame to the Ethernet minimum (IEEE 802.3 4.2.3.3):
 * not every NIC or virtual device pads. */
static uint32_t pad_min(uint8_t *buf, uint32_t len)
{
	if (len >= PKT_ETH_ZLEN)
		return len;
	memset(buf + len, 0, PKT_ETH_ZLEN - len);
	return PKT_ETH_ZLEN;
}

static uint32_t l2_len(const struct aegw_pkt_l2 *l2)
{
	return AEGW_ETH_HDR_LEN + (l2->has_vlan ? AEGW_VLAN_TAG_LEN : 0);
}

uint32_t aegw_pkt_arp_request(uint8_t *buf, uint32_t size,
			      const struct aegw_pkt_l2 *l2,
			      const uint8_t my_ip[4], const uint8_t target[4])
{
	uint8_t *a = buf + l2_len(l2);
	uint32_t len = l2_len(l2) + PKT_ARP_LEN;

	if (size < PKT_ETH_ZLEN || size < len)
		return 0;
	pkt_write_l2(a, l2, mac_broadcast, PKT_ETHERTYPE_ARP);
	pkt_put16(a, PKT_ARP_HTYPE_ETHER);
	pkt_put16(a + 2, PKT_ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	pkt_put16(a + PKT_ARP_OP, PKT_ARP_REQUEST);
	memcpy(a + PKT_ARP_SHA, l2->src_mac, 6);
	memcpy(a + PKT_ARP_SPA, my_ip, 4);
	memset(a + PKT_ARP_THA, 0, 6); /* RFC 5227 2.1.1 says 0s */
	memcpy(a + PKT_ARP_TPA, target, 4);
	return pad_min(buf, len);
}

/* RFC 4861 7.2.2: to the target's solicited-node address (RFC 4291
 * 2.7.1, ff02::1:ff00:0/104 and the address's low 24 bits), whose MAC is
 * 33:33 and the group's low 32 bits (RFC 2464 7). */
uint32_t aegw_pkt_nd_solicit(uint8_t *buf, uint32_t size,
			     const struct aegw_pkt_l2 *l2,
			     const uint8_t my_ip6[16],
			     const uint8_t target[16])
{
	uint8_t snm[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	uint8_t snm_mac[6] = { 0x33, 0x33, 0xff };
	uint32_t n = PKT_ND_HDR_LEN + PKT_ND_LLA_LEN;
	uint8_t *ip = buf + l2_len(l2);
	uint32_t len = l2_len(l2) + AEGW_IPV6_HDR_LEN + n;

	if (size < len)
		return 0;
	memcpy(snm + 13, target + 13, 3);
	memcpy(snm_mac + 3, target + 13, 3);
	pkt_write_l2(ip, l2, snm_mac, PKT_ETHERTYPE_IPV6);
	nd_message(ip + AEGW_IPV6_HDR_LEN, PKT_ND_NS, 0, target,
		   PKT_ND_OPT_SLLA, l2->src_mac);
	nd_finish(ip, my_ip6, snm, n);
	return len;
}

/* What a neighbour says about itself (RFC 826; RFC 4861 7.2.3 for an NS's
 * source option, 7.2.5 for an NA's target option). An ARP probe (sender
 * 0.0.0.0, RFC 5227) and a group MAC teach nothing. */
int aegw_pkt_neigh_learn(const uint8_t *frame, uint32_t len,
			 const struct aegw_pkt_info *pi,
			 struct aegw_endpoint *ip, uint8_t mac[6])
{
	const uint8_t *m = frame + pi->l4_off, *a = frame + pi->l3_off;
	uint32_t n = pi->payload_len;
	struct aegw_endpoint who = { .family = 6 };
	uint8_t hw[6];
	int ok = 0;

	if (pi->cls == AEGW_PKT_ARP &&
	    pi->l3_off + (uint32_t)PKT_ARP_LEN <= len) {
		who.family = 4;
		memcpy(who.ip, a + PKT_ARP_SPA, 4);
		memcpy(hw, a + PKT_ARP_SHA, 6);
		ok = ip4_unicast(who.ip);
	} else if (pi->cls == AEGW_PKT_ICMP6_NA && pi->l4_off + n <= len) {
		memcpy(who.ip, m + PKT_ND_TARGET, 16);
		ok = pkt_nd_lla(m, n, PKT_ND_OPT_TLLA, hw);
	} else if (pi->cls == AEGW_PKT_ICMP6_NS && pi->l4_off + n <= len) {
		memcpy(who.ip, pi->src.ip, 16);
		ok = !pkt_ip6_unspecified(who.ip) &&
		     pkt_nd_lla(m, n, PKT_ND_OPT_SLLA, hw);
	}
	if (!ok || mac_group(hw))
		return 0;
	*ip = who;
	memcpy(mac, hw, 6);
	return 1;
}
