/* libFuzzer target: aegw_pkt_parse on arbitrary frames, then what the
 * dataplane does next with each class.
 *
 * The input is one frame, copied to a heap buffer of exactly its length
 * (ASan sees any read past it). By class:
 *   UDP: the checksum check; the headers rewritten by aegw_pkt_write_udp
 *        in front of a copy of the payload (same endpoints and tag, both
 *        checksum modes), which must parse back as UDP with the same
 *        endpoints and payload, and with a right checksum when computed;
 *        the payload grown in place with aegw_pkt_udp_set_len, which must
 *        parse back the same way; RFC 5761 demux on the payload.
 *   ARP: the reply for FUZZ_MY_IP and for the frame's own target (so that
 *        replies get made); a reply must parse as ARP. Learning.
 *   ICMP4_ECHO, ICMP6_ECHO: the reply, which must parse as OTHER (an echo
 *        reply): lengths and the IPv4 header checksum still right.
 *   ICMP6_NS: the NA for the frame's own target, in a buffer with room;
 *        it must parse as ICMP6_NA (checksum, hop limit, options) and
 *        teach (target, FUZZ_MY_MAC). Learning.
 *   ICMP6_NA: learning.
 * Every input also goes through aegw_pkt_parse_ip with every leniency, and
 * its first bytes become the target of an ARP request and a neighbour
 * solicitation, which must parse back as ARP and (unicast target) NS.
 *
 * The seeds in tests/fuzz/corpus/pkt_parse were written by this file
 * built with -DAEGW_FUZZ_SEED_GEN (a main() that takes the output
 * directory): frames of every class aegw answers, IPv4 with options, IPv6
 * behind a hop-by-hop header, and a fragment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aegw/pkt.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_MAX_FRAME = 1 << 17, FUZZ_GROW = 13 };

static const uint8_t FUZZ_MY_MAC[6] = { 0x02, 0, 0x5e, 0, 0, 0x0a };
static const uint8_t FUZZ_MY_IP[4] = { 192, 0, 2, 10 };
static const uint8_t FUZZ_MY_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 0, 0x0a };

static uint8_t *dup_exact(const uint8_t *p, size_t n, size_t room)
{
	uint8_t *b = malloc(n + room ? n + room : 1);

	FUZZ_CHECK(b);
	if (n)
		memcpy(b, p, n);
	return b;
}

/* Parses f as want's frame was parsed: as Ethernet (flags 0), or from
 * want's l3_off with the leniencies in flags; it must be UDP like want,
 * with this payload. */
static void same_udp(const uint8_t *f, uint32_t len, unsigned flags,
		     const struct aegw_pkt_info *want, const uint8_t *payload,
		     int csum)
{
	struct aegw_pkt_info pi;
	enum aegw_pkt_class c =
		flags ? aegw_pkt_parse_ip(f, len, want->l3_off, flags, &pi) :
			aegw_pkt_parse(f, len, &pi);

	FUZZ_CHECK(c == AEGW_PKT_UDP);
	FUZZ_CHECK(memcmp(&pi.src, &want->src, sizeof(pi.src)) == 0);
	FUZZ_CHECK(memcmp(&pi.dst, &want->dst, sizeof(pi.dst)) == 0);
	FUZZ_CHECK(pi.has_vlan == want->has_vlan);
	FUZZ_CHECK(pi.vlan_tci == want->vlan_tci);
	FUZZ_CHECK(pi.payload_len == want->payload_len);
	FUZZ_CHECK(memcmp(f + pi.payload_off, payload, pi.payload_len) == 0);
	if (csum)
		FUZZ_CHECK(aegw_pkt_udp_csum_ok(f, &pi));
}

/* A copy of the payload with room for new headers in front (*hl bytes),
 * and the link layer the frame had. */
static uint8_t *payload_copy(const uint8_t *f, const struct aegw_pkt_info *pi,
			     struct aegw_pkt_l2 *l2, unsigned *hl)
{
	uint8_t *out;

	*hl = aegw_pkt_udp_hdr_len(pi->family, pi->has_vlan);
	out = malloc(*hl + pi->payload_len);
	FUZZ_CHECK(out);
	*l2 = (struct aegw_pkt_l2){ .vlan_tci = pi->vlan_tci,
				    .has_vlan = pi->has_vlan };
	memcpy(l2->dst_mac, pi->dst_mac, 6);
	memcpy(l2->src_mac, pi->src_mac, 6);
	memcpy(out + *hl, f + pi->payload_off, pi->payload_len);
	return out;
}

/* Fresh headers in front of a copy of the payload. */
static void udp_rewrite(const uint8_t *f, const struct aegw_pkt_info *pi,
			int offload)
{
	struct aegw_pkt_l2 l2;
	unsigned hl;
	uint8_t *out = payload_copy(f, pi, &l2, &hl);

	aegw_pkt_write_udp(out + hl, pi->payload_len, &l2, &pi->src, &pi->dst,
			   offload);
	same_udp(out, hl + pi->payload_len, 0, pi, f + pi->payload_off,
		 !offload);
	free(out);
}

/* Relay: the same payload under fresh headers, its checksum adjusted
 * from the received one, which must then be right if that one was. */
static void udp_relay(const uint8_t *f, const struct aegw_pkt_info *pi)
{
	struct aegw_pkt_l2 l2;
	unsigned hl;
	uint8_t *out;

	if (!aegw_pkt_udp_csum_ok(f, pi))
		return;
	out = payload_copy(f, pi, &l2, &hl);
	/* Back toward the sender: other addresses, other ports. */
	aegw_pkt_write_udp_relayed(out + hl, pi, &l2, &pi->dst, &pi->src, 0);
	same_udp(out, hl + pi->payload_len, 0, &(struct aegw_pkt_info){
			 .family = pi->family, .has_vlan = pi->has_vlan,
			 .vlan_tci = pi->vlan_tci, .payload_len = pi->payload_len,
			 .src = pi->dst, .dst = pi->src },
		 f + pi->payload_off, 1);
	free(out);
}

/* What SRTP protect does: FUZZ_GROW more bytes of payload in place. */
static void udp_grow(const uint8_t *f, const struct aegw_pkt_info *pi,
		     unsigned flags)
{
	uint32_t end = pi->payload_off + (uint32_t)pi->payload_len;
	uint32_t hl = (uint32_t)(pi->l4_off - pi->l3_off) + 8;
	struct aegw_pkt_info pj = *pi;
	uint8_t *g;

	if (hl + pi->payload_len + FUZZ_GROW > 65535)
		return;
	g = dup_exact(f, end, FUZZ_GROW);
	memset(g + end, 0xa5, FUZZ_GROW);
	aegw_pkt_udp_set_len(g, &pj, (uint16_t)(pi->payload_len + FUZZ_GROW),
			     0);
	same_udp(g, end + FUZZ_GROW, flags, &pj, g + pi->payload_off, 1);
	free(g);
}

static void on_udp(const uint8_t *f, const struct aegw_pkt_info *pi)
{
	(void)aegw_pkt_udp_csum_ok(f, pi);
	(void)aegw_pkt_is_rtcp(f + pi->payload_off, pi->payload_len);
	udp_rewrite(f, pi, 0);
	udp_rewrite(f, pi, 1);
	udp_relay(f, pi);
	udp_grow(f, pi, 0);
}

static void learn(const uint8_t *f, uint32_t len,
		  const struct aegw_pkt_info *pi)
{
	struct aegw_endpoint ip;
	uint8_t mac[6];

	if (aegw_pkt_neigh_learn(f, len, pi, &ip, mac))
		FUZZ_CHECK(ip.family == 4 || ip.family == 6);
}

static void on_arp(const uint8_t *f, uint32_t len,
		   const struct aegw_pkt_info *pi)
{
	const uint8_t *mine[2] = { FUZZ_MY_IP, pi->dst.ip };
	struct aegw_pkt_info pr;

	learn(f, len, pi);
	for (int i = 0; i < 2; i++) {
		uint8_t *g = dup_exact(f, len, 0);
		uint8_t my_ip[4];

		memcpy(my_ip, mine[i], 4);
		if (aegw_pkt_arp_reply(g, len, pi, FUZZ_MY_MAC, my_ip)) {
			FUZZ_CHECK(aegw_pkt_parse(g, len, &pr) == AEGW_PKT_ARP);
			FUZZ_CHECK(memcmp(g + 6, FUZZ_MY_MAC, 6) == 0);
		}
		free(g);
	}
}

static void on_echo(const uint8_t *f, uint32_t len,
		    const struct aegw_pkt_info *pi)
{
	uint8_t *g = dup_exact(f, len, 0);
	struct aegw_pkt_info pr;
	uint32_t out = aegw_pkt_icmp_echo_reply(g, len, pi);

	if (out) {
		FUZZ_CHECK(out == len);
		FUZZ_CHECK(aegw_pkt_parse(g, out, &pr) == AEGW_PKT_OTHER);
	}
	free(g);
}

static void on_ns(const uint8_t *f, uint32_t len,
		  const struct aegw_pkt_info *pi)
{
	uint32_t size = len + 64;
	uint8_t *g = dup_exact(f, len, 64);
	struct aegw_pkt_info pr;
	struct aegw_endpoint ip;
	uint8_t target[16], mac[6];
	uint32_t out;

	learn(f, len, pi);
	memcpy(target, f + pi->l4_off + 8, 16);
	out = aegw_pkt_nd_reply(g, len, size, pi, FUZZ_MY_MAC, target);
	if (out) {
		FUZZ_CHECK(out <= size);
		FUZZ_CHECK(aegw_pkt_parse(g, out, &pr) == AEGW_PKT_ICMP6_NA);
		FUZZ_CHECK(aegw_pkt_neigh_learn(g, out, &pr, &ip, mac));
		FUZZ_CHECK(memcmp(ip.ip, target, 16) == 0);
		FUZZ_CHECK(memcmp(mac, FUZZ_MY_MAC, 6) == 0);
	}
	free(g);
}

/* aegw-srtp's view of the same bytes. */
static void lenient(const uint8_t *f, uint32_t len,
		    const struct aegw_pkt_info *pi)
{
	const unsigned all = AEGW_PKT_ALLOW_IPV4_OPTIONS |
			     AEGW_PKT_ALLOW_IPV6_EXT;
	uint32_t l3 = pi->l3_off ? pi->l3_off : AEGW_ETH_HDR_LEN;
	struct aegw_pkt_info pl;

	if (aegw_pkt_parse_ip(f, len, l3, all, &pl) == AEGW_PKT_UDP)
		udp_grow(f, &pl, all);
	(void)aegw_pkt_parse_ip(f, len, 0, all, &pl); /* as raw IP */
}

static void requests(const uint8_t *f, uint32_t len)
{
	struct aegw_pkt_l2 l2 = { .has_vlan = len & 1, .vlan_tci = 0x123 };
	uint8_t target[16] = { 0x20, 0x01, 0x0d, 0xb8 }, buf[128];
	struct aegw_pkt_info pr;
	uint32_t n;

	memcpy(l2.src_mac, FUZZ_MY_MAC, 6);
	memcpy(target, f, len < 16 ? len : 16);
	n = aegw_pkt_arp_request(buf, sizeof(buf), &l2, FUZZ_MY_IP, target);
	FUZZ_CHECK(n && aegw_pkt_parse(buf, n, &pr) == AEGW_PKT_ARP);
	n = aegw_pkt_nd_solicit(buf, sizeof(buf), &l2, FUZZ_MY_IP6, target);
	FUZZ_CHECK(n);
	if (target[0] != 0xff)
		FUZZ_CHECK(aegw_pkt_parse(buf, n, &pr) == AEGW_PKT_ICMP6_NS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aegw_pkt_info pi;
	uint32_t len;
	uint8_t *f;

	if (size > FUZZ_MAX_FRAME)
		return 0;
	len = (uint32_t)size;
	f = dup_exact(data, size, 0);
	FUZZ_CHECK(aegw_pkt_parse(f, len, &pi) == pi.cls);
	FUZZ_CHECK(aegw_pkt_class_name(pi.cls) != NULL);
	switch (pi.cls) {
	case AEGW_PKT_UDP: on_udp(f, &pi); break;
	case AEGW_PKT_ARP: on_arp(f, len, &pi); break;
	case AEGW_PKT_ICMP4_ECHO:
	case AEGW_PKT_ICMP6_ECHO: on_echo(f, len, &pi); break;
	case AEGW_PKT_ICMP6_NS: on_ns(f, len, &pi); break;
	case AEGW_PKT_ICMP6_NA: learn(f, len, &pi); break;
	}
	lenient(f, len, &pi);
	requests(f, len);
	free(f);
	return 0;
}

#ifdef AEGW_FUZZ_SEED_GEN
/* Writes the seed corpus into the directory argv[1]. */
int main(int argc, char **argv);

static const uint8_t SEED_PEER_MAC[6] = { 0x02, 0, 0x5e, 0, 0, 0x0b };
static const uint8_t SEED_PEER_IP[4] = { 198, 51, 100, 7 };
static const uint8_t SEED_PEER_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,
					   0, 0, 0, 0, 0, 0, 0, 0x0b };
static const char *seed_dir;

/* RFC 1071 byte by byte, for the frames built by hand below. */
static uint32_t seed_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		acc += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return acc;
}

static void seed_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void seed_csum(uint8_t *field, uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	seed_put16(field, ~acc & 0xffff);
}

static void seed_ip4_csum(uint8_t *ip)
{
	seed_put16(ip + 10, 0);
	seed_csum(ip + 10, seed_add(0, ip, (ip[0] & 15u) * 4));
}

static void seed_write(const char *name, const uint8_t *f, size_t n,
		       enum aegw_pkt_class want)
{
	struct aegw_pkt_info pi;
	char path[4096];
	FILE *fp;

	FUZZ_CHECK(aegw_pkt_parse(f, (uint32_t)n, &pi) == want);
	snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
	fp = fopen(path, "wb");
	FUZZ_CHECK(fp && fwrite(f, 1, n, fp) == n);
	FUZZ_CHECK(fclose(fp) == 0);
	LLVMFuzzerTestOneInput(f, n);
}

static size_t seed_udp(uint8_t *buf, int family, int vlan,
		       const uint8_t *payload, size_t n)
{
	struct aegw_pkt_l2 l2 = { .vlan_tci = 0x0123, .has_vlan = vlan };
	struct aegw_endpoint src = { .family = family, .port = 40000 };
	struct aegw_endpoint dst = { .family = family, .port = 5004 };
	unsigned hl = aegw_pkt_udp_hdr_len(family, vlan);

	memcpy(l2.dst_mac, FUZZ_MY_MAC, 6);
	memcpy(l2.src_mac, SEED_PEER_MAC, 6);
	memcpy(src.ip, family == 6 ? SEED_PEER_IP6 : SEED_PEER_IP,
	       family == 6 ? 16 : 4);
	memcpy(dst.ip, family == 6 ? FUZZ_MY_IP6 : FUZZ_MY_IP,
	       family == 6 ? 16 : 4);
	memcpy(buf + hl, payload, n);
	aegw_pkt_write_udp(buf + hl, (uint16_t)n, &l2, &src, &dst, 0);
	return hl + n;
}

static void seed_udps(void)
{
	static const uint8_t rtp[20] = { 0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0xa0,
					 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4,
					 5, 6, 7, 8 };
	static const uint8_t rtcp[28] = { 0x80, 0xc8, 0x00, 0x06, 0x11, 0x22,
					  0x33, 0x44 };
	uint8_t f[256];
	size_t n;

	n = seed_udp(f, 4, 0, rtp, sizeof(rtp));
	seed_write("udp4_rtp", f, n, AEGW_PKT_UDP);
	/* The same with IPv4 options (router alert, RFC 2113): IHL 6. */
	memmove(f + 38, f + 34, n - 34);
	memcpy(f + 34, "\x94\x04\x00\x00", 4);
	f[14] = 0x46;
	seed_put16(f + 16, (uint32_t)(n + 4 - 14));
	seed_ip4_csum(f + 14);
	seed_write("udp4_options", f, n + 4, AEGW_PKT_DROP_IP_OPTIONS);
	n = seed_udp(f, 4, 0, rtp, sizeof(rtp));
	f[14 + 6] |= 0x20; /* more fragments */
	seed_ip4_csum(f + 14);
	seed_write("udp4_fragment", f, n, AEGW_PKT_DROP_IP_FRAGMENT);
	n = seed_udp(f, 4, 1, rtcp, sizeof(rtcp));
	seed_write("udp4_vlan_rtcp", f, n, AEGW_PKT_UDP);
	n = seed_udp(f, 6, 0, rtp, sizeof(rtp));
	seed_write("udp6_rtp", f, n, AEGW_PKT_UDP);
	/* The same behind a hop-by-hop header (PadN), next header UDP. */
	memmove(f + 62, f + 54, n - 54);
	memcpy(f + 54, "\x11\x00\x01\x04\x00\x00\x00\x00", 8);
	f[14 + 6] = 0;
	seed_put16(f + 18, (uint32_t)(n + 8 - 54));
	seed_write("udp6_hopopts", f, n + 8, AEGW_PKT_DROP_IPV6_EXT_HEADER);
	n = seed_udp(f, 6, 1, rtcp, sizeof(rtcp));
	seed_write("udp6_vlan_rtcp", f, n, AEGW_PKT_UDP);
}

static void seed_neighbours(void)
{
	struct aegw_pkt_l2 l2 = { .has_vlan = 0 };
	struct aegw_pkt_info pi;
	uint8_t f[128];
	uint32_t n;

	memcpy(l2.src_mac, SEED_PEER_MAC, 6);
	n = aegw_pkt_arp_request(f, sizeof(f), &l2, SEED_PEER_IP, FUZZ_MY_IP);
	seed_write("arp_request", f, n, AEGW_PKT_ARP);
	aegw_pkt_parse(f, n, &pi);
	FUZZ_CHECK(aegw_pkt_arp_reply(f, n, &pi, FUZZ_MY_MAC, FUZZ_MY_IP) == n);
	seed_write("arp_reply", f, n, AEGW_PKT_ARP);
	n = aegw_pkt_nd_solicit(f, sizeof(f), &l2, SEED_PEER_IP6, FUZZ_MY_IP6);
	seed_write("nd_ns", f, n, AEGW_PKT_ICMP6_NS);
	aegw_pkt_parse(f, n, &pi);
	n = aegw_pkt_nd_reply(f, n, sizeof(f), &pi, FUZZ_MY_MAC, FUZZ_MY_IP6);
	seed_write("nd_na", f, n, AEGW_PKT_ICMP6_NA);
}

/* Ethernet from the peer to aegw, then an echo request of 16 data bytes
 * behind an IPv4 or IPv6 header. */
static void seed_echo(int family)
{
	uint8_t f[128] = { 0x02, 0, 0x5e, 0, 0, 0x0a,
			   0x02, 0, 0x5e, 0, 0, 0x0b };
	size_t l4 = family == 6 ? 54 : 34, n = l4 + 24;
	uint8_t *ip = f + 14, *m = f + l4;
	uint32_t acc = 0;

	for (int i = 0; i < 24; i++)
		m[i] = (uint8_t)(i < 8 ? 0 : 'a' + i);
	m[0] = family == 6 ? 128 : 8;
	m[5] = 0x42; /* identifier */
	m[7] = 1;    /* sequence number */
	if (family == 6) {
		seed_put16(f + 12, 0x86dd);
		ip[0] = 0x60;
		seed_put16(ip + 4, 24);
		ip[6] = 58;
		ip[7] = 64;
		memcpy(ip + 8, SEED_PEER_IP6, 16);
		memcpy(ip + 24, FUZZ_MY_IP6, 16);
		acc = seed_add(0, ip + 8, 32) + 24 + 58;
	} else {
		seed_put16(f + 12, 0x0800);
		memcpy(ip, "\x45\x00\x00\x2c\x00\x00\x40\x00\x40\x01", 10);
		memcpy(ip + 12, SEED_PEER_IP, 4);
		memcpy(ip + 16, FUZZ_MY_IP, 4);
		seed_ip4_csum(ip);
	}
	seed_csum(m + 2, seed_add(acc, m, 24));
	seed_write(family == 6 ? "icmp6_echo" : "icmp4_echo", f, n,
		   family == 6 ? AEGW_PKT_ICMP6_ECHO : AEGW_PKT_ICMP4_ECHO);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
		return 2;
	}
	seed_dir = argv[1];
	seed_udps();
	seed_neighbours();
	seed_echo(4);
	seed_echo(6);
	return 0;
}
#endif
