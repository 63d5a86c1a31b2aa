// lib/pkt/rtcp_report.c: RTCP SR and RR (RFC 3550 6.4) as a call's quality
// figures read them. A sender report ffmpeg sent, with the values tshark
// dissects from it; compound packets built field by field; every cut of
// them in a buffer of exactly that size (ASan sees a read past it); and
// each malformed shape with its error.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

extern "C" {
#include "aegw/error.h"
#include "aegw/rtcp.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

void put32(Bytes &b, uint32_t v)
{
	for (int s = 24; s >= 0; s -= 8)
		b.push_back(static_cast<uint8_t>(v >> s));
}

// A packet header: V=2, no padding, count, type, length in words - 1.
void header(Bytes &b, unsigned count, uint8_t pt, unsigned words)
{
	b.push_back(static_cast<uint8_t>(0x80 | count));
	b.push_back(pt);
	b.push_back(static_cast<uint8_t>((words - 1) >> 8));
	b.push_back(static_cast<uint8_t>(words - 1));
}

struct Block {
	uint32_t ssrc;
	uint8_t fraction;
	uint32_t lost24; // as on the wire
	uint32_t seq, jitter, lsr, dlsr;
};

void block(Bytes &b, const Block &k)
{
	put32(b, k.ssrc);
	put32(b, static_cast<uint32_t>(k.fraction) << 24 | (k.lost24 & 0xffffff));
	put32(b, k.seq);
	put32(b, k.jitter);
	put32(b, k.lsr);
	put32(b, k.dlsr);
}

void rr(Bytes &b, uint32_t from, const std::vector<Block> &blocks)
{
	header(b, static_cast<unsigned>(blocks.size()), AEGW_RTCP_PT_RR,
	       2 + 6 * static_cast<unsigned>(blocks.size()));
	put32(b, from);
	for (const Block &k : blocks)
		block(b, k);
}

void sr(Bytes &b, uint32_t from, uint32_t msw, uint32_t lsw,
	const std::vector<Block> &blocks)
{
	header(b, static_cast<unsigned>(blocks.size()), AEGW_RTCP_PT_SR,
	       7 + 6 * static_cast<unsigned>(blocks.size()));
	put32(b, from);
	put32(b, msw);
	put32(b, lsw);
	put32(b, 160000); // RTP timestamp
	put32(b, 1000);   // packets
	put32(b, 160000); // octets
	for (const Block &k : blocks)
		block(b, k);
}

void sdes_cname(Bytes &b, uint32_t ssrc)
{
	header(b, 1, 202, 4); // SSRC, CNAME "ue@x" (6 bytes), end, pad
	put32(b, ssrc);
	const uint8_t item[] = { 1, 4, 'u', 'e', '@', 'x', 0, 0 };
	b.insert(b.end(), item, item + sizeof(item));
}

int parse(const Bytes &b, aegw_rtcp_report *r)
{
	// Exactly len bytes on the heap, so ASan sees any read past them.
	std::unique_ptr<uint8_t[]> buf(new uint8_t[b.size() ? b.size() : 1]);
	if (!b.empty())
		std::memcpy(buf.get(), b.data(), b.size());
	return aegw_rtcp_report_parse(buf.get(), static_cast<uint32_t>(b.size()),
				      r);
}

// ffmpeg 5.1's RTP muxer (Debian 12), PCMU at 8 kHz, its second SR (it
// sends no SDES). Expected values as tshark 4.0 dissects them.
TEST(RtcpReport, SenderReportFromFfmpeg)
{
	const Bytes b = { 0x80, 0xc8, 0x00, 0x06, 0x3a, 0x72, 0xc1, 0xee,
			  0xee, 0xb6, 0xdd, 0x7d, 0x1c, 0x6a, 0x7e, 0xf9,
			  0x14, 0xae, 0xe3, 0xb4, 0x00, 0x00, 0x00, 0xd8,
			  0x00, 0x00, 0x9c, 0xac };
	aegw_rtcp_report r;
	ASSERT_EQ(parse(b, &r), 0);
	EXPECT_EQ(r.ssrc, 0x3a72c1eeu);
	EXPECT_EQ(r.has_sr, 1);
	// rtcp.timestamp.ntp.msw 4004961661 (0xeeb6dd7d), lsw 476741369
	// (0x1c6a7ef9): the middle is msw's low half, lsw's high half.
	EXPECT_EQ(r.sr_ntp_mid, 0xdd7d1c6au);
	EXPECT_EQ(r.sr_rtp_ts, 347005876u);
	EXPECT_EQ(r.sr_packets, 216u);
	EXPECT_EQ(r.sr_octets, 40108u);
	EXPECT_EQ(r.n_blocks, 0);
}

TEST(RtcpReport, ReceiverReportInACompoundPacket)
{
	Bytes b;
	rr(b, 0x11111111, { { 0xaaaa0001, 64, 0xfffffd, 0x0001ffff, 80,
			      0x12345678, 0x00018000 },
			    { 0xaaaa0002, 0, 7, 100, 0, 0, 0 } });
	sdes_cname(b, 0x11111111);
	aegw_rtcp_report r;
	ASSERT_EQ(parse(b, &r), 0);
	EXPECT_EQ(r.ssrc, 0x11111111u);
	EXPECT_EQ(r.has_sr, 0);
	ASSERT_EQ(r.n_blocks, 2);
	EXPECT_EQ(r.block[0].ssrc, 0xaaaa0001u);
	EXPECT_EQ(r.block[0].fraction_lost, 64);
	EXPECT_EQ(r.block[0].lost, -3) << "24-bit two's complement";
	EXPECT_EQ(r.block[0].highest_seq, 0x0001ffffu);
	EXPECT_EQ(r.block[0].jitter, 80u);
	EXPECT_EQ(r.block[0].lsr, 0x12345678u);
	EXPECT_EQ(r.block[0].dlsr, 0x00018000u);
	EXPECT_EQ(r.block[1].ssrc, 0xaaaa0002u);
	EXPECT_EQ(r.block[1].lost, 7);
	EXPECT_EQ(r.blocks_dropped, 0);
}

// The first SR's sender info; blocks of every SR/RR of the same sender up
// to the limit, counted past it; another sender's report left out.
TEST(RtcpReport, BlocksOfOneSenderUpToTheLimit)
{
	Bytes b;
	std::vector<Block> three;
	for (uint32_t i = 0; i < 3; i++)
		three.push_back({ 0xbbbb0000 + i, 0, 0, i, 0, 0, 0 });
	sr(b, 0x22222222, 0x00010002, 0x00030004, three);
	rr(b, 0x33333333, { { 0xcccc0000, 0, 0, 0, 0, 0, 0 } });
	std::vector<Block> more;
	for (uint32_t i = 3; i < 6; i++)
		more.push_back({ 0xbbbb0000 + i, 0, 0, i, 0, 0, 0 });
	rr(b, 0x22222222, more);
	sdes_cname(b, 0x22222222);
	aegw_rtcp_report r;
	ASSERT_EQ(parse(b, &r), 0);
	EXPECT_EQ(r.ssrc, 0x22222222u);
	EXPECT_EQ(r.has_sr, 1);
	EXPECT_EQ(r.sr_ntp_mid, 0x00020003u);
	ASSERT_EQ(r.n_blocks, AEGW_RTCP_REPORT_BLOCKS);
	for (unsigned i = 0; i < AEGW_RTCP_REPORT_BLOCKS; i++)
		EXPECT_EQ(r.block[i].ssrc, 0xbbbb0000u + i);
	EXPECT_EQ(r.blocks_dropped, 2);
}

// RFC 5506 reduced-size RTCP: a feedback packet first, the report after.
TEST(RtcpReport, AReportNeedNotComeFirst)
{
	Bytes b;
	header(b, 1, 205, 3); // RTPFB generic NACK: sender, media source
	put32(b, 0x44444444);
	put32(b, 0x55555555);
	rr(b, 0x44444444, { { 0x55555555, 0, 0, 9, 0, 0, 0 } });
	aegw_rtcp_report r;
	ASSERT_EQ(parse(b, &r), 0);
	EXPECT_EQ(r.ssrc, 0x44444444u);
	EXPECT_EQ(r.n_blocks, 1);
}

TEST(RtcpReport, NothingToReport)
{
	aegw_rtcp_report r;
	Bytes sdes;
	sdes_cname(sdes, 1);
	ASSERT_EQ(parse(sdes, &r), 0);
	EXPECT_EQ(r.has_sr + r.n_blocks, 0);
	Bytes empty_rr;
	rr(empty_rr, 1, {});
	sdes_cname(empty_rr, 1);
	ASSERT_EQ(parse(empty_rr, &r), 0);
	EXPECT_EQ(r.has_sr + r.n_blocks, 0) << "a receiver that got nothing";
	ASSERT_EQ(parse(Bytes{}, &r), 0);
	EXPECT_EQ(r.has_sr + r.n_blocks, 0);
}

TEST(RtcpReport, MalformedPacketsAreErrors)
{
	aegw_rtcp_report r;
	Bytes good;
	sr(good, 0x66666666, 1, 2, { { 7, 0, 0, 0, 0, 0, 0 } });
	sdes_cname(good, 0x66666666);

	Bytes v1 = good;
	v1[0] = static_cast<uint8_t>((v1[0] & 0x3f) | 0x40);
	EXPECT_EQ(parse(v1, &r), AEGW_ERR_BAD_VERSION);
	Bytes later_v0 = good;
	later_v0[52] &= 0x3f; // the SDES header
	EXPECT_EQ(parse(later_v0, &r), AEGW_ERR_BAD_VERSION);

	Bytes long_len = good;
	long_len[3] = 0x20; // the SR says 33 words
	EXPECT_EQ(parse(long_len, &r), AEGW_ERR_TRUNCATED);

	Bytes many = good;
	many[0] = 0x82; // two blocks in a packet with room for one
	EXPECT_EQ(parse(many, &r), AEGW_ERR_TRUNCATED);

	Bytes short_rr;
	header(short_rr, 0, AEGW_RTCP_PT_RR, 1); // no room for its SSRC
	EXPECT_EQ(parse(short_rr, &r), AEGW_ERR_TRUNCATED);

	Bytes tail = good;
	tail.push_back(0x80);
	tail.push_back(0xcb);
	EXPECT_EQ(parse(tail, &r), AEGW_ERR_TRUNCATED) << "a header cut short";
}

// Every prefix: a cut at a packet boundary is a shorter compound (the SR
// alone still reports), any other cut an error, never a read past it.
TEST(RtcpReport, EveryCut)
{
	Bytes good;
	sr(good, 0x77777777, 1, 2, { { 7, 1, 2, 3, 4, 5, 6 } });
	const size_t sr_len = good.size();
	sdes_cname(good, 0x77777777);
	for (size_t n = 0; n <= good.size(); n++) {
		Bytes cut(good.begin(), good.begin() + static_cast<long>(n));
		aegw_rtcp_report r;
		int rc = parse(cut, &r);
		if (n == 0) {
			EXPECT_EQ(rc, 0);
		} else if (n == sr_len || n == good.size()) {
			EXPECT_EQ(rc, 0) << n;
			EXPECT_EQ(r.has_sr, 1) << n;
			EXPECT_EQ(r.n_blocks, 1) << n;
		} else {
			EXPECT_EQ(rc, AEGW_ERR_TRUNCATED) << n;
		}
	}
}

} // namespace
