// lib/pkt: every class and drop reason from a table of hand-built frames;
// every frame cut at every length, each in a heap buffer of exactly that
// size (ASan sees a read past it); header writing checked against a naive
// RFC 1071 sum and against frames captured from Linux; the responders field
// by field; RFC 5761 demultiplexing at its boundaries.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "aegw/pkt.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

const uint8_t kMacA[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x0a }; // aegw
const uint8_t kMacB[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x0b }; // peer
const uint8_t kMacC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x0c };
const uint8_t kIp4A[4] = { 192, 0, 2, 10 };
const uint8_t kIp4B[4] = { 198, 51, 100, 7 };
const uint8_t kIp6A[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0, 0x12, 0x34 };
const uint8_t kIp6B[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,
			    0, 0, 0, 0, 0, 0, 0, 0x0b };
const uint8_t kIp6Zero[16] = {};
// ff02::1:ff00:1234, kIp6A's solicited-node address (RFC 4291 2.7.1).
const uint8_t kSnmA[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
			    0, 0, 0, 0x01, 0xff, 0x00, 0x12, 0x34 };
const uint16_t kTci = 0x2123; // PCP 1, VID 0x123

// ---- RFC 1071 the slow way: big-endian words, byte by byte ----------

uint32_t ref_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		acc += (i % 2) ? p[i] : uint32_t(p[i]) << 8;
	return acc;
}

uint16_t ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return uint16_t(acc);
}

// The pseudo-header (RFC 768, RFC 8200 8.1) as a sum.
uint32_t ref_pseudo(const uint8_t *src, const uint8_t *dst, size_t alen,
		    uint32_t l4_len, uint8_t proto)
{
	uint32_t acc = ref_add(0, src, alen);
	acc = ref_add(acc, dst, alen);
	return acc + (l4_len >> 16) + (l4_len & 0xffff) + proto;
}

uint16_t get16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }

void put16(uint8_t *p, unsigned v)
{
	p[0] = uint8_t(v >> 8);
	p[1] = uint8_t(v);
}

void push16(Bytes &b, unsigned v)
{
	b.push_back(uint8_t(v >> 8));
	b.push_back(uint8_t(v));
}

void push(Bytes &b, const uint8_t *p, size_t n) { b.insert(b.end(), p, p + n); }

// ---- frame builders ---------------------------------------------------

Bytes ether(bool vlan, uint16_t type, const uint8_t *dst = kMacA,
	    const uint8_t *src = kMacB)
{
	Bytes f;
	push(f, dst, 6);
	push(f, src, 6);
	if (vlan) {
		push16(f, 0x8100);
		push16(f, kTci);
	}
	push16(f, type);
	return f;
}

struct Ip {
	int family = 4;
	const uint8_t *src = kIp4B;
	const uint8_t *dst = kIp4A;
	uint8_t proto = 17;
	uint8_t hops = 64;
	uint16_t frag = 0x4000; // DF
	Bytes options;          // IPv4 only, a multiple of 4
	bool l4_csum = true;    // fill in the UDP/ICMP/ICMPv6 checksum
};

// Offset of the checksum in an upper-layer header, or -1.
int l4_csum_off(uint8_t proto)
{
	return proto == 17 ? 6 : (proto == 1 || proto == 58) ? 2 : -1;
}

void fix_ip4_csum(Bytes &f, size_t l3)
{
	size_t hlen = (f[l3] & 15u) * 4;
	put16(&f[l3 + 10], 0);
	put16(&f[l3 + 10], uint16_t(~ref_fold(ref_add(0, &f[l3], hlen))));
}

// Ethernet, IP and the upper-layer bytes l4, lengths and checksums right.
Bytes ip_frame(bool vlan, const Ip &ip, Bytes l4)
{
	bool v6 = ip.family == 6;
	size_t alen = v6 ? 16 : 4;
	Bytes f = ether(vlan, v6 ? 0x86dd : 0x0800);
	size_t l3 = f.size();
	int co = l4_csum_off(ip.proto);

	if (ip.l4_csum && co >= 0 && l4.size() >= size_t(co) + 2) {
		put16(&l4[co], 0);
		uint32_t acc = ip.proto == 1 ? 0 :
			ref_pseudo(ip.src, ip.dst, alen, uint32_t(l4.size()), ip.proto);
		uint16_t c = uint16_t(~ref_fold(ref_add(acc, l4.data(), l4.size())));
		put16(&l4[co], (c == 0 && ip.proto == 17) ? 0xffff : c);
	}
	if (v6) {
		push16(f, 0x6000);
		push16(f, 0);
		push16(f, unsigned(l4.size()));
		f.push_back(ip.proto);
		f.push_back(ip.hops);
		push(f, ip.src, 16);
		push(f, ip.dst, 16);
	} else {
		size_t hlen = 20 + ip.options.size();
		f.push_back(uint8_t(0x40 | hlen / 4));
		f.push_back(0);
		push16(f, unsigned(hlen + l4.size()));
		push16(f, 0x1234);
		push16(f, ip.frag);
		f.push_back(ip.hops);
		f.push_back(ip.proto);
		push16(f, 0);
		push(f, ip.src, 4);
		push(f, ip.dst, 4);
		f.insert(f.end(), ip.options.begin(), ip.options.end());
		fix_ip4_csum(f, l3);
	}
	f.insert(f.end(), l4.begin(), l4.end());
	return f;
}

Bytes udp_seg(uint16_t sport, uint16_t dport, const Bytes &payload)
{
	Bytes u;
	push16(u, sport);
	push16(u, dport);
	push16(u, unsigned(8 + payload.size()));
	push16(u, 0);
	u.insert(u.end(), payload.begin(), payload.end());
	return u;
}

Bytes icmp_echo(uint8_t type, size_t payload_len, uint8_t code = 0)
{
	Bytes m = { type, code, 0, 0, 0x12, 0x34, 0x00, 0x07 };
	for (size_t i = 0; i < payload_len; i++)
		m.push_back(uint8_t('a' + i % 26));
	return m;
}

Bytes nd_msg(uint8_t type, uint8_t flags, const uint8_t *target,
	     uint8_t opt = 0, const uint8_t *mac = nullptr)
{
	Bytes m = { type, 0, 0, 0, flags, 0, 0, 0 };
	push(m, target, 16);
	if (opt) {
		m.push_back(opt);
		m.push_back(1);
		push(m, mac, 6);
	}
	return m;
}

Ip ip6(const uint8_t *src, const uint8_t *dst, uint8_t nh, uint8_t hops = 64)
{
	Ip ip;
	ip.family = 6;
	ip.src = src;
	ip.dst = dst;
	ip.proto = nh;
	ip.hops = hops;
	return ip;
}

Bytes payload_of(size_t n, uint8_t seed = 1)
{
	Bytes p(n);
	for (size_t i = 0; i < n; i++)
		p[i] = uint8_t(seed + i * 13);
	return p;
}

Bytes udp4(bool vlan = false, size_t n = 33)
{
	return ip_frame(vlan, Ip(), udp_seg(40000, 5004, payload_of(n)));
}

Bytes udp6(bool vlan = false, size_t n = 33)
{
	return ip_frame(vlan, ip6(kIp6B, kIp6A, 17),
			udp_seg(40000, 5004, payload_of(n)));
}

const uint8_t kBroadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

Bytes arp(bool vlan, uint16_t op, const uint8_t *spa, const uint8_t *tpa,
	  bool pad = true)
{
	Bytes f = ether(vlan, 0x0806, op == 1 ? kBroadcast : kMacA, kMacB);
	push16(f, 1);
	push16(f, 0x0800);
	f.push_back(6);
	f.push_back(4);
	push16(f, op);
	push(f, kMacB, 6);
	push(f, spa, 4);
	uint8_t tha[6] = {};
	push(f, op == 1 ? tha : kMacA, 6);
	push(f, tpa, 4);
	if (pad)
		f.resize(std::max<size_t>(f.size(), 60), 0);
	return f;
}

Bytes echo4(bool vlan = false, size_t n = 37)
{
	Ip ip;
	ip.proto = 1;
	return ip_frame(vlan, ip, icmp_echo(8, n));
}

Bytes echo6(bool vlan = false, size_t n = 37)
{
	return ip_frame(vlan, ip6(kIp6B, kIp6A, 58), icmp_echo(128, n));
}

Bytes ns(bool vlan = false, bool sllao = true)
{
	return ip_frame(vlan, ip6(kIp6B, kSnmA, 58, 255),
			nd_msg(135, 0, kIp6A, sllao ? 1 : 0, kMacC));
}

Bytes na(bool vlan = false)
{
	return ip_frame(vlan, ip6(kIp6B, kIp6A, 58, 255),
			nd_msg(136, 0x60, kIp6B, 2, kMacC));
}

// Parses from a heap copy of exactly the frame's size.
aegw_pkt_class parse(const Bytes &f, aegw_pkt_info *pi, size_t len = SIZE_MAX)
{
	len = std::min(len, f.size());
	std::unique_ptr<uint8_t[]> buf(new uint8_t[len]);
	std::copy(f.begin(), f.begin() + len, buf.get());
	aegw_pkt_class c = aegw_pkt_parse(buf.get(), uint32_t(len), pi);
	EXPECT_EQ(pi->cls, c);
	return c;
}

aegw_pkt_class parse(const Bytes &f)
{
	aegw_pkt_info pi;
	return parse(f, &pi);
}

std::string name(aegw_pkt_class c) { return aegw_pkt_class_name(c); }

// ---- classification: one row per class and drop reason --------------

struct Row {
	const char *what;
	Bytes frame;
	aegw_pkt_class want;
};

Bytes head(const Bytes &f, size_t n)
{
	return Bytes(f.begin(), f.begin() + n);
}

Bytes with(Bytes f, size_t off, uint8_t v)
{
	f.at(off) = v;
	return f;
}

// IPv4 UDP (no VLAN) with the IPv4 header edited, checksum redone.
Bytes udp4_edit(size_t off, uint8_t v)
{
	Bytes f = with(udp4(), 14 + off, v);
	fix_ip4_csum(f, 14);
	return f;
}

Bytes ip4_proto(uint8_t proto, uint16_t frag = 0x4000)
{
	Ip ip;
	ip.proto = proto;
	ip.frag = frag;
	return ip_frame(false, ip, payload_of(20));
}

Bytes ip6_nh(uint8_t nh)
{
	return ip_frame(false, ip6(kIp6B, kIp6A, nh), payload_of(24));
}

std::vector<Row> classification_rows()
{
	std::vector<Row> r;
	Ip ip;

	r.push_back({ "udp4", udp4(), AEGW_PKT_UDP });
	r.push_back({ "udp4 vlan", udp4(true), AEGW_PKT_UDP });
	r.push_back({ "udp6", udp6(), AEGW_PKT_UDP });
	r.push_back({ "udp6 vlan", udp6(true), AEGW_PKT_UDP });
	r.push_back({ "udp4 empty payload", udp4(false, 0), AEGW_PKT_UDP });
	r.push_back({ "arp request", arp(false, 1, kIp4B, kIp4A), AEGW_PKT_ARP });
	r.push_back({ "arp reply vlan", arp(true, 2, kIp4B, kIp4A), AEGW_PKT_ARP });
	r.push_back({ "arp unpadded", arp(false, 1, kIp4B, kIp4A, false), AEGW_PKT_ARP });
	r.push_back({ "arp htype 6", with(arp(false, 1, kIp4B, kIp4A), 15, 6), AEGW_PKT_OTHER });
	r.push_back({ "arp ptype ipv6", with(arp(false, 1, kIp4B, kIp4A), 16, 0x86), AEGW_PKT_OTHER });
	r.push_back({ "arp hlen 8", with(arp(false, 1, kIp4B, kIp4A), 18, 8), AEGW_PKT_OTHER });
	r.push_back({ "arp plen 16", with(arp(false, 1, kIp4B, kIp4A), 19, 16), AEGW_PKT_OTHER });
	r.push_back({ "arp op 3 (rarp)", with(arp(false, 1, kIp4B, kIp4A), 21, 3), AEGW_PKT_OTHER });
	r.push_back({ "icmp echo", echo4(), AEGW_PKT_ICMP4_ECHO });
	r.push_back({ "icmp echo vlan", echo4(true), AEGW_PKT_ICMP4_ECHO });
	r.push_back({ "icmp echo, no data", echo4(false, 0), AEGW_PKT_ICMP4_ECHO });
	ip.proto = 1;
	r.push_back({ "icmp echo code 1", ip_frame(false, ip, icmp_echo(8, 4, 1)), AEGW_PKT_OTHER });
	r.push_back({ "icmp echo reply", ip_frame(false, ip, icmp_echo(0, 4)), AEGW_PKT_OTHER });
	r.push_back({ "icmp echo bad sum", with(echo4(), 14 + 20 + 9, 'z'), AEGW_PKT_OTHER });
	r.push_back({ "icmpv6 echo", echo6(), AEGW_PKT_ICMP6_ECHO });
	r.push_back({ "icmpv6 echo odd length", echo6(false, 3), AEGW_PKT_ICMP6_ECHO });
	r.push_back({ "icmpv6 echo bad sum", with(echo6(), 14 + 40 + 9, 'z'), AEGW_PKT_OTHER });
	r.push_back({ "icmpv6 echo reply", ip_frame(false, ip6(kIp6B, kIp6A, 58), icmp_echo(129, 4)), AEGW_PKT_OTHER });
	r.push_back({ "icmpv6 mld report", ip_frame(false, ip6(kIp6B, kIp6A, 58, 1), icmp_echo(143, 20)), AEGW_PKT_OTHER });
	r.push_back({ "ns", ns(), AEGW_PKT_ICMP6_NS });
	r.push_back({ "ns vlan, no sllao", ns(true, false), AEGW_PKT_ICMP6_NS });
	r.push_back({ "ns dad", ip_frame(false, ip6(kIp6Zero, kSnmA, 58, 255), nd_msg(135, 0, kIp6A)), AEGW_PKT_ICMP6_NS });
	r.push_back({ "ns dad with sllao", ip_frame(false, ip6(kIp6Zero, kSnmA, 58, 255), nd_msg(135, 0, kIp6A, 1, kMacB)), AEGW_PKT_OTHER });
	r.push_back({ "ns dad to unicast", ip_frame(false, ip6(kIp6Zero, kIp6A, 58, 255), nd_msg(135, 0, kIp6A)), AEGW_PKT_OTHER });
	r.push_back({ "ns hop limit 64", ip_frame(false, ip6(kIp6B, kSnmA, 58, 64), nd_msg(135, 0, kIp6A, 1, kMacB)), AEGW_PKT_OTHER });
	Bytes m = nd_msg(135, 0, kIp6A, 1, kMacB);
	m[1] = 1;
	r.push_back({ "ns code 1", ip_frame(false, ip6(kIp6B, kSnmA, 58, 255), m), AEGW_PKT_OTHER });
	m = nd_msg(135, 0, kIp6A, 1, kMacB);
	m[25] = 0;
	r.push_back({ "ns option length 0", ip_frame(false, ip6(kIp6B, kSnmA, 58, 255), m), AEGW_PKT_OTHER });
	m = nd_msg(135, 0, kIp6A, 1, kMacB);
	m[25] = 2;
	r.push_back({ "ns option past the end", ip_frame(false, ip6(kIp6B, kSnmA, 58, 255), m), AEGW_PKT_OTHER });
	m.resize(20);
	r.push_back({ "ns of 20 bytes", ip_frame(false, ip6(kIp6B, kSnmA, 58, 255), m), AEGW_PKT_OTHER });
	r.push_back({ "ns multicast target", ip_frame(false, ip6(kIp6B, kSnmA, 58, 255), nd_msg(135, 0, kSnmA)), AEGW_PKT_OTHER });
	r.push_back({ "na", na(), AEGW_PKT_ICMP6_NA });
	r.push_back({ "na solicited to multicast", ip_frame(false, ip6(kIp6B, kSnmA, 58, 255), nd_msg(136, 0x40, kIp6B, 2, kMacB)), AEGW_PKT_OTHER });
	r.push_back({ "na unsolicited to multicast", ip_frame(false, ip6(kIp6B, kSnmA, 58, 255), nd_msg(136, 0x20, kIp6B, 2, kMacB)), AEGW_PKT_ICMP6_NA });
	r.push_back({ "tcp over ipv4", ip4_proto(6), AEGW_PKT_DROP_NOT_UDP });
	r.push_back({ "tcp over ipv6", ip6_nh(6), AEGW_PKT_DROP_NOT_UDP });
	r.push_back({ "ipv6 no next header", ip6_nh(59), AEGW_PKT_DROP_NOT_UDP });
	r.push_back({ "tcp fragment", ip4_proto(6, 0x2000), AEGW_PKT_DROP_NOT_UDP });

	r.push_back({ "empty frame", Bytes(), AEGW_PKT_DROP_TRUNCATED });
	r.push_back({ "13 bytes", head(udp4(), 13), AEGW_PKT_DROP_TRUNCATED });
	r.push_back({ "vlan tag cut", head(udp4(true), 17), AEGW_PKT_DROP_TRUNCATED });
	r.push_back({ "ipv4 header cut", head(udp4(), 33), AEGW_PKT_DROP_TRUNCATED });
	r.push_back({ "ipv6 header cut", head(udp6(), 53), AEGW_PKT_DROP_TRUNCATED });
	r.push_back({ "arp cut at 41", head(arp(false, 1, kIp4B, kIp4A), 41), AEGW_PKT_DROP_TRUNCATED });
	r.push_back({ "udp header past the ip length", ip_frame(false, Ip(), payload_of(7)), AEGW_PKT_DROP_TRUNCATED });
	ip.proto = 1;
	r.push_back({ "icmp of 7 bytes", ip_frame(false, ip, payload_of(7)), AEGW_PKT_DROP_TRUNCATED });
	r.push_back({ "icmpv6 of 4 bytes", ip_frame(false, ip6(kIp6B, kIp6A, 58), Bytes{ 128, 0, 0, 0 }), AEGW_PKT_DROP_TRUNCATED });

	r.push_back({ "lldp", ether(false, 0x88cc), AEGW_PKT_DROP_NOT_IP });
	Bytes qinq = ether(false, 0x88a8);
	push16(qinq, 0x0064);
	push16(qinq, 0x8100);
	push16(qinq, 0x0123);
	push16(qinq, 0x0800);
	r.push_back({ "802.1ad s-tag", qinq, AEGW_PKT_DROP_NOT_IP });
	Bytes two = udp4(true);
	two.insert(two.begin() + 16, { 0x81, 0x00, 0x01, 0x23 });
	r.push_back({ "two 802.1q tags", two, AEGW_PKT_DROP_NOT_IP });

	r.push_back({ "ipv4 version 5", udp4_edit(0, 0x55), AEGW_PKT_DROP_BAD_IP_HEADER });
	r.push_back({ "ipv4 ihl 4", udp4_edit(0, 0x44), AEGW_PKT_DROP_BAD_IP_HEADER });
	Bytes f = udp4();
	put16(&f[16], unsigned(f.size() - 14 + 1));
	fix_ip4_csum(f, 14);
	r.push_back({ "ipv4 total past the frame", f, AEGW_PKT_DROP_BAD_IP_HEADER });
	f = udp4();
	put16(&f[16], 19);
	fix_ip4_csum(f, 14);
	r.push_back({ "ipv4 total below ihl", f, AEGW_PKT_DROP_BAD_IP_HEADER });
	r.push_back({ "ipv4 header checksum", with(udp4(), 14 + 8, 63), AEGW_PKT_DROP_BAD_IP_HEADER });
	r.push_back({ "ipv6 version 4", with(udp6(), 14, 0x40), AEGW_PKT_DROP_BAD_IP_HEADER });
	f = udp6();
	put16(&f[18], unsigned(f.size() - 54 + 1));
	r.push_back({ "ipv6 payload past the frame", f, AEGW_PKT_DROP_BAD_IP_HEADER });

	r.push_back({ "udp more fragments", udp4_edit(6, 0x20), AEGW_PKT_DROP_IP_FRAGMENT });
	f = udp4();
	put16(&f[20], 0x0001);
	fix_ip4_csum(f, 14);
	r.push_back({ "udp fragment offset 8", f, AEGW_PKT_DROP_IP_FRAGMENT });
	r.push_back({ "icmp fragment", ip4_proto(1, 0x2000), AEGW_PKT_DROP_IP_FRAGMENT });

	ip = Ip();
	ip.options = { 1, 1, 1, 0 }; // NOP NOP NOP EOL
	r.push_back({ "ipv4 options", ip_frame(false, ip, udp_seg(1, 2, payload_of(9))), AEGW_PKT_DROP_IP_OPTIONS });

	for (uint8_t nh : { 0, 43, 44, 60, 51, 50, 135, 139, 140, 253, 254 })
		r.push_back({ "ipv6 extension header", ip6_nh(nh), AEGW_PKT_DROP_IPV6_EXT_HEADER });

	f = udp4();
	put16(&f[38], 7);
	r.push_back({ "udp length 7", f, AEGW_PKT_DROP_BAD_UDP });
	f = udp6();
	put16(&f[58], unsigned(f.size() - 54 + 1));
	r.push_back({ "udp length past the ip payload", f, AEGW_PKT_DROP_BAD_UDP });
	return r;
}

TEST(PktParse, EveryClassAndDropReason)
{
	std::set<int> seen;

	for (const Row &row : classification_rows()) {
		aegw_pkt_info pi;
		EXPECT_EQ(name(parse(row.frame, &pi)), name(row.want)) << row.what;
		seen.insert(row.want);
	}
	for (int c = 0; c < AEGW_PKT_CLASS_COUNT; c++)
		EXPECT_TRUE(seen.count(c)) << "no row for " << name(aegw_pkt_class(c));
}

TEST(PktParse, ClassNames)
{
	std::set<std::string> names;

	for (int c = 0; c < AEGW_PKT_CLASS_COUNT; c++)
		names.insert(name(aegw_pkt_class(c)));
	EXPECT_EQ(names.size(), size_t(AEGW_PKT_CLASS_COUNT));
	EXPECT_EQ(name(AEGW_PKT_UDP), "UDP");
	EXPECT_EQ(name(AEGW_PKT_DROP_BAD_UDP), "DROP_BAD_UDP");
	EXPECT_EQ(name(aegw_pkt_class(AEGW_PKT_CLASS_COUNT)), "UNKNOWN");
}

// ---- truncation --------------------------------------------------------

struct Cut {
	const char *what;
	Bytes frame;
	aegw_pkt_class whole;
	size_t l3;    // network header offset
	size_t hdr;   // network header length (ARP: 28)
	size_t end;   // end of the IP datagram (ARP: l3 + 28)
	bool is_arp;
};

// What a frame cut to len bytes must be: a header that does not fit is
// truncated; an IP datagram that does not fit has a length beyond the
// frame; Ethernet padding may go.
aegw_pkt_class cut_class(const Cut &c, size_t len)
{
	if (len < c.l3 || (c.is_arp && len < c.l3 + 8))
		return AEGW_PKT_DROP_TRUNCATED;
	if (len < c.l3 + c.hdr)
		return AEGW_PKT_DROP_TRUNCATED;
	if (len < c.end)
		return AEGW_PKT_DROP_BAD_IP_HEADER;
	return c.whole;
}

TEST(PktParse, EveryCutOfEveryFrame)
{
	std::vector<Cut> cuts;

	for (bool vlan : { false, true }) {
		size_t l3 = vlan ? 18 : 14;
		Bytes u4 = udp4(vlan, 5); // short: padded to 60 below
		size_t u4_end = u4.size();
		u4.resize(64, 0xee);
		cuts.push_back({ "udp4 padded", u4, AEGW_PKT_UDP, l3, 20, u4_end, false });
		cuts.push_back({ "udp6", udp6(vlan), AEGW_PKT_UDP, l3, 40, udp6(vlan).size(), false });
		cuts.push_back({ "arp", arp(vlan, 1, kIp4B, kIp4A), AEGW_PKT_ARP, l3, 28, l3 + 28, true });
		cuts.push_back({ "echo4", echo4(vlan), AEGW_PKT_ICMP4_ECHO, l3, 20, echo4(vlan).size(), false });
		cuts.push_back({ "echo6", echo6(vlan), AEGW_PKT_ICMP6_ECHO, l3, 40, echo6(vlan).size(), false });
		cuts.push_back({ "ns", ns(vlan), AEGW_PKT_ICMP6_NS, l3, 40, ns(vlan).size(), false });
		cuts.push_back({ "na", na(vlan), AEGW_PKT_ICMP6_NA, l3, 40, na(vlan).size(), false });
	}
	for (const Cut &c : cuts) {
		for (size_t len = 0; len <= c.frame.size(); len++) {
			aegw_pkt_info pi;
			EXPECT_EQ(name(parse(c.frame, &pi, len)), name(cut_class(c, len)))
				<< c.what << " cut to " << len;
		}
	}
}

// ---- where things are -------------------------------------------------

TEST(PktParse, OffsetsEndpointsAndVlan)
{
	for (bool vlan : { false, true }) {
		size_t l3 = vlan ? 18 : 14;
		aegw_pkt_info pi;

		ASSERT_EQ(parse(udp4(vlan, 33), &pi), AEGW_PKT_UDP);
		EXPECT_EQ(pi.has_vlan, vlan);
		EXPECT_EQ(pi.vlan_tci, vlan ? kTci : 0);
		EXPECT_EQ(pi.l3_off, l3);
		EXPECT_EQ(pi.l4_off, l3 + 20);
		EXPECT_EQ(pi.payload_off, l3 + 28);
		EXPECT_EQ(pi.payload_len, 33);
		EXPECT_EQ(pi.family, 4);
		EXPECT_EQ(0, std::memcmp(pi.dst_mac, kMacA, 6));
		EXPECT_EQ(0, std::memcmp(pi.src_mac, kMacB, 6));
		EXPECT_EQ(pi.src.family, 4);
		EXPECT_EQ(pi.src.port, 40000);
		EXPECT_EQ(pi.dst.port, 5004);
		EXPECT_EQ(0, std::memcmp(pi.src.ip, kIp4B, 4));
		EXPECT_EQ(0, std::memcmp(pi.dst.ip, kIp4A, 4));
		EXPECT_EQ(0, std::memcmp(pi.dst.ip + 4, kIp6Zero, 12)); // zeroed
		Bytes f = udp4(vlan, 33);
		EXPECT_EQ(pi.udp_csum, get16(&f[l3 + 26]));

		ASSERT_EQ(parse(udp6(vlan, 1201), &pi), AEGW_PKT_UDP);
		EXPECT_EQ(pi.has_vlan, vlan);
		EXPECT_EQ(pi.l4_off, l3 + 40);
		EXPECT_EQ(pi.payload_off, l3 + 48);
		EXPECT_EQ(pi.payload_len, 1201);
		EXPECT_EQ(pi.src.family, 6);
		EXPECT_EQ(0, std::memcmp(pi.src.ip, kIp6B, 16));
		EXPECT_EQ(0, std::memcmp(pi.dst.ip, kIp6A, 16));

		ASSERT_EQ(parse(echo6(vlan, 11), &pi), AEGW_PKT_ICMP6_ECHO);
		EXPECT_EQ(pi.payload_off, l3 + 40);
		EXPECT_EQ(pi.payload_len, 8 + 11);
		ASSERT_EQ(parse(arp(vlan, 1, kIp4B, kIp4A), &pi), AEGW_PKT_ARP);
		EXPECT_EQ(0, std::memcmp(pi.src.ip, kIp4B, 4));
		EXPECT_EQ(0, std::memcmp(pi.dst.ip, kIp4A, 4));
	}
}

TEST(PktParse, UdpLengthDecidesThePayload)
{
	aegw_pkt_info pi;
	Bytes f = udp4(false, 10);

	f.resize(60, 0); // Ethernet padding after the datagram
	ASSERT_EQ(parse(f, &pi), AEGW_PKT_UDP);
	EXPECT_EQ(pi.payload_len, 10);
	// A UDP length shorter than the IP payload leaves bytes over.
	f = udp4(false, 10);
	put16(&f[38], 8 + 6);
	ASSERT_EQ(parse(f, &pi), AEGW_PKT_UDP);
	EXPECT_EQ(pi.payload_len, 6);
}

TEST(PktParse, DropsSayHowFarParsingGot)
{
	aegw_pkt_info pi;
	Ip ip;

	ip.options = { 1, 1, 1, 0 };
	ASSERT_EQ(parse(ip_frame(true, ip, udp_seg(1, 2, payload_of(9))), &pi),
		  AEGW_PKT_DROP_IP_OPTIONS);
	EXPECT_EQ(pi.l3_off, 18);
	EXPECT_EQ(pi.family, 4);
	EXPECT_TRUE(pi.has_vlan);
	ASSERT_EQ(parse(ip6_nh(0), &pi), AEGW_PKT_DROP_IPV6_EXT_HEADER);
	EXPECT_EQ(pi.l3_off, 14);
	EXPECT_EQ(pi.family, 6);
}

// ---- aegw_pkt_parse_ip and its leniencies (aegw-srtp) -----------------

aegw_pkt_class parse_ip(const Bytes &f, size_t l3, unsigned flags,
			aegw_pkt_info *pi)
{
	std::unique_ptr<uint8_t[]> buf(new uint8_t[f.size()]);
	std::memcpy(buf.get(), f.data(), f.size());
	return aegw_pkt_parse_ip(buf.get(), uint32_t(f.size()), uint32_t(l3),
				 flags, pi);
}

// An IPv6 UDP frame behind the given extension headers (8 bytes each,
// PadN inside), the last one's next header `last`.
Bytes udp6_behind(const std::vector<uint8_t> &exts, uint8_t last = 17)
{
	Bytes f = ip_frame(false, ip6(kIp6B, kIp6A, 17),
			   udp_seg(40000, 5004, payload_of(21)));
	Bytes chain;

	for (size_t i = 0; i < exts.size(); i++) {
		uint8_t next = i + 1 < exts.size() ? exts[i + 1] : last;
		Bytes h = { next, 0, 1, 4, 0, 0, 0, 0 };
		chain.insert(chain.end(), h.begin(), h.end());
	}
	f.insert(f.begin() + 54, chain.begin(), chain.end());
	f[14 + 6] = exts.empty() ? last : exts[0];
	put16(&f[18], unsigned(f.size() - 54));
	return f;
}

TEST(PktParseIp, RawAndCookedLinkLayers)
{
	aegw_pkt_info pi;
	Bytes f = udp4();
	Bytes raw(f.begin() + 14, f.end());

	ASSERT_EQ(parse_ip(raw, 0, 0, &pi), AEGW_PKT_UDP);
	EXPECT_EQ(pi.l3_off, 0);
	EXPECT_EQ(pi.payload_off, 28);
	EXPECT_EQ(pi.payload_len, 33);
	EXPECT_FALSE(pi.has_vlan);
	Bytes sll(16, 0); // a Linux cooked header's length
	f = udp6();
	sll.insert(sll.end(), f.begin() + 14, f.end());
	ASSERT_EQ(parse_ip(sll, 16, 0, &pi), AEGW_PKT_UDP);
	EXPECT_EQ(pi.payload_off, 16 + 48);
	EXPECT_EQ(parse_ip(Bytes{ 0x50, 0 }, 0, 0, &pi), AEGW_PKT_DROP_NOT_IP);
	EXPECT_EQ(parse_ip(Bytes(16, 0), 16, 0, &pi), AEGW_PKT_DROP_TRUNCATED);
	EXPECT_EQ(parse_ip(Bytes(300, 0x45), 257, 0, &pi), AEGW_PKT_DROP_NOT_IP);
}

TEST(PktParseIp, Ipv4OptionsWhenAllowed)
{
	aegw_pkt_info pi;
	Ip ip;

	ip.options = { 0x94, 0x04, 0, 0 }; // router alert (RFC 2113)
	Bytes f = ip_frame(false, ip, udp_seg(1, 2, payload_of(9)));
	EXPECT_EQ(parse_ip(f, 14, 0, &pi), AEGW_PKT_DROP_IP_OPTIONS);
	ASSERT_EQ(parse_ip(f, 14, AEGW_PKT_ALLOW_IPV4_OPTIONS, &pi), AEGW_PKT_UDP);
	EXPECT_EQ(pi.l4_off, 14 + 24);
	EXPECT_EQ(pi.payload_len, 9);
	EXPECT_TRUE(aegw_pkt_udp_csum_ok(f.data(), &pi));
	f[14 + 21] ^= 1; // an option byte: the header checksum sees it
	EXPECT_EQ(parse_ip(f, 14, AEGW_PKT_ALLOW_IPV4_OPTIONS, &pi),
		  AEGW_PKT_DROP_BAD_IP_HEADER);
}

TEST(PktParseIp, Ipv6ExtensionHeadersWhenAllowed)
{
	const unsigned allow = AEGW_PKT_ALLOW_IPV6_EXT;
	aegw_pkt_info pi;

	Bytes f = udp6_behind({ 0, 60 });
	EXPECT_EQ(parse_ip(f, 14, 0, &pi), AEGW_PKT_DROP_IPV6_EXT_HEADER);
	ASSERT_EQ(parse_ip(f, 14, allow, &pi), AEGW_PKT_UDP);
	EXPECT_EQ(pi.l4_off, 14 + 40 + 16);
	EXPECT_EQ(pi.payload_len, 21);
	EXPECT_TRUE(aegw_pkt_udp_csum_ok(f.data(), &pi));
	EXPECT_EQ(parse_ip(udp6_behind({ 0, 44 }), 14, allow, &pi),
		  AEGW_PKT_DROP_IP_FRAGMENT);
	EXPECT_EQ(parse_ip(udp6_behind({ 44 }, 6), 14, allow, &pi),
		  AEGW_PKT_DROP_NOT_UDP);
	EXPECT_EQ(parse_ip(udp6_behind({ 51 }), 14, allow, &pi),
		  AEGW_PKT_DROP_IPV6_EXT_HEADER);
	EXPECT_EQ(parse_ip(udp6_behind({ 0, 0, 0, 0, 0, 0, 0, 0, 0 }), 14,
			   allow, &pi),
		  AEGW_PKT_DROP_IPV6_EXT_HEADER); // more than 8
	f = udp6_behind({ 43 });
	f[14 + 41] = 200; // the routing header's length runs past the end
	EXPECT_EQ(parse_ip(f, 14, allow, &pi), AEGW_PKT_DROP_BAD_IP_HEADER);
}

// ---- checksums ---------------------------------------------------------

struct Written {
	Bytes buf;
	size_t start; // frame start in buf
	size_t len;
	const uint8_t *frame() const { return buf.data() + start; }
	Bytes bytes() const { return Bytes(buf.begin() + start, buf.begin() + start + len); }
};

aegw_endpoint ep(int family, const uint8_t *ip, uint16_t port)
{
	aegw_endpoint e = {};
	e.family = uint8_t(family);
	e.port = port;
	std::memcpy(e.ip, ip, family == 6 ? 16 : 4);
	return e;
}

aegw_pkt_l2 l2_of(bool vlan, const uint8_t *dst = kMacB, const uint8_t *src = kMacA)
{
	aegw_pkt_l2 l2 = {};
	std::memcpy(l2.dst_mac, dst, 6);
	std::memcpy(l2.src_mac, src, 6);
	l2.has_vlan = vlan;
	l2.vlan_tci = kTci;
	return l2;
}

// The payload at offset `head` of a buffer, headers written before it.
Written write(const Bytes &payload, const aegw_endpoint &src,
	      const aegw_endpoint &dst, bool vlan, int offload,
	      size_t head = 128, const aegw_pkt_l2 *l2p = nullptr)
{
	Written w;
	aegw_pkt_l2 l2 = l2p ? *l2p : l2_of(vlan);
	unsigned hl = aegw_pkt_udp_hdr_len(src.family, vlan);

	w.buf.assign(head + payload.size() + 16, 0xcc);
	std::copy(payload.begin(), payload.end(), w.buf.begin() + head);
	aegw_pkt_write_udp(&w.buf[head], uint16_t(payload.size()), &l2, &src,
			   &dst, offload);
	w.start = head - hl;
	w.len = hl + payload.size();
	return w;
}

TEST(PktWrite, HeaderLengths)
{
	EXPECT_EQ(aegw_pkt_udp_hdr_len(4, 0), 42u);
	EXPECT_EQ(aegw_pkt_udp_hdr_len(4, 1), 46u);
	EXPECT_EQ(aegw_pkt_udp_hdr_len(6, 0), 62u);
	EXPECT_EQ(aegw_pkt_udp_hdr_len(6, 1), unsigned(AEGW_PKT_MAX_HDR));
}

// Our 64-bit-word sum against RFC 1071 byte by byte, for lengths around
// every word boundary and at odd alignments, both families, with and
// without a tag, full checksum and offload.
TEST(PktWrite, ChecksumsAgreeWithRfc1071)
{
	std::mt19937 rng(5761);
	std::vector<size_t> lens;
	for (size_t n = 0; n <= 72; n++)
		lens.push_back(n);
	for (size_t n : { 159, 160, 161, 1199, 1200, 1201, 1471 })
		lens.push_back(n);

	for (int family : { 4, 6 }) {
		aegw_endpoint src = ep(family, family == 6 ? kIp6A : kIp4A, 5004);
		aegw_endpoint dst = ep(family, family == 6 ? kIp6B : kIp4B, 40000);
		size_t alen = family == 6 ? 16 : 4;
		for (size_t n : lens) {
			Bytes p(n);
			for (auto &b : p)
				b = uint8_t(rng());
			for (int offload : { 0, 1 }) {
				bool vlan = n % 3 == 0;
				Written w = write(p, src, dst, vlan, offload, 128 + n % 8);
				size_t l3 = vlan ? 18 : 14, l4 = l3 + (family == 6 ? 40 : 20);
				const uint8_t *f = w.frame();
				Bytes udp(f + l4, f + w.len);
				uint16_t got = get16(&udp[6]);
				uint32_t ph = ref_pseudo(src.ip, dst.ip, alen, uint32_t(udp.size()), 17);

				udp[6] = udp[7] = 0;
				uint16_t want = uint16_t(~ref_fold(ref_add(ph, udp.data(), udp.size())));
				if (offload)
					want = ref_fold(ph);
				else if (want == 0)
					want = 0xffff;
				EXPECT_EQ(got, want) << "family " << family << " len " << n
						     << " offload " << offload;
				if (family == 4) {
					EXPECT_EQ(ref_fold(ref_add(0, f + l3, 20)), 0xffff);
				}

				aegw_pkt_info pi;
				ASSERT_EQ(parse(w.bytes(), &pi), AEGW_PKT_UDP) << n;
				EXPECT_EQ(pi.payload_off, l4 + 8);
				EXPECT_EQ(pi.payload_len, n);
				EXPECT_EQ(Bytes(f + pi.payload_off, f + pi.payload_off + n), p);
				if (!offload) {
					EXPECT_TRUE(aegw_pkt_udp_csum_ok(f, &pi)) << n;
				}
			}
		}
	}
}

// A relayed datagram's checksum, adjusted from the received one for the
// new headers (RFC 1624), against RFC 1071 over the whole new datagram:
// every length around word boundaries, both families on either side, and
// a received IPv4 datagram with no checksum (computed in full then).
TEST(PktWrite, RelayedChecksumEqualsAFullOne)
{
	std::mt19937 rng(1624);
	const uint8_t k4[4] = { 10, 0, 0, 1 }, k6[16] = { 0xfd, 0, 0, 0xc,
							  0, 0, 0, 0, 0, 0, 0,
							  0, 0, 0, 0, 1 };
	for (size_t n = 0; n <= 200; n += (n < 40 ? 1 : 37)) {
		for (int in_fam : { 4, 6 }) {
			for (int out_fam : { 4, 6 }) {
				for (bool zero : { false, true }) {
					if (zero && in_fam == 6)
						continue;
					SCOPED_TRACE(testing::Message() << "len " << n << " " << in_fam << "->" << out_fam << (zero ? " no csum" : ""));
					Bytes p(n);
					for (auto &b : p)
						b = uint8_t(rng());
					aegw_endpoint a = ep(in_fam, in_fam == 6 ? kIp6A : kIp4A, uint16_t(rng()));
					aegw_endpoint b = ep(in_fam, in_fam == 6 ? kIp6B : kIp4B, uint16_t(rng()));
					Written w = write(p, a, b, false, 0);
					aegw_pkt_info pi;
					ASSERT_EQ(parse(w.bytes(), &pi), AEGW_PKT_UDP);
					if (zero) {
						w.buf[w.start + pi.l4_off + 6] = 0;
						w.buf[w.start + pi.l4_off + 7] = 0;
						ASSERT_EQ(parse(w.bytes(), &pi), AEGW_PKT_UDP);
						ASSERT_EQ(pi.udp_csum, 0);
					}
					aegw_endpoint c = ep(out_fam, out_fam == 6 ? k6 : k4, uint16_t(rng()));
					aegw_endpoint d = ep(out_fam, out_fam == 6 ? kIp6B : kIp4B, uint16_t(rng()));
					aegw_pkt_l2 l2 = l2_of(false);
					// Room in front for the larger header.
					Bytes out(128 + n, 0xcc);
					std::copy(p.begin(), p.end(), out.begin() + 128);
					aegw_pkt_write_udp_relayed(&out[128], &pi, &l2, &c, &d, 0);
					unsigned hl = aegw_pkt_udp_hdr_len(out_fam, 0);
					Bytes f(out.begin() + 128 - hl, out.end());
					aegw_pkt_info po;
					ASSERT_EQ(parse(f, &po), AEGW_PKT_UDP);
					EXPECT_TRUE(aegw_pkt_udp_csum_ok(f.data(), &po));
					Bytes udp(f.begin() + po.l4_off, f.end());
					uint16_t got = get16(&udp[6]);
					udp[6] = udp[7] = 0;
					uint32_t ph = ref_pseudo(c.ip, d.ip, out_fam == 6 ? 16 : 4,
								 uint32_t(udp.size()), 17);
					uint16_t want = uint16_t(~ref_fold(ref_add(ph, udp.data(), udp.size())));
					if (want == 0)
						want = 0xffff;
					EXPECT_EQ(got, want);
				}
			}
		}
	}
}

TEST(PktWrite, FrameParsesBackToItsEndpoints)
{
	for (int family : { 4, 6 }) {
		for (bool vlan : { false, true }) {
			aegw_endpoint src = ep(family, family == 6 ? kIp6A : kIp4A, 5004);
			aegw_endpoint dst = ep(family, family == 6 ? kIp6B : kIp4B, 40000);
			Bytes p = payload_of(172);
			Written w = write(p, src, dst, vlan, 0);
			aegw_pkt_info pi;

			ASSERT_EQ(parse(w.bytes(), &pi), AEGW_PKT_UDP);
			EXPECT_EQ(0, std::memcmp(&pi.src, &src, sizeof(src)));
			EXPECT_EQ(0, std::memcmp(&pi.dst, &dst, sizeof(dst)));
			EXPECT_EQ(pi.has_vlan, vlan);
			EXPECT_EQ(pi.vlan_tci, vlan ? kTci : 0);
			EXPECT_EQ(0, std::memcmp(pi.dst_mac, kMacB, 6));
			EXPECT_EQ(0, std::memcmp(pi.src_mac, kMacA, 6));
			EXPECT_EQ(pi.payload_len, p.size());
			const uint8_t *ip = w.frame() + pi.l3_off;
			if (family == 4) {
				// DF, id 0, TTL 64 as the contract says.
				EXPECT_EQ(get16(ip + 4), 0);
				EXPECT_EQ(get16(ip + 6), 0x4000);
				EXPECT_EQ(ip[8], 64);
			} else {
				EXPECT_EQ(ip[7], 64);
			}
		}
	}
}

// RFC 768: a computed 0 goes on the wire as 0xffff, in IPv4 (where 0
// means "no checksum") and in IPv6 (RFC 8200 8.1). A payload word equal to
// the checksum of the rest makes the sum all ones.
TEST(PktWrite, ZeroChecksumIsSentAsAllOnes)
{
	for (int family : { 4, 6 }) {
		aegw_endpoint src = ep(family, family == 6 ? kIp6A : kIp4A, 5004);
		aegw_endpoint dst = ep(family, family == 6 ? kIp6B : kIp4B, 40000);
		Bytes p = payload_of(40);
		p[10] = p[11] = 0;
		Written w = write(p, src, dst, false, 0);
		size_t l4 = family == 6 ? 54 : 34;
		uint16_t c = get16(w.frame() + l4 + 6);
		put16(&p[10], c);
		w = write(p, src, dst, false, 0);
		EXPECT_EQ(get16(w.frame() + l4 + 6), 0xffff) << family;
		aegw_pkt_info pi;
		ASSERT_EQ(parse(w.bytes(), &pi), AEGW_PKT_UDP);
		EXPECT_TRUE(aegw_pkt_udp_csum_ok(w.frame(), &pi));
	}
}

TEST(PktWrite, ChecksumOkRules)
{
	aegw_pkt_info pi;
	Bytes f = udp4();

	ASSERT_EQ(parse(f, &pi), AEGW_PKT_UDP);
	EXPECT_TRUE(aegw_pkt_udp_csum_ok(f.data(), &pi));
	f[14 + 28 + 3] ^= 0x40;
	EXPECT_FALSE(aegw_pkt_udp_csum_ok(f.data(), &pi));
	put16(&f[40], 0); // IPv4: none
	ASSERT_EQ(parse(f, &pi), AEGW_PKT_UDP);
	EXPECT_TRUE(aegw_pkt_udp_csum_ok(f.data(), &pi));
	f = udp6();
	put16(&f[60], 0); // IPv6: mandatory
	ASSERT_EQ(parse(f, &pi), AEGW_PKT_UDP);
	EXPECT_FALSE(aegw_pkt_udp_csum_ok(f.data(), &pi));
	ASSERT_EQ(parse(echo4(), &pi), AEGW_PKT_ICMP4_ECHO);
	EXPECT_FALSE(aegw_pkt_udp_csum_ok(echo4().data(), &pi));
}

// Frames Linux sent over a veth pair with checksum offload off (tshark
// verified every checksum), and checksums of datagrams it fragmented (so
// computed in software) on loopback; on loopback, unfragmented datagrams
// carry only the pseudo-header sum, which is what csum_offload must write.
// Payload "pattern" is byte i = 7 * i + 3.
Bytes hex(const char *s)
{
	Bytes b;
	std::string digits;

	for (; *s; s++)
		if (*s != ' ')
			digits += *s;
	for (size_t i = 0; i + 1 < digits.size(); i += 2)
		b.push_back(uint8_t(std::stoul(digits.substr(i, 2), nullptr, 16)));
	return b;
}

Bytes pattern(size_t n)
{
	Bytes p(n);
	for (size_t i = 0; i < n; i++)
		p[i] = uint8_t(i * 7 + 3);
	return p;
}

// 192.0.2.1:40000 -> 192.0.2.2:40002, 18 bytes, tshark -x.
const char kVeth4[] =
	"02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00"
	"00 2e 27 35 40 00 40 11 8f 86 c0 00 02 01 c0 00"
	"02 02 9c 40 9c 42 00 1a 24 82 80 00 00 01 68 65"
	"6c 6c 6f 2d 61 65 67 77 2d 6f 64 64";
// [2001:db8::1]:40004 -> [2001:db8::2]:40006, 11 bytes.
const char kVeth6[] =
	"02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 02"
	"c8 27 00 13 11 40 20 01 0d b8 00 00 00 00 00 00"
	"00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00"
	"00 00 00 00 00 02 9c 44 9c 46 00 13 38 6a 80 c8"
	"61 62 63 64 65 66 67 68 21";

TEST(PktWrite, CapturedFramesAgree)
{
	for (const char *h : { kVeth4, kVeth6 }) {
		Bytes cap = hex(h);
		aegw_pkt_info pi;
		ASSERT_EQ(parse(cap, &pi), AEGW_PKT_UDP);
		ASSERT_TRUE(aegw_pkt_udp_csum_ok(cap.data(), &pi));

		// In place: zero both checksums, set the same length back.
		Bytes f = cap;
		put16(&f[pi.l4_off + 6], 0);
		if (pi.family == 4)
			put16(&f[pi.l3_off + 10], 0);
		aegw_pkt_udp_set_len(f.data(), &pi, pi.payload_len, 0);
		EXPECT_EQ(f, cap);

		// Written from scratch: the UDP header is Linux's, checksum too.
		Bytes p(cap.begin() + pi.payload_off, cap.end());
		aegw_pkt_l2 l2 = l2_of(false, pi.dst_mac, pi.src_mac);
		Written w = write(p, pi.src, pi.dst, false, 0, 128, &l2);
		ASSERT_EQ(w.len, cap.size());
		EXPECT_EQ(Bytes(w.frame() + pi.l4_off, w.frame() + w.len),
			  Bytes(cap.begin() + pi.l4_off, cap.end()));
		EXPECT_EQ(Bytes(w.frame(), w.frame() + 14), Bytes(cap.begin(), cap.begin() + 14));
	}
}

TEST(PktWrite, CapturedChecksums)
{
	const uint8_t lo4[4] = { 127, 0, 0, 1 };
	const uint8_t lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	const uint8_t doc4a[4] = { 192, 0, 2, 1 }, doc4b[4] = { 192, 0, 2, 2 };
	const uint8_t doc6a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				    0, 0, 0, 0, 0, 0, 0, 1 };
	const uint8_t doc6b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				    0, 0, 0, 0, 0, 0, 0, 2 };
	struct {
		int family;
		const uint8_t *src, *dst;
		uint16_t sport, dport;
		size_t n;
		int offload;
		uint16_t want;
	} cases[] = {
		{ 4, doc4a, doc4b, 40000, 40002, 161, 0, 0xf8fe },
		{ 6, doc6a, doc6b, 40004, 40006, 161, 0, 0x2186 },
		{ 4, lo4, lo4, 40000, 40002, 1999, 0, 0xa9fa },
		{ 6, lo6, lo6, 40004, 40006, 1999, 0, 0xa7f3 },
		{ 4, lo4, lo4, 40000, 40002, 18, 1, 0xfe2d },
		{ 6, lo6, lo6, 40004, 40006, 10, 1, 0x0025 },
		{ 6, lo6, lo6, 40004, 40006, 11, 1, 0x0026 },
	};
	for (const auto &c : cases) {
		aegw_endpoint s = ep(c.family, c.src, c.sport);
		aegw_endpoint d = ep(c.family, c.dst, c.dport);
		Written w = write(pattern(c.n), s, d, false, c.offload);
		size_t l4 = c.family == 6 ? 54 : 34;
		EXPECT_EQ(get16(w.frame() + l4 + 6), c.want)
			<< "family " << c.family << " len " << c.n;
	}
}

// SRTP grows a payload in place (the tag) or shrinks it: lengths and
// checksums follow, the other header bytes stay.
TEST(PktWrite, SetLenFollowsThePayload)
{
	for (Bytes f : { udp4(true, 40), udp6(false, 40) }) {
		aegw_pkt_info pi;
		ASSERT_EQ(parse(f, &pi), AEGW_PKT_UDP);
		Bytes g = f;
		for (int i = 0; i < 13; i++)
			g.push_back(uint8_t(0xa0 + i));
		aegw_pkt_udp_set_len(g.data(), &pi, uint16_t(40 + 13), 0);
		EXPECT_EQ(pi.payload_len, 53);
		aegw_pkt_info pj;
		ASSERT_EQ(parse(g, &pj), AEGW_PKT_UDP);
		EXPECT_EQ(pj.payload_len, 53);
		EXPECT_TRUE(aegw_pkt_udp_csum_ok(g.data(), &pj));
		g.resize(g.size() - 20);
		aegw_pkt_udp_set_len(g.data(), &pj, uint16_t(53 - 20), 0);
		ASSERT_EQ(parse(g, &pi), AEGW_PKT_UDP);
		EXPECT_EQ(pi.payload_len, 33);
		EXPECT_TRUE(aegw_pkt_udp_csum_ok(g.data(), &pi));
		aegw_pkt_udp_set_len(g.data(), &pi, 33, 1); // offload: pseudo sum
		ASSERT_EQ(parse(g, &pi), AEGW_PKT_UDP);
		size_t alen = pi.family == 6 ? 16 : 4;
		EXPECT_EQ(pi.udp_csum, ref_fold(ref_pseudo(pi.src.ip, pi.dst.ip, alen, 41, 17)));
	}
}

// ---- responders --------------------------------------------------------

TEST(PktReply, ArpRequestForMeIsAnswered)
{
	for (bool vlan : { false, true }) {
		Bytes f = arp(vlan, 1, kIp4B, kIp4A);
		Bytes req = f;
		size_t l3 = vlan ? 18 : 14;
		aegw_pkt_info pi;

		ASSERT_EQ(parse(f, &pi), AEGW_PKT_ARP);
		ASSERT_EQ(aegw_pkt_arp_reply(f.data(), uint32_t(f.size()), &pi, kMacA, kIp4A),
			  f.size());
		const uint8_t *a = &f[l3];
		EXPECT_EQ(Bytes(f.begin(), f.begin() + 6), Bytes(kMacB, kMacB + 6));
		EXPECT_EQ(Bytes(f.begin() + 6, f.begin() + 12), Bytes(kMacA, kMacA + 6));
		EXPECT_EQ(Bytes(f.begin() + 12, f.begin() + l3), Bytes(req.begin() + 12, req.begin() + l3));
		EXPECT_EQ(Bytes(a, a + 6), Bytes(req.begin() + l3, req.begin() + l3 + 6));
		EXPECT_EQ(get16(a + 6), 2);
		EXPECT_EQ(0, std::memcmp(a + 8, kMacA, 6));
		EXPECT_EQ(0, std::memcmp(a + 14, kIp4A, 4));
		EXPECT_EQ(0, std::memcmp(a + 18, kMacB, 6));
		EXPECT_EQ(0, std::memcmp(a + 24, kIp4B, 4));
		EXPECT_EQ(Bytes(f.begin() + l3 + 28, f.end()), Bytes(req.begin() + l3 + 28, req.end()));
		EXPECT_EQ(parse(f), AEGW_PKT_ARP);
	}
}

TEST(PktReply, ArpNotOursIsNotAnswered)
{
	const uint8_t other[4] = { 192, 0, 2, 99 };
	struct {
		const char *what;
		Bytes f;
	} cases[] = {
		{ "another target", arp(false, 1, kIp4B, other) },
		{ "a reply", arp(false, 2, kIp4B, kIp4A) },
		{ "gratuitous for my address", arp(false, 1, kIp4A, kIp4A) },
	};
	for (auto &c : cases) {
		aegw_pkt_info pi;
		Bytes before = c.f;
		ASSERT_EQ(parse(c.f, &pi), AEGW_PKT_ARP);
		EXPECT_EQ(aegw_pkt_arp_reply(c.f.data(), uint32_t(c.f.size()), &pi, kMacA, kIp4A), 0u)
			<< c.what;
		EXPECT_EQ(c.f, before) << c.what;
	}
	aegw_pkt_info pi;
	Bytes e = echo4();
	ASSERT_EQ(parse(e, &pi), AEGW_PKT_ICMP4_ECHO);
	EXPECT_EQ(aegw_pkt_arp_reply(e.data(), uint32_t(e.size()), &pi, kMacA, kIp4A), 0u);
}

// The checksum of an ICMP/ICMPv6 message in a frame, verified the slow way.
bool icmp_sum_ok(const Bytes &f, const aegw_pkt_info &pi)
{
	uint32_t acc = 0;
	if (pi.family == 6)
		acc = ref_pseudo(&f[pi.l3_off + 8], &f[pi.l3_off + 24], 16,
				 pi.payload_len, 58);
	return ref_fold(ref_add(acc, &f[pi.l4_off], pi.payload_len)) == 0xffff;
}

TEST(PktReply, EchoReplies)
{
	for (bool vlan : { false, true }) {
		for (Bytes f : { echo4(vlan, 37), echo6(vlan, 38), echo6(vlan, 0) }) {
			Bytes req = f;
			aegw_pkt_info pi;
			aegw_pkt_class c = parse(f, &pi);
			bool v6 = c == AEGW_PKT_ICMP6_ECHO;
			size_t l3 = pi.l3_off, alen = v6 ? 16 : 4;
			size_t so = v6 ? 8 : 12, dof = v6 ? 24 : 16;

			ASSERT_EQ(aegw_pkt_icmp_echo_reply(f.data(), uint32_t(f.size()), &pi), f.size());
			EXPECT_EQ(0, std::memcmp(&f[0], &req[6], 6));
			EXPECT_EQ(0, std::memcmp(&f[6], &req[0], 6));
			EXPECT_EQ(0, std::memcmp(&f[12], &req[12], l3 - 12));
			EXPECT_EQ(0, std::memcmp(&f[l3 + so], &req[l3 + dof], alen));
			EXPECT_EQ(0, std::memcmp(&f[l3 + dof], &req[l3 + so], alen));
			EXPECT_EQ(f[l3 + (v6 ? 7 : 8)], 64);
			if (!v6) {
				EXPECT_EQ(ref_fold(ref_add(0, &f[l3], 20)), 0xffff);
			}
			EXPECT_EQ(f[pi.l4_off], v6 ? 129 : 0);
			EXPECT_EQ(f[pi.l4_off + 1], 0);
			EXPECT_TRUE(icmp_sum_ok(f, pi));
			// Identifier, sequence number and data come back as sent.
			EXPECT_EQ(Bytes(f.begin() + pi.l4_off + 4, f.end()),
				  Bytes(req.begin() + pi.l4_off + 4, req.end()));
			EXPECT_EQ(name(parse(f)), name(AEGW_PKT_OTHER));
		}
	}
}

TEST(PktReply, EchoToAGroupIsNotAnswered)
{
	const uint8_t bcast[4] = { 255, 255, 255, 255 };
	const uint8_t mcast[4] = { 224, 0, 0, 1 };
	const uint8_t all6[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 1 };

	for (const uint8_t *dst : { bcast, mcast }) {
		Ip ip;
		ip.proto = 1;
		ip.dst = dst;
		Bytes f = ip_frame(false, ip, icmp_echo(8, 8));
		aegw_pkt_info pi;
		ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP4_ECHO);
		EXPECT_EQ(aegw_pkt_icmp_echo_reply(f.data(), uint32_t(f.size()), &pi), 0u);
	}
	Bytes f = ip_frame(false, ip6(kIp6B, all6, 58), icmp_echo(128, 8));
	aegw_pkt_info pi;
	ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP6_ECHO);
	EXPECT_EQ(aegw_pkt_icmp_echo_reply(f.data(), uint32_t(f.size()), &pi), 0u);
	f = echo4();
	std::memset(f.data(), 0xff, 6); // to the broadcast MAC
	ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP4_ECHO);
	EXPECT_EQ(aegw_pkt_icmp_echo_reply(f.data(), uint32_t(f.size()), &pi), 0u);
}

struct NaWant {
	const uint8_t *eth_dst;
	const uint8_t *ip_dst;
	uint8_t flags;
};

void expect_na(const Bytes &f, size_t len, bool vlan, const NaWant &w)
{
	size_t l3 = vlan ? 18 : 14;
	const uint8_t *ip = &f[l3], *m = ip + 40;

	ASSERT_EQ(len, l3 + 72);
	EXPECT_EQ(0, std::memcmp(&f[0], w.eth_dst, 6));
	EXPECT_EQ(0, std::memcmp(&f[6], kMacA, 6));
	if (vlan) {
		EXPECT_EQ(get16(&f[12]), 0x8100);
		EXPECT_EQ(get16(&f[14]), kTci);
	}
	EXPECT_EQ(get16(&f[l3 - 2]), 0x86dd);
	EXPECT_EQ(ip[0], 0x60);
	EXPECT_EQ(get16(ip + 4), 32);
	EXPECT_EQ(ip[6], 58);
	EXPECT_EQ(ip[7], 255);
	EXPECT_EQ(0, std::memcmp(ip + 8, kIp6A, 16));
	EXPECT_EQ(0, std::memcmp(ip + 24, w.ip_dst, 16));
	EXPECT_EQ(m[0], 136);
	EXPECT_EQ(m[1], 0);
	EXPECT_EQ(m[4], w.flags);
	EXPECT_EQ(m[5] | m[6] | m[7], 0);
	EXPECT_EQ(0, std::memcmp(m + 8, kIp6A, 16));
	EXPECT_EQ(m[24], 2); // target link-layer address
	EXPECT_EQ(m[25], 1);
	EXPECT_EQ(0, std::memcmp(m + 26, kMacA, 6));
	uint32_t acc = ref_pseudo(ip + 8, ip + 24, 16, 32, 58);
	EXPECT_EQ(ref_fold(ref_add(acc, m, 32)), 0xffff);

	Bytes out(f.begin(), f.begin() + len);
	aegw_pkt_info pi;
	ASSERT_EQ(name(parse(out, &pi)), name(AEGW_PKT_ICMP6_NA));
	aegw_endpoint who;
	uint8_t mac[6];
	ASSERT_EQ(aegw_pkt_neigh_learn(out.data(), uint32_t(out.size()), &pi, &who, mac), 1);
	EXPECT_EQ(who.family, 6);
	EXPECT_EQ(0, std::memcmp(who.ip, kIp6A, 16));
	EXPECT_EQ(0, std::memcmp(mac, kMacA, 6));
}

uint32_t nd_reply(Bytes &f, size_t size, aegw_pkt_info *pi)
{
	uint32_t len = uint32_t(f.size());
	std::unique_ptr<uint8_t[]> buf(new uint8_t[size]);
	std::memcpy(buf.get(), f.data(), f.size());
	uint32_t out = aegw_pkt_nd_reply(buf.get(), len, uint32_t(size), pi, kMacA, kIp6A);
	f.assign(buf.get(), buf.get() + size);
	return out;
}

TEST(PktReply, SolicitationIsAdvertised)
{
	for (bool vlan : { false, true }) {
		// The source link-layer option (kMacC) wins over the frame's
		// source MAC (kMacB).
		Bytes f = ns(vlan, true);
		aegw_pkt_info pi;
		ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP6_NS);
		uint32_t len = nd_reply(f, f.size(), &pi);
		expect_na(f, len, vlan, { kMacC, kIp6B, 0x60 });

		// Without the option the NA (72 bytes of IP) outgrows the NS
		// (64): it needs `size`.
		f = ns(vlan, false);
		ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP6_NS);
		EXPECT_EQ(nd_reply(f, f.size(), &pi), 0u);
		f = ns(vlan, false);
		len = nd_reply(f, f.size() + 8, &pi);
		expect_na(f, len, vlan, { kMacB, kIp6B, 0x60 });
	}
}

TEST(PktReply, DuplicateAddressDetectionIsDefended)
{
	const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 1 };
	const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	Bytes f = ip_frame(false, ip6(kIp6Zero, kSnmA, 58, 255), nd_msg(135, 0, kIp6A));
	aegw_pkt_info pi;

	ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP6_NS);
	uint32_t len = nd_reply(f, 128, &pi);
	expect_na(f, len, false, { all_nodes_mac, all_nodes, 0x20 });
}

TEST(PktReply, SolicitationForAnotherTarget)
{
	Bytes f = ip_frame(false, ip6(kIp6B, kSnmA, 58, 255), nd_msg(135, 0, kIp6B, 1, kMacB));
	aegw_pkt_info pi;

	ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP6_NS);
	EXPECT_EQ(nd_reply(f, 256, &pi), 0u);
	Bytes g = na();
	ASSERT_EQ(parse(g, &pi), AEGW_PKT_ICMP6_NA);
	EXPECT_EQ(nd_reply(g, 256, &pi), 0u);
	// From a multicast source (never valid, RFC 4291 2.7): no answer.
	g = ip_frame(false, ip6(kSnmA, kSnmA, 58, 255), nd_msg(135, 0, kIp6A, 1, kMacB));
	ASSERT_EQ(parse(g, &pi), AEGW_PKT_ICMP6_NS);
	EXPECT_EQ(nd_reply(g, 256, &pi), 0u);
}

TEST(PktRequest, ArpRequest)
{
	const uint8_t target[4] = { 192, 0, 2, 1 };

	for (bool vlan : { false, true }) {
		aegw_pkt_l2 l2 = l2_of(vlan);
		uint8_t buf[128];
		std::memset(buf, 0xcc, sizeof(buf));
		uint32_t len = aegw_pkt_arp_request(buf, sizeof(buf), &l2, kIp4A, target);
		size_t l3 = vlan ? 18 : 14;
		ASSERT_EQ(len, 60u);
		for (int i = 0; i < 6; i++)
			EXPECT_EQ(buf[i], 0xff);
		EXPECT_EQ(0, std::memcmp(buf + 6, kMacA, 6));
		EXPECT_EQ(get16(buf + l3 - 2), 0x0806);
		const uint8_t *a = buf + l3;
		EXPECT_EQ(get16(a), 1);
		EXPECT_EQ(get16(a + 2), 0x0800);
		EXPECT_EQ(a[4], 6);
		EXPECT_EQ(a[5], 4);
		EXPECT_EQ(get16(a + 6), 1);
		EXPECT_EQ(0, std::memcmp(a + 8, kMacA, 6));
		EXPECT_EQ(0, std::memcmp(a + 14, kIp4A, 4));
		for (int i = 18; i < 24; i++)
			EXPECT_EQ(a[i], 0);
		EXPECT_EQ(0, std::memcmp(a + 24, target, 4));
		for (size_t i = l3 + 28; i < len; i++)
			EXPECT_EQ(buf[i], 0) << "padding byte " << i;
		Bytes f(buf, buf + len);
		aegw_pkt_info pi;
		ASSERT_EQ(parse(f, &pi), AEGW_PKT_ARP);
		EXPECT_EQ(pi.vlan_tci, vlan ? kTci : 0);
		aegw_endpoint who;
		uint8_t mac[6];
		ASSERT_EQ(aegw_pkt_neigh_learn(f.data(), len, &pi, &who, mac), 1);
		EXPECT_EQ(0, std::memcmp(who.ip, kIp4A, 4));
		EXPECT_EQ(0, std::memcmp(mac, kMacA, 6));
		EXPECT_EQ(aegw_pkt_arp_request(buf, 59, &l2, kIp4A, target), 0u);
	}
}

TEST(PktRequest, NeighbourSolicitation)
{
	// 2001:db8::1:2:3:4567 -> ff02::1:ff03:4567, MAC 33:33:ff:03:45:67.
	const uint8_t target[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				     0, 1, 0, 2, 0, 3, 0x45, 0x67 };
	const uint8_t snm[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
				  0, 0, 0, 1, 0xff, 3, 0x45, 0x67 };
	const uint8_t snm_mac[6] = { 0x33, 0x33, 0xff, 3, 0x45, 0x67 };

	for (bool vlan : { false, true }) {
		aegw_pkt_l2 l2 = l2_of(vlan);
		uint8_t buf[128];
		uint32_t len = aegw_pkt_nd_solicit(buf, sizeof(buf), &l2, kIp6A, target);
		size_t l3 = vlan ? 18 : 14;
		ASSERT_EQ(len, l3 + 72);
		EXPECT_EQ(0, std::memcmp(buf, snm_mac, 6));
		EXPECT_EQ(0, std::memcmp(buf + 6, kMacA, 6));
		const uint8_t *ip = buf + l3, *m = ip + 40;
		EXPECT_EQ(ip[7], 255);
		EXPECT_EQ(0, std::memcmp(ip + 8, kIp6A, 16));
		EXPECT_EQ(0, std::memcmp(ip + 24, snm, 16));
		EXPECT_EQ(m[0], 135);
		EXPECT_EQ(0, std::memcmp(m + 8, target, 16));
		EXPECT_EQ(m[24], 1);
		EXPECT_EQ(m[25], 1);
		EXPECT_EQ(0, std::memcmp(m + 26, kMacA, 6));
		uint32_t acc = ref_pseudo(ip + 8, ip + 24, 16, 32, 58);
		EXPECT_EQ(ref_fold(ref_add(acc, m, 32)), 0xffff);
		Bytes f(buf, buf + len);
		aegw_pkt_info pi;
		ASSERT_EQ(name(parse(f, &pi)), name(AEGW_PKT_ICMP6_NS));
		aegw_endpoint who;
		uint8_t mac[6];
		ASSERT_EQ(aegw_pkt_neigh_learn(f.data(), len, &pi, &who, mac), 1);
		EXPECT_EQ(0, std::memcmp(who.ip, kIp6A, 16));
		EXPECT_EQ(0, std::memcmp(mac, kMacA, 6));
		EXPECT_EQ(aegw_pkt_nd_solicit(buf, len - 1, &l2, kIp6A, target), 0u);
	}
}

TEST(PktLearn, WhatTeachesNothing)
{
	const uint8_t zero4[4] = {};
	aegw_endpoint who;
	uint8_t mac[6];
	aegw_pkt_info pi;

	Bytes probe = arp(false, 1, zero4, kIp4A); // RFC 5227 probe
	ASSERT_EQ(parse(probe, &pi), AEGW_PKT_ARP);
	EXPECT_EQ(aegw_pkt_neigh_learn(probe.data(), uint32_t(probe.size()), &pi, &who, mac), 0);
	Bytes bare_na = ip_frame(false, ip6(kIp6B, kIp6A, 58, 255), nd_msg(136, 0x60, kIp6B));
	ASSERT_EQ(parse(bare_na, &pi), AEGW_PKT_ICMP6_NA);
	EXPECT_EQ(aegw_pkt_neigh_learn(bare_na.data(), uint32_t(bare_na.size()), &pi, &who, mac), 0);
	Bytes bare_ns = ns(false, false);
	ASSERT_EQ(parse(bare_ns, &pi), AEGW_PKT_ICMP6_NS);
	EXPECT_EQ(aegw_pkt_neigh_learn(bare_ns.data(), uint32_t(bare_ns.size()), &pi, &who, mac), 0);
	Bytes e = echo6();
	ASSERT_EQ(parse(e, &pi), AEGW_PKT_ICMP6_ECHO);
	EXPECT_EQ(aegw_pkt_neigh_learn(e.data(), uint32_t(e.size()), &pi, &who, mac), 0);

	Bytes f = na();
	ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP6_NA);
	ASSERT_EQ(aegw_pkt_neigh_learn(f.data(), uint32_t(f.size()), &pi, &who, mac), 1);
	EXPECT_EQ(0, std::memcmp(who.ip, kIp6B, 16));
	EXPECT_EQ(0, std::memcmp(mac, kMacC, 6));
	f = ns();
	ASSERT_EQ(parse(f, &pi), AEGW_PKT_ICMP6_NS);
	ASSERT_EQ(aegw_pkt_neigh_learn(f.data(), uint32_t(f.size()), &pi, &who, mac), 1);
	EXPECT_EQ(0, std::memcmp(who.ip, kIp6B, 16));
	EXPECT_EQ(0, std::memcmp(mac, kMacC, 6));
}

// ---- RFC 5761 4 ----------------------------------------------------

TEST(PktRtcpMux, PayloadTypeBoundaries)
{
	struct {
		uint8_t b1;
		int rtcp;
	} cases[] = {
		{ 0, 0 },   { 96, 0 },  { 127, 0 }, { 128 + 63, 0 },
		{ 191, 0 }, { 192, 1 }, { 200, 1 }, { 223, 1 },
		{ 224, 0 }, { 255, 0 },
	};
	for (const auto &c : cases) {
		uint8_t p[2] = { 0x80, c.b1 };
		EXPECT_EQ(aegw_pkt_is_rtcp(p, 2), c.rtcp) << int(c.b1);
	}
	uint8_t one[1] = { 0x80 };
	EXPECT_EQ(aegw_pkt_is_rtcp(one, 1), 0);
	EXPECT_EQ(aegw_pkt_is_rtcp(one, 0), 0);
}

// ---- what tshark makes of it (optional) ----------------------------

void pcap_write(const std::string &path, const std::vector<Bytes> &frames)
{
	FILE *fp = std::fopen(path.c_str(), "wb");
	ASSERT_TRUE(fp);
	const uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	std::fwrite(gh, 4, 6, fp); // the host's byte order, as pcap allows
	uint32_t sec = 1;
	for (const Bytes &f : frames) {
		const uint32_t rh[4] = { sec++, 0, uint32_t(f.size()), uint32_t(f.size()) };
		std::fwrite(rh, 4, 4, fp);
		std::fwrite(f.data(), 1, f.size(), fp);
	}
	std::fclose(fp);
}

TEST(PktTshark, NoMalformedFrameOrBadChecksum)
{
	if (std::system("command -v tshark >/dev/null 2>&1") != 0)
		GTEST_SKIP() << "tshark not installed";
	std::vector<Bytes> frames;
	aegw_pkt_info pi;

	for (bool vlan : { false, true }) {
		for (int family : { 4, 6 }) {
			aegw_endpoint s = ep(family, family == 6 ? kIp6A : kIp4A, 5004);
			aegw_endpoint d = ep(family, family == 6 ? kIp6B : kIp4B, 40000);
			frames.push_back(write(payload_of(171), s, d, vlan, 0).bytes());
		}
		Bytes f = arp(vlan, 1, kIp4B, kIp4A);
		parse(f, &pi);
		aegw_pkt_arp_reply(f.data(), uint32_t(f.size()), &pi, kMacA, kIp4A);
		frames.push_back(f);
		for (Bytes e : { echo4(vlan), echo6(vlan) }) {
			parse(e, &pi);
			aegw_pkt_icmp_echo_reply(e.data(), uint32_t(e.size()), &pi);
			frames.push_back(e);
		}
		f = ns(vlan, false);
		parse(f, &pi);
		uint32_t len = nd_reply(f, f.size() + 8, &pi);
		frames.push_back(Bytes(f.begin(), f.begin() + len));
		aegw_pkt_l2 l2 = l2_of(vlan);
		uint8_t buf[128];
		len = aegw_pkt_arp_request(buf, sizeof(buf), &l2, kIp4A, kIp4B);
		frames.push_back(Bytes(buf, buf + len));
		len = aegw_pkt_nd_solicit(buf, sizeof(buf), &l2, kIp6A, kIp6B);
		frames.push_back(Bytes(buf, buf + len));
	}
	char dir[] = "/tmp/pkt_test.XXXXXX";
	ASSERT_TRUE(mkdtemp(dir));
	std::string pcap = std::string(dir) + "/out.pcap";
	std::string out = std::string(dir) + "/tshark.txt";
	pcap_write(pcap, frames);
	std::string cmd =
		"tshark -r " + pcap + " -o ip.check_checksum:TRUE"
		" -o udp.check_checksum:TRUE -Y '_ws.malformed ||"
		" _ws.expert.severity >= 0x00600000 || ip.checksum.status == 0 ||"
		" udp.checksum.status == 0 || icmp.checksum.status == 0 ||"
		" icmpv6.checksum.status == 0' >" + out + " 2>/dev/null";
	ASSERT_EQ(std::system(cmd.c_str()), 0);
	std::string count = "tshark -r " + pcap + " 2>/dev/null | wc -l > " + out + ".n";
	ASSERT_EQ(std::system(count.c_str()), 0);
	FILE *fp = std::fopen(out.c_str(), "r");
	ASSERT_TRUE(fp);
	char line[512];
	std::string bad;
	while (std::fgets(line, sizeof(line), fp))
		bad += line;
	std::fclose(fp);
	fp = std::fopen((out + ".n").c_str(), "r");
	ASSERT_TRUE(fp);
	unsigned n = 0;
	EXPECT_EQ(std::fscanf(fp, "%u", &n), 1);
	std::fclose(fp);
	EXPECT_EQ(n, frames.size());
	EXPECT_EQ(bad, "");
	if (std::system(("rm -rf " + std::string(dir)).c_str()) != 0)
		ADD_FAILURE() << "cannot remove " << dir;
}

} // namespace
