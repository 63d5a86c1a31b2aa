// SDP parsing and rewriting (lib/sdp) and RFC 4568 a=crypto lines: the
// SDPs Kamailio's rtpengine module sent and rtpengine 10.5.3 answered
// (/work/shared/samples/kamailio-ng.txt, copied below byte for byte), an
// audio+video offer with ICE over IPv6, LF-only input, what is rejected,
// the a=crypto grammar as a table, format/parse round trips, selection.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include "aegw/error.h"
#include "aegw/sdes.h"
#include "aegw/sdp.h"
}

namespace {

// Kamailio 5.6.3 -> rtpengine: the offer (sdp215) and answer (sdp130).
const std::string kOffer =
	"v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 42010 RTP/SAVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	"inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n";
const std::string kAnswer =
	"v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 42000 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";
// rtpengine 10.5.3's replies: the offer with transport-protocol=RTP/AVP
// (sdp136), the answer with RTP/SAVP (sdp221).
const std::string kReplyAvp =
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\nm=audio 35000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=sendrecv\r\na=rtcp:35001\r\n";
const std::string kReplySavp =
	"v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\nm=audio 35022 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=sendrecv\r\na=rtcp:35023\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	"inline:1mbMG0JEbTesCCpSNwLBqc9xrj0iKs80Gp03o6Kb\r\n";

// base64 of the bytes 00 01 02 ...: 30 (AES-128 key||salt), 46 (AES-256).
const std::string kKey30 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
const std::string kKey46 =
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ==";
// RFC 4568 5.1's offer keys (30 bytes each).
const std::string kRfcKey1 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
const std::string kRfcKey2 = "MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm";
const std::string kRfcKey3 = "QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5";

// A UE's audio+video offer over IPv6 with ICE, rtcp-mux, TS 33.328 e2ae.
const std::string kAv =
	"v=0\r\n"
	"o=- 4611731400430051336 2 IN IP6 2001:db8::10\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=ice-options:trickle\r\n"
	"a=group:BUNDLE 0 1\r\n"
	"m=audio 49170 RTP/SAVPF 111 0\r\n"
	"c=IN IP6 2001:db8::10\r\n"
	"a=rtcp:49171 IN IP6 2001:db8::10\r\n"
	"a=ice-ufrag:F7gI\r\n"
	"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
	"a=candidate:1 1 UDP 2130706431 2001:db8::10 49170 typ host\r\n"
	"a=candidate:1 2 UDP 2130706431 2001:db8::10 49171 typ host\r\n"
	"a=end-of-candidates\r\n"
	"a=mid:0\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=rtcp-mux\r\n"
	"a=3ge2ae:requested\r\n"
	"a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + kKey46 + "\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|2^31\r\n"
	"a=sendrecv\r\n"
	"m=video 49172 RTP/SAVPF 96\r\n"
	"c=IN IP6 2001:db8::10\r\n"
	"a=ice-ufrag:F7gI\r\n"
	"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
	"a=candidate:1 1 UDP 2130706431 2001:db8::10 49172 typ host\r\n"
	"a=mid:1\r\n"
	"a=rtpmap:96 H264/90000\r\n"
	"a=fmtp:96 profile-level-id=42e01f\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + kKey30 + "\r\n"
	"a=3ge2ae:requested\r\n"
	"a=sendonly\r\n";

struct Parsed {
	std::string text; // the struct points into it: never moved
	aegw_sdp sdp;
	int rc;
	std::string err;
};

std::unique_ptr<Parsed> parse(const std::string &text)
{
	auto p = std::make_unique<Parsed>();
	char err[200] = "";
	p->text = text;
	p->rc = aegw_sdp_parse(&p->sdp, p->text.data(), p->text.size(), err,
			       sizeof(err));
	p->err = err;
	return p;
}

std::string rewrite(const aegw_sdp &in, const aegw_sdp_edit &ed,
		    int *rc_out = nullptr)
{
	std::vector<char> out(1 << 17);
	char err[200] = "";
	size_t len = 99;
	int rc = aegw_sdp_rewrite(&in, &ed, out.data(), out.size(), &len, err,
				  sizeof(err));
	if (rc_out)
		*rc_out = rc;
	else
		EXPECT_EQ(rc, 0) << err;
	return rc ? std::string() : std::string(out.data(), len);
}

std::string replace_all(std::string s, const std::string &from,
			const std::string &to)
{
	for (size_t at = 0; (at = s.find(from, at)) != std::string::npos;
	     at += to.size())
		s.replace(at, from.size(), to);
	return s;
}

// The lines of s that do not start with any of the prefixes.
std::vector<std::string> lines_without(const std::string &s,
				       std::vector<std::string> prefixes)
{
	std::vector<std::string> v;
	size_t at = 0;
	while (at < s.size()) {
		size_t end = s.find("\r\n", at);
		std::string l = s.substr(at, end - at);
		bool drop = false;
		for (auto &p : prefixes)
			drop |= l.compare(0, p.size(), p) == 0;
		if (!drop)
			v.push_back(l);
		at = end == std::string::npos ? s.size() : end + 2;
	}
	return v;
}

std::string str(aegw_sdp_str s)
{
	return std::string(s.p ? s.p : "", s.n);
}

TEST(Sdp, SamplesParse)
{
	// The bencode lengths say the samples were copied whole.
	EXPECT_EQ(kOffer.size(), 215u);
	EXPECT_EQ(kAnswer.size(), 130u);
	EXPECT_EQ(kReplyAvp.size(), 136u);
	EXPECT_EQ(kReplySavp.size(), 221u);

	auto p = parse(kOffer);
	ASSERT_EQ(p->rc, 0) << p->err;
	const aegw_sdp &s = p->sdp;
	EXPECT_FALSE(s.lf_only);
	EXPECT_EQ(s.n_lines, 8u);
	EXPECT_EQ(str(s.origin.user), "user1");
	EXPECT_EQ(str(s.origin.sess_version), "2353687637");
	EXPECT_EQ(s.origin.family, 4);
	EXPECT_TRUE(s.session.c.present);
	EXPECT_EQ(str(s.session.c.addr), "127.0.0.1");
	ASSERT_EQ(s.n_media, 1u);
	const aegw_sdp_media &m = s.media[0];
	EXPECT_EQ(str(m.media), "audio");
	EXPECT_EQ(m.port, 42010);
	EXPECT_EQ(m.proto_id, AEGW_SDP_PROTO_RTP_SAVP);
	EXPECT_EQ(str(m.formats), "0");
	EXPECT_FALSE(m.s.c.present);
	EXPECT_FALSE(m.has_rtcp);
	ASSERT_EQ(m.n_crypto, 1u);
	EXPECT_EQ(m.crypto[0].status, 0);
	EXPECT_EQ(m.crypto[0].tag, 1u);
	EXPECT_EQ(m.crypto[0].suite, AEGW_SUITE_AES_CM_128_HMAC_SHA1_80);
	EXPECT_EQ(s.lines[7].kind, AEGW_SDP_LINE_CRYPTO);
	EXPECT_EQ(s.lines[7].media, 0);
	EXPECT_EQ(s.lines[3].media, -1);

	auto r = parse(kReplySavp);
	ASSERT_EQ(r->rc, 0) << r->err;
	EXPECT_EQ(r->sdp.media[0].s.dir, AEGW_SDP_DIR_SENDRECV);
	EXPECT_TRUE(r->sdp.media[0].has_rtcp);
	EXPECT_EQ(r->sdp.media[0].rtcp_port, 35023);
	EXPECT_FALSE(r->sdp.media[0].rtcp_addr.present);
	EXPECT_EQ(r->sdp.media[0].crypto[0].status, 0);
}

// A parse zeroes only what it fills (the struct is 40 KiB): one into a
// struct that held a larger SDP before must equal one into a zeroed
// struct, field for field, up to n_lines and n_media.
TEST(Sdp, ReusedStructHoldsNothingOfTheLastParse)
{
	std::string small = kAnswer, big = kAv, e1, e2;
	auto used = std::make_unique<aegw_sdp>();
	auto fresh = std::make_unique<aegw_sdp>();
	char err[200];

	ASSERT_EQ(aegw_sdp_parse(used.get(), big.data(), big.size(), err,
				 sizeof(err)), 0) << err;
	ASSERT_GT(used->n_media, 1u);
	ASSERT_EQ(aegw_sdp_parse(used.get(), small.data(), small.size(), err,
				 sizeof(err)), 0) << err;
	std::memset(fresh.get(), 0, sizeof(*fresh));
	ASSERT_EQ(aegw_sdp_parse(fresh.get(), small.data(), small.size(), err,
				 sizeof(err)), 0) << err;
	ASSERT_LT(fresh->n_media, 2u);
	EXPECT_EQ(std::memcmp(used.get(), fresh.get(),
			      offsetof(aegw_sdp, lines)), 0);
	EXPECT_EQ(std::memcmp(used->lines, fresh->lines,
			      fresh->n_lines * sizeof(fresh->lines[0])), 0);
	EXPECT_EQ(std::memcmp(used->media, fresh->media,
			      fresh->n_media * sizeof(fresh->media[0])), 0);
}

TEST(Sdp, NoEditIsByteForByte)
{
	for (const std::string &t : { kOffer, kAnswer, kReplyAvp, kReplySavp,
				      kAv, replace_all(kAv, "\r\n", "\n") }) {
		auto p = parse(t);
		ASSERT_EQ(p->rc, 0) << p->err;
		aegw_sdp_edit ed = {};
		EXPECT_EQ(rewrite(p->sdp, ed), t);
	}
}

// What rtpengine did to Kamailio's offer (RTP/SAVP with a key, asked for
// RTP/AVP): new port and RTCP port, protocol RTP/AVP, a=crypto gone.
// aegw's output holds every line of rtpengine's but its own o= and the
// a=sendrecv it adds, and nothing else: every other line untouched.
TEST(Sdp, OfferToPlainLikeRtpengine)
{
	auto p = parse(kOffer);
	ASSERT_EQ(p->rc, 0) << p->err;
	aegw_sdp_edit ed = {};
	ed.media[0].set_port = true;
	ed.media[0].port = 35000;
	ed.media[0].proto = AEGW_SDP_PROTO_RTP_AVP;
	ed.media[0].rtcp = AEGW_SDP_SET;
	ed.media[0].rtcp_port = 35001;
	ed.media[0].crypto = AEGW_SDP_REMOVE;
	std::string out = rewrite(p->sdp, ed);
	EXPECT_EQ(out, "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
		       "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		       "m=audio 35000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		       "a=rtcp:35001\r\n");
	EXPECT_EQ(lines_without(out, { "o=" }),
		  lines_without(kReplyAvp, { "o=", "a=sendrecv" }));
}

// rtpengine's answer: RTP/AVP made RTP/SAVP with a key of its own. The
// line aegw formats from that key is rtpengine's, byte for byte.
TEST(Sdp, AnswerToSrtpLikeRtpengine)
{
	auto reply = parse(kReplySavp);
	ASSERT_EQ(reply->rc, 0) << reply->err;
	aegw_srtp_config cfg;
	char err[200] = "";
	ASSERT_EQ(aegw_sdp_crypto_to_config(&reply->sdp.media[0].crypto[0],
					    &cfg, err, sizeof(err)),
		  0) << err;
	aegw_sdes_key k = {};
	memcpy(k.key, cfg.keys[0].key, sizeof(k.key));
	memcpy(k.salt, cfg.keys[0].salt, sizeof(k.salt));
	char line[AEGW_SDP_CRYPTO_BUF];
	ASSERT_EQ(aegw_sdp_crypto_format(1, cfg.suite, &k, 0, line,
					 sizeof(line)),
		  0);
	EXPECT_STREQ(line, "1 AES_CM_128_HMAC_SHA1_80 "
			   "inline:1mbMG0JEbTesCCpSNwLBqc9xrj0iKs80Gp03o6Kb");
	aegw_sdes_key_wipe(&k);
	aegw_srtp_config_wipe(&cfg);

	auto p = parse(kAnswer);
	ASSERT_EQ(p->rc, 0) << p->err;
	const char *lines[] = { line };
	aegw_sdp_edit ed = {};
	ed.media[0].set_port = true;
	ed.media[0].port = 35022;
	ed.media[0].proto = AEGW_SDP_PROTO_RTP_SAVP;
	ed.media[0].rtcp = AEGW_SDP_SET;
	ed.media[0].rtcp_port = 35023;
	ed.media[0].crypto = AEGW_SDP_SET;
	ed.media[0].crypto_lines = lines;
	ed.media[0].n_crypto_lines = 1;
	std::string out = rewrite(p->sdp, ed);
	EXPECT_EQ(lines_without(out, { "o=" }),
		  lines_without(kReplySavp, { "o=", "a=sendrecv" }));

	// The same from LF-only input: the added lines end with LF too.
	auto lf = parse(replace_all(kAnswer, "\r\n", "\n"));
	ASSERT_EQ(lf->rc, 0) << lf->err;
	EXPECT_TRUE(lf->sdp.lf_only);
	EXPECT_EQ(rewrite(lf->sdp, ed), replace_all(out, "\r\n", "\n"));
}

TEST(Sdp, AudioVideoIceIpv6Parse)
{
	auto p = parse(kAv);
	ASSERT_EQ(p->rc, 0) << p->err;
	const aegw_sdp &s = p->sdp;
	EXPECT_EQ(s.origin.family, 6);
	EXPECT_EQ(str(s.origin.addr), "2001:db8::10");
	EXPECT_FALSE(s.session.c.present);
	EXPECT_EQ(str(s.session.ice.options), "trickle");
	ASSERT_EQ(s.n_media, 2u);
	const aegw_sdp_media &a = s.media[0], &v = s.media[1];
	EXPECT_EQ(a.proto_id, AEGW_SDP_PROTO_RTP_SAVPF);
	EXPECT_EQ(str(a.formats), "111 0");
	EXPECT_EQ(a.s.c.family, 6);
	EXPECT_TRUE(a.has_rtcp);
	EXPECT_EQ(a.rtcp_port, 49171);
	EXPECT_EQ(a.rtcp_addr.family, 6);
	EXPECT_EQ(str(a.rtcp_addr.addr), "2001:db8::10");
	EXPECT_TRUE(a.rtcp_mux);
	EXPECT_EQ(str(a.s.ice.ufrag), "F7gI");
	EXPECT_EQ(str(a.s.ice.pwd), "x9cml/YzichV2+XlhiMu8g");
	EXPECT_EQ(a.s.ice.n_candidates, 2u);
	EXPECT_TRUE(a.s.ice.end_of_candidates);
	EXPECT_EQ(a.e2ae, AEGW_SDP_E2AE_REQUESTED);
	EXPECT_EQ(a.s.dir, AEGW_SDP_DIR_SENDRECV);
	ASSERT_EQ(a.n_crypto, 2u);
	EXPECT_EQ(a.crypto[0].suite, AEGW_SUITE_AES_256_CM_HMAC_SHA1_80);
	EXPECT_EQ(a.crypto[1].tag, 2u);
	EXPECT_EQ(v.port, 49172);
	EXPECT_FALSE(v.rtcp_mux);
	EXPECT_EQ(v.s.ice.n_candidates, 1u);
	EXPECT_EQ(v.s.dir, AEGW_SDP_DIR_SENDONLY);
	ASSERT_EQ(v.n_crypto, 1u);
	EXPECT_EQ(v.crypto[0].suite, AEGW_SUITE_AES_CM_128_HMAC_SHA1_32);
}

// The answer aegw gives a UE under e2ae: its own address (IPv4 here),
// ports and keys, ICE gone, a=3ge2ae:applied.
// The clock a media's RTCP jitter counts in: its first format's, from
// its a=rtpmap (RFC 8866 6.6) or RFC 3551's static table.
TEST(Sdp, ClockRateOfTheFirstFormat)
{
	auto p = parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
		       "c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
		       "m=audio 4000 RTP/AVP 8 0 101\r\n"
		       "a=rtpmap:101 telephone-event/8000\r\n"
		       "m=audio 4002 RTP/AVP 104 101\r\n"
		       "a=rtpmap:101 telephone-event/8000\r\n"
		       "a=rtpmap:104 AMR-WB/16000/1\r\n"
		       "m=video 4004 RTP/AVP 99\r\n"
		       "a=rtpmap:99 H264/90000\r\n"
		       "m=audio 4006 RTP/AVP 96\r\n"
		       "a=rtpmap:96 AMR\r\n"
		       "a=rtpmap:96 opus/x/2\r\n"
		       "m=audio 4008 RTP/AVP 100\r\n"
		       "m=image 4010 udptl t38\r\n"
		       "m=audio 4012 RTP/AVP 6 9\r\n");
	ASSERT_EQ(p->rc, 0) << p->err;
	const aegw_sdp &s = p->sdp;
	ASSERT_EQ(s.n_media, 7u);
	EXPECT_EQ(s.media[0].first_pt, 8);
	EXPECT_EQ(s.media[0].clock_rate, 8000u) << "PCMA, static";
	EXPECT_EQ(s.media[1].first_pt, 104);
	EXPECT_EQ(s.media[1].clock_rate, 16000u) << "its rtpmap, not 101's";
	EXPECT_EQ(s.media[2].clock_rate, 90000u);
	EXPECT_EQ(s.media[3].clock_rate, 0u) << "malformed rtpmaps tell nothing";
	EXPECT_EQ(s.media[4].first_pt, 100);
	EXPECT_EQ(s.media[4].clock_rate, 0u) << "dynamic with no rtpmap";
	EXPECT_EQ(s.media[5].first_pt, -1) << "not RTP";
	EXPECT_EQ(s.media[5].clock_rate, 0u);
	EXPECT_EQ(s.media[6].clock_rate, 16000u) << "DVI4 at 16 kHz";
}

TEST(Sdp, AudioVideoE2aeAnswer)
{
	auto p = parse(kAv);
	ASSERT_EQ(p->rc, 0) << p->err;
	const std::string k0 = "2 AES_CM_128_HMAC_SHA1_80 inline:" + kRfcKey1;
	const std::string k1 = "1 AES_CM_128_HMAC_SHA1_32 inline:" + kRfcKey2;
	const char *l0[] = { k0.c_str() }, *l1[] = { k1.c_str() };
	aegw_sdp_edit ed = {};
	ed.origin_addr = "192.0.2.1";
	ed.origin_bump = true;
	ed.remove_ice = true;
	aegw_sdp_media_edit &a = ed.media[0], &v = ed.media[1];
	a.addr = v.addr = "192.0.2.1";
	a.set_port = v.set_port = true;
	a.port = 20000;
	v.port = 20002;
	a.rtcp = AEGW_SDP_REMOVE;
	v.rtcp = AEGW_SDP_SET;
	v.rtcp_port = 20003;
	v.rtcp_mux = AEGW_SDP_SET;
	a.crypto = v.crypto = AEGW_SDP_SET;
	a.crypto_lines = l0;
	v.crypto_lines = l1;
	a.n_crypto_lines = v.n_crypto_lines = 1;
	a.e2ae = v.e2ae = AEGW_SDP_SET;
	EXPECT_EQ(rewrite(p->sdp, ed),
		  "v=0\r\n"
		  "o=- 4611731400430051336 3 IN IP4 192.0.2.1\r\n"
		  "s=-\r\n"
		  "t=0 0\r\n"
		  "a=group:BUNDLE 0 1\r\n"
		  "m=audio 20000 RTP/SAVPF 111 0\r\n"
		  "c=IN IP4 192.0.2.1\r\n"
		  "a=mid:0\r\n"
		  "a=rtpmap:111 opus/48000/2\r\n"
		  "a=rtcp-mux\r\n"
		  "a=3ge2ae:applied\r\n"
		  "a=crypto:" + k0 + "\r\n"
		  "a=sendrecv\r\n"
		  "m=video 20002 RTP/SAVPF 96\r\n"
		  "c=IN IP4 192.0.2.1\r\n"
		  "a=mid:1\r\n"
		  "a=rtpmap:96 H264/90000\r\n"
		  "a=fmtp:96 profile-level-id=42e01f\r\n"
		  "a=crypto:" + k1 + "\r\n"
		  "a=3ge2ae:applied\r\n"
		  "a=sendonly\r\n"
		  "a=rtcp:20003\r\n"
		  "a=rtcp-mux\r\n");

	// Toward the core: e2ae lines removed, keys kept (e2e relays them).
	aegw_sdp_edit core = {};
	core.media[0].e2ae = core.media[1].e2ae = AEGW_SDP_REMOVE;
	EXPECT_EQ(rewrite(p->sdp, core),
		  replace_all(kAv, "a=3ge2ae:requested\r\n", ""));
}

TEST(Sdp, Ipv6AddressesAndOriginBump)
{
	auto p = parse(kOffer);
	ASSERT_EQ(p->rc, 0) << p->err;
	aegw_sdp_edit ed = {};
	ed.addr = "2001:db8::1";
	ed.origin_addr = "2001:db8::1";
	std::string out = rewrite(p->sdp, ed);
	EXPECT_EQ(out, replace_all(kOffer, "IN IP4 127.0.0.1",
				   "IN IP6 2001:db8::1"));
	auto q = parse(out);
	ASSERT_EQ(q->rc, 0) << q->err;
	EXPECT_EQ(q->sdp.session.c.family, 6);
	EXPECT_EQ(q->sdp.origin.family, 6);

	const struct {
		const char *version, *bumped;
	} rows[] = { { "0", "1" },   { "9", "10" },	{ "0999", "1000" },
		     { "2353687637", "2353687638" },
		     { "99999999999999999999999", "100000000000000000000000" } };
	for (auto &r : rows) {
		auto o = parse(std::string("v=0\r\no=- 1 ") + r.version +
			       " IN IP4 10.0.0.1\r\ns=-\r\n");
		ASSERT_EQ(o->rc, 0) << o->err;
		aegw_sdp_edit b = {};
		b.origin_bump = true;
		EXPECT_EQ(rewrite(o->sdp, b),
			  std::string("v=0\r\no=- 1 ") + r.bumped +
				  " IN IP4 10.0.0.1\r\ns=-\r\n");
	}
}

// a=group:BUNDLE (RFC 8843) at session level is a line of its own kind,
// removed on request; other groups (LS, FID) and look-alikes are not.
TEST(Sdp, BundleGroupRemoved)
{
	const std::string t = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
			      "a=group:BUNDLE 0 1\r\na=group:LS 0 1\r\n"
			      "a=group:BUNDLEX 0\r\na=group:BUNDLE\r\n"
			      "m=audio 1000 RTP/AVP 0\r\na=mid:0\r\n"
			      "a=group:BUNDLE 0\r\n";
	auto p = parse(t);
	ASSERT_EQ(p->rc, 0) << p->err;
	EXPECT_EQ(p->sdp.lines[4].kind, AEGW_SDP_LINE_BUNDLE);
	EXPECT_EQ(p->sdp.lines[5].kind, AEGW_SDP_LINE_OTHER);
	EXPECT_EQ(p->sdp.lines[6].kind, AEGW_SDP_LINE_OTHER);
	EXPECT_EQ(p->sdp.lines[7].kind, AEGW_SDP_LINE_BUNDLE);
	EXPECT_EQ(rewrite(p->sdp, aegw_sdp_edit{}), t);
	aegw_sdp_edit ed = {};
	ed.remove_bundle = true;
	EXPECT_EQ(rewrite(p->sdp, ed),
		  "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
		  "a=group:LS 0 1\r\na=group:BUNDLEX 0\r\n"
		  "m=audio 1000 RTP/AVP 0\r\na=mid:0\r\n"
		  "a=group:BUNDLE 0\r\n")
		<< "a group line in a section is no session group";
}

// Each value, put into the edit by set, makes the rewrite refuse it.
template <typename Set>
void expect_refused(const aegw_sdp &sdp, aegw_sdp_edit ed,
		    std::initializer_list<const char *> bad, Set set)
{
	for (const char *v : bad) {
		int rc = 0;
		set(ed, v);
		EXPECT_EQ(rewrite(sdp, ed, &rc), "") << v;
		EXPECT_EQ(rc, AEGW_ERR_INVALID_ARG) << v;
	}
}

// A version set outright (the control daemon's, RFC 3264 8) wins over
// the bump; anything but 1 to 20 digits is refused.
TEST(Sdp, OriginVersionSet)
{
	auto o = parse("v=0\r\no=- 1 7 IN IP4 10.0.0.1\r\ns=-\r\n");
	ASSERT_EQ(o->rc, 0) << o->err;
	aegw_sdp_edit ed = {};
	ed.origin_version = "12";
	ed.origin_bump = true;
	EXPECT_EQ(rewrite(o->sdp, ed), "v=0\r\no=- 1 12 IN IP4 10.0.0.1\r\ns=-\r\n");
	ed.origin_addr = "2001:db8::1";
	EXPECT_EQ(rewrite(o->sdp, ed),
		  "v=0\r\no=- 1 12 IN IP6 2001:db8::1\r\ns=-\r\n");
	expect_refused(o->sdp, ed, { "", "1a", "-1", "123456789012345678901", " 1" },
		       [](aegw_sdp_edit &e, const char *v) { e.origin_version = v; });
}

// An attribute for every m= (loop-protect's mark) goes last in each
// section, after what else aegw adds; a control character is refused.
TEST(Sdp, AttributeForEveryMedia)
{
	auto p = parse("v=0\r\no=- 1 7 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
		       "m=audio 1000 RTP/AVP 0\r\na=sendrecv\r\n"
		       "m=video 0 RTP/AVP 96\r\n");
	ASSERT_EQ(p->rc, 0) << p->err;
	aegw_sdp_edit ed = {};
	ed.media_attr = "rtpengine:0123456789abcdef";
	ed.media[0].e2ae = AEGW_SDP_SET;
	EXPECT_EQ(rewrite(p->sdp, ed),
		  "v=0\r\no=- 1 7 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
		  "m=audio 1000 RTP/AVP 0\r\na=sendrecv\r\na=3ge2ae:applied\r\n"
		  "a=rtpengine:0123456789abcdef\r\n"
		  "m=video 0 RTP/AVP 96\r\na=rtpengine:0123456789abcdef\r\n");
	expect_refused(p->sdp, ed, { "", "x\ny", "x\ty" },
		       [](aegw_sdp_edit &e, const char *v) { e.media_attr = v; });
}

// c= added where RFC 8866 5 puts it; m= loses its "/count" with a port
// of aegw's (one pair, not two), keeps it with its own.
TEST(Sdp, ConnectionAddedInPlace)
{
	auto p = parse("v=0\r\no=- 1 9 IN IP4 10.0.0.1\r\ns=-\r\ni=info\r\n"
		       "b=AS:64\r\nt=0 0\r\nm=audio 1000/2 RTP/AVP 0\r\n"
		       "i=voice\r\nb=AS:64\r\na=rtpmap:0 PCMU/8000\r\n"
		       "m=video 1002 RTP/AVP 96\r\n");
	ASSERT_EQ(p->rc, 0) << p->err;
	EXPECT_EQ(p->sdp.media[0].port_count, 2);
	aegw_sdp_edit ed = {};
	ed.addr = "192.0.2.1";
	ed.media[0].addr = "2001:db8::1";
	ed.media[0].set_port = true;
	ed.media[0].port = 30000;
	ed.media[1].addr = "192.0.2.2";
	std::string out = rewrite(p->sdp, ed);
	EXPECT_EQ(out, "v=0\r\no=- 1 9 IN IP4 10.0.0.1\r\ns=-\r\ni=info\r\n"
		       "c=IN IP4 192.0.2.1\r\nb=AS:64\r\nt=0 0\r\n"
		       "m=audio 30000 RTP/AVP 0\r\ni=voice\r\n"
		       "c=IN IP6 2001:db8::1\r\nb=AS:64\r\n"
		       "a=rtpmap:0 PCMU/8000\r\nm=video 1002 RTP/AVP 96\r\n"
		       "c=IN IP4 192.0.2.2\r\n");
	auto q = parse(out);
	ASSERT_EQ(q->rc, 0) << q->err;
	EXPECT_EQ(str(q->sdp.media[1].s.c.addr), "192.0.2.2");
	aegw_sdp_edit keep = {};
	EXPECT_NE(rewrite(p->sdp, keep).find("m=audio 1000/2 RTP/AVP 0\r\n"),
		  std::string::npos);
}

// a=key-mgmt (e2e with KMS) is relayed; removing a=crypto leaves it.
TEST(Sdp, KeyMgmtKept)
{
	const std::string t = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
			      "m=audio 1000 RTP/SAVP 0\r\n"
			      "a=key-mgmt:mikey AQEFgM0XflABAAAAAAAAAAAAAAY\r\n";
	auto p = parse(t);
	ASSERT_EQ(p->rc, 0) << p->err;
	EXPECT_TRUE(p->sdp.media[0].s.key_mgmt);
	EXPECT_EQ(p->sdp.lines[5].kind, AEGW_SDP_LINE_KEY_MGMT);
	aegw_sdp_edit ed = {};
	ed.media[0].crypto = AEGW_SDP_REMOVE;
	ed.remove_ice = true;
	EXPECT_EQ(rewrite(p->sdp, ed), t);
}

TEST(Sdp, Lenient)
{
	// No line end on the last line; blank lines at the very end.
	auto p = parse("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-");
	ASSERT_EQ(p->rc, 0) << p->err;
	EXPECT_EQ(p->sdp.n_lines, 3u);
	p = parse("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n\n\r\n");
	ASSERT_EQ(p->rc, 0) << p->err;
	EXPECT_EQ(p->sdp.n_lines, 3u);
	EXPECT_TRUE(p->sdp.lf_only);
	// Attributes aegw does not know, other address types: relayed.
	p = parse("v=0\r\no=- 1 1 IN IP4 host.example\r\ns=-\r\n"
		  "c=ATM NSAP 47.0091\r\nt=0 0\r\nm=audio 0 UDP/TLS/RTP/SAVPF 0\r\n"
		  "a=x-foo:bar\r\na=rtcp:0\r\n");
	ASSERT_EQ(p->rc, 0) << p->err;
	EXPECT_EQ(p->sdp.session.c.family, 0);
	EXPECT_EQ(p->sdp.media[0].proto_id, AEGW_SDP_PROTO_OTHER);
	EXPECT_EQ(str(p->sdp.media[0].proto), "UDP/TLS/RTP/SAVPF");
	// Fields apart by more than one blank.
	p = parse("v=0\r\no=-  1 1\tIN IP4 10.0.0.1\r\ns=-\r\n"
		  "m=audio  1000 RTP/AVP  0 8\r\n");
	ASSERT_EQ(p->rc, 0) << p->err;
	EXPECT_EQ(p->sdp.media[0].port, 1000);
	EXPECT_EQ(str(p->sdp.media[0].formats), "0 8");
	// Blanks after an attribute: read as without them, kept as they
	// came (a=rtcp-mux must still be found to be removed).
	const std::string blanks = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n"
				   "m=audio 1000 RTP/AVP 0\r\na=rtcp-mux \r\n"
				   "a=3ge2ae:requested\t\r\na=sendonly \r\n"
				   "a=rtcp:1003 \r\na=end-of-candidates \r\n";
	p = parse(blanks);
	ASSERT_EQ(p->rc, 0) << p->err;
	const aegw_sdp_media &m = p->sdp.media[0];
	EXPECT_TRUE(m.rtcp_mux);
	EXPECT_EQ(m.e2ae, AEGW_SDP_E2AE_REQUESTED);
	EXPECT_EQ(m.s.dir, AEGW_SDP_DIR_SENDONLY);
	EXPECT_EQ(m.rtcp_port, 1003);
	EXPECT_TRUE(m.s.ice.end_of_candidates);
	EXPECT_EQ(rewrite(p->sdp, aegw_sdp_edit{}), blanks);
	aegw_sdp_edit ed = {};
	ed.remove_ice = true;
	ed.media[0].rtcp_mux = AEGW_SDP_REMOVE;
	EXPECT_EQ(rewrite(p->sdp, ed),
		  replace_all(replace_all(blanks, "a=rtcp-mux \r\n", ""),
			      "a=end-of-candidates \r\n", ""));
}

TEST(Sdp, Rejected)
{
	const std::string head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n";
	const std::string bad[] = {
		"",
		"\r\n",
		"v=1\r\no=- 1 1 IN IP4 10.0.0.1\r\n",
		"V=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n",
		"v=0 \r\no=- 1 1 IN IP4 10.0.0.1\r\n",
		"v=0\r\n",
		"v=0\r\ns=-\r\n",
		"o=- 1 1 IN IP4 10.0.0.1\r\nv=0\r\n",
		"v=0\r\n\r\no=- 1 1 IN IP4 10.0.0.1\r\n",
		"<html>\r\n",
		head + "x=unknown type\r\n",
		head + "hello\r\n",
		head + "s\r\n",
		head + "=s\r\n",
		head + "v=0\r\n",
		head + "o=- 1 1 IN IP4 10.0.0.1\r\n",
		head + "\r\ns=-\r\n",
		head + std::string("s=a\0b\r\n", 7),
		head + "s=a\rb\r\n",
		head + "a=\r\n",
		head + "c=IN IP4\r\n",
		head + "c=IN IP4 1.2.3.4 extra\r\n",
		head + "m=audio 70000 RTP/AVP 0\r\n",
		head + "m=audio x RTP/AVP 0\r\n",
		head + "m=audio 1000 RTP/AVP\r\n",
		head + "m=audio 1000/0 RTP/AVP 0\r\n",
		head + "m=audio -1 RTP/AVP 0\r\n",
		head + "m=audio 1000 RTP/AVP 0\r\na=rtcp:abc\r\n",
		head + "m=audio 1000 RTP/AVP 0\r\na=rtcp:5000 IN IP4\r\n",
		head + "m=audio 1000 RTP/AVP 0\r\na=rtcp:65536\r\n",
		"v=0\r\no=- 1 1 IN IP4\r\n",
		"v=0\r\no=- x 1 IN IP4 10.0.0.1\r\n",
		"v=0\r\no=- 1 1.0 IN IP4 10.0.0.1\r\n",
	};
	for (const std::string &t : bad) {
		auto p = parse(t);
		EXPECT_EQ(p->rc, AEGW_ERR_INVALID_ARG) << "accepted: " << t;
		EXPECT_FALSE(p->err.empty()) << t;
	}
}

TEST(Sdp, Limits)
{
	const std::string head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n";
	std::string t = head;
	for (int i = 0; i < AEGW_SDP_MAX_MEDIA; i++)
		t += "m=audio " + std::to_string(1000 + 2 * i) + " RTP/AVP 0\r\n";
	EXPECT_EQ(parse(t)->rc, 0);
	EXPECT_EQ(parse(t + "m=video 9 RTP/AVP 96\r\n")->rc,
		  AEGW_ERR_INVALID_ARG);

	t = head;
	while (t.size() < AEGW_SDP_MAX_LEN - 100)
		t += "a=" + std::string(90, 'x') + "\r\n";
	t += "a=" + std::string(AEGW_SDP_MAX_LEN - t.size() - 4, 'y') + "\r\n";
	ASSERT_EQ(t.size(), size_t(AEGW_SDP_MAX_LEN));
	EXPECT_EQ(parse(t)->rc, 0);
	EXPECT_EQ(parse(t + "a")->rc, AEGW_ERR_INVALID_ARG);

	t = head;
	for (int i = 3; i < AEGW_SDP_MAX_LINES; i++)
		t += "a=x\r\n";
	EXPECT_EQ(parse(t)->rc, 0);
	EXPECT_EQ(parse(t + "a=x\r\n")->rc, AEGW_ERR_INVALID_ARG);
}

// Every buffer short of the output is refused, with nothing promised in
// it; the exact size works.
TEST(Sdp, RewriteOverflow)
{
	auto p = parse(kAv);
	ASSERT_EQ(p->rc, 0) << p->err;
	aegw_sdp_edit ed = {};
	ed.remove_ice = true;
	ed.media[1].rtcp = AEGW_SDP_SET;
	ed.media[1].rtcp_port = 9;
	std::string want = rewrite(p->sdp, ed);
	for (size_t cap = 0; cap <= want.size(); cap++) {
		std::vector<char> out(cap + 1);
		size_t len = 7;
		int rc = aegw_sdp_rewrite(&p->sdp, &ed, cap ? out.data() : nullptr,
					  cap, &len, nullptr, 0);
		if (cap < want.size()) {
			ASSERT_EQ(rc, AEGW_ERR_NO_ROOM) << cap;
			EXPECT_EQ(len, 0u);
		} else {
			ASSERT_EQ(rc, 0);
			EXPECT_EQ(std::string(out.data(), len), want);
		}
	}
}

TEST(Sdp, BadEdits)
{
	auto p = parse(kAv);
	ASSERT_EQ(p->rc, 0) << p->err;
	const char *nl[] = { "1 AES_CM_128_HMAC_SHA1_80 inline:x\r\na=evil" };
	const char *empty[] = { "" };
	const char *null_line[] = { nullptr };
	std::vector<aegw_sdp_edit> eds(9);
	eds[0].addr = "not-an-address";
	eds[1].origin_addr = "10.0.0.256";
	eds[2].media[1].addr = "2001:db8::1%eth0";
	eds[3].media[0].rtcp = AEGW_SDP_SET;
	eds[3].media[0].rtcp_addr = "";
	eds[4].media[0].proto = aegw_sdp_proto(99);
	eds[5].media[0].crypto = AEGW_SDP_SET;
	eds[5].media[0].crypto_lines = nl;
	eds[5].media[0].n_crypto_lines = 1;
	eds[6].media[0].crypto = AEGW_SDP_SET;
	eds[6].media[0].crypto_lines = empty;
	eds[6].media[0].n_crypto_lines = 1;
	eds[7].media[0].crypto = AEGW_SDP_SET;
	eds[7].media[0].crypto_lines = null_line;
	eds[7].media[0].n_crypto_lines = 1;
	eds[8].media[0].crypto = AEGW_SDP_SET;
	eds[8].media[0].n_crypto_lines = AEGW_SDP_MAX_CRYPTO + 1;
	for (size_t i = 0; i < eds.size(); i++) {
		int rc = 0;
		rewrite(p->sdp, eds[i], &rc);
		EXPECT_EQ(rc, AEGW_ERR_INVALID_ARG) << "edit " << i;
	}
}

// RFC 4568 9.1 grammar and what makes a line usable. Keys are the RFC's
// own where it has them.
struct CryptoRow {
	std::string line;
	int status;
	uint32_t tag;
	unsigned n_keys, mki_len, session_params, kdr_log2, wsh;
};

TEST(SdpCrypto, Table)
{
	const std::string k = kKey30, r1 = kRfcKey1, r2 = kRfcKey2,
			  r3 = kRfcKey3, s80 = "AES_CM_128_HMAC_SHA1_80";
	const unsigned ALL = AEGW_SRTP_UNENCRYPTED_SRTP |
			     AEGW_SRTP_UNENCRYPTED_SRTCP |
			     AEGW_SRTP_UNAUTHENTICATED_SRTP;
	std::string nine = "1 " + s80 + " inline:" + k + "|1:1";
	for (int i = 2; i <= 9; i++)
		nine += ";inline:" + k + "|" + std::to_string(i) + ":1";
	const int OK = AEGW_ERR_OK, BAD = AEGW_ERR_INVALID_ARG,
		  KEY = AEGW_ERR_BAD_KEY, UNSUP = AEGW_ERR_UNSUPPORTED;
	const CryptoRow rows[] = {
		// RFC 4568 5.1's offer and answer.
		{ "1 " + s80 + " inline:" + r1 + "|2^20|1:4 FEC_ORDER=FEC_SRTP",
		  OK, 1, 1, 4, 0, 0, 0 },
		{ "2 F8_128_HMAC_SHA1_80 inline:" + r2 + "|2^20|1:4;inline:" +
			  r3 + "|2^20|2:4 FEC_ORDER=FEC_SRTP",
		  UNSUP, 2, 2, 0, 0, 0, 0 },
		{ "1 " + s80 + " inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
			       "|2^20|1:4",
		  OK, 1, 1, 4, 0, 0, 0 },
		// RFC 4568 4's example: a 32-byte MKI, beyond aegw's 4.
		{ "1 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+"
		  "PSdFcGdUJShpX1Zj|2^20|1:32",
		  UNSUP, 1, 1, 0, 0, 0, 0 },
		// Several keys told apart by MKI; lifetimes 2^n and decimal.
		{ "7 " + s80 + " inline:" + r1 + "|2^20|1:4;inline:" + r2 +
			  "|1048576|2:4;inline:" + r3 + "|3:4",
		  OK, 7, 3, 4, 0, 0, 0 },
		{ "0 " + s80 + " inline:" + k + "|1000", OK, 0, 1, 0, 0, 0, 0 },
		{ "999999999 AEAD_AES_256_GCM inline:" + kKey46.substr(0, 58) +
			  "==", KEY, 999999999, 1, 0, 0, 0, 0 },
		{ "3 AES_256_CM_HMAC_SHA1_32 inline:" + kKey46, OK, 3, 1, 0, 0,
		  0, 0 },
		{ "4 AEAD_AES_256_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBka"
		  "GxwdHh8gISIjJCUmJygpKis=|2^31",
		  OK, 4, 1, 0, 0, 0, 0 },
		// Every session parameter (RFC 4568 6.3).
		{ "1 " + s80 + " inline:" + k + " UNENCRYPTED_SRTP "
			       "UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP KDR=24 "
			       "FEC_ORDER=SRTP_FEC FEC_KEY=inline:" + r1 +
			  "|2^20|1:4;inline:" + r2 + " WSH=128",
		  OK, 1, 1, 0, ALL, 24, 128 },
		{ "1 " + s80 + " inline:" + k + " KDR=1 WSH=32", OK, 1, 1, 0, 0,
		  1, 32 },
		{ "1\t" + s80 + "\tinline:" + k + "\t UNENCRYPTED_SRTCP  ", OK,
		  1, 1, 0, AEGW_SRTP_UNENCRYPTED_SRTCP, 0, 0 },
		// RFC 7714 14.2 via the engine: AEAD cannot drop authentication.
		{ "1 AEAD_AES_128_GCM inline:" + kKey30.substr(0, 36) +
			  "Gw== UNAUTHENTICATED_SRTP",
		  UNSUP, 1, 1, 0, AEGW_SRTP_UNAUTHENTICATED_SRTP, 0, 0 },
		// RFC 4568 6.3.7: an unknown session parameter.
		{ "1 " + s80 + " inline:" + k + " FOO=1", UNSUP, 1, 1, 0, 0, 0,
		  0 },
		// ABNF's literals match in any case (RFC 5234 2.3).
		{ "1 aes_cm_128_hmac_sha1_80 INLINE:" + k + " unencrypted_srtcp "
		  "kdr=2 Wsh=128", OK, 1, 1, 0, AEGW_SRTP_UNENCRYPTED_SRTCP, 2,
		  128 },
		// ... unless it starts with one dash: optional, ignored.
		{ "1 " + s80 + " inline:" + k + " -X_FOO=1 -Y", OK, 1, 1, 0, 0,
		  0, 0 },
		{ "1 " + s80 + " inline:" + k + " --X", UNSUP, 1, 1, 0, 0, 0, 0 },
		{ "1 " + s80 + " inline:" + k + " -", UNSUP, 1, 1, 0, 0, 0, 0 },
		{ "1 " + s80 + " uri:https://kms.example/k", UNSUP, 1, 1, 0, 0,
		  0, 0 },
		{ nine, UNSUP, 1, 9, 1, 0, 0, 0 },
		// Malformed session parameters.
		{ "1 " + s80 + " inline:" + k + " KDR=0", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + " KDR=25", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + " KDR=05", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + " KDR=", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + " WSH=x", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + " WSH=6", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + " FEC_ORDER=FEC", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + " FEC_KEY=inline", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + " caf\xc3\xa9", BAD, 1, 1 },
		// Bad tags.
		{ "a " + s80 + " inline:" + k, BAD },
		{ "1234567890 " + s80 + " inline:" + k, BAD },
		{ "-1 " + s80 + " inline:" + k, BAD },
		{ " 1 " + s80 + " inline:" + k, BAD },
		{ "", BAD },
		// Bad suites.
		{ "1", BAD, 1 },
		{ "1 AES-CM-128 inline:" + k, BAD, 1 },
		{ "1 NO_SUCH_SUITE inline:" + k, UNSUP, 1, 1 },
		{ "1 " + s80, BAD, 1 },
		// Truncated and bad keys.
		{ "1 " + s80 + " inline:" + k.substr(0, 36), KEY, 1, 1 },
		{ "1 " + s80 + " inline:" + kKey46, KEY, 1, 1 },
		{ "1 " + s80 + " inline:" + k.substr(0, 39) + "!", KEY, 1, 1 },
		{ "1 " + s80 + " inline:", BAD, 1 },
		{ "1 " + s80 + " inline", BAD, 1 },
		{ "1 " + s80 + " inline:" + k + ";", BAD, 1 },
		{ "1 " + s80 + " inline:" + k + "|", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + "|2^64", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + "|1:5x", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + "|256:1", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + "|2^20|1:4|x", BAD, 1, 1 },
		{ "1 " + s80 + " inline:" + k + std::string(200, 'A'), KEY, 1,
		  1 },
		// Several keys: MKIs needed, of one length, all different.
		{ "1 " + s80 + " inline:" + r1 + ";inline:" + r2, BAD, 1, 2 },
		{ "1 " + s80 + " inline:" + r1 + "|1:4;inline:" + r2 + "|2:2",
		  BAD, 1, 2 },
		{ "1 " + s80 + " inline:" + r1 + "|1:4;inline:" + r2 + "|1:4",
		  BAD, 1, 2 },
	};
	for (const CryptoRow &r : rows) {
		aegw_sdp_crypto c;
		char err[200] = "";
		int rc = aegw_sdp_crypto_parse(r.line.data(), r.line.size(), &c,
					       err, sizeof(err));
		SCOPED_TRACE(r.line);
		EXPECT_EQ(rc, r.status) << err;
		EXPECT_EQ(c.status, rc);
		if (rc) {
			EXPECT_NE(err[0], '\0');
		}
		if (r.status == BAD && !r.tag)
			continue;
		EXPECT_EQ(c.tag, r.tag);
		if (r.status == BAD && !r.n_keys)
			continue;
		EXPECT_EQ(c.n_keys, r.n_keys);
		if (r.status == BAD || r.status == KEY)
			continue;
		EXPECT_EQ(c.mki_len, r.mki_len);
		EXPECT_EQ(c.session_params, r.session_params);
		EXPECT_EQ(c.kdr_log2, r.kdr_log2);
		EXPECT_EQ(c.wsh, r.wsh);
	}
}

TEST(SdpCrypto, ToConfig)
{
	const std::string line = "5 AES_CM_128_HMAC_SHA1_32 inline:" + kRfcKey1 +
				 "|2^20|1:4;inline:" + kKey30 +
				 "|1000000|258:4 KDR=10 UNENCRYPTED_SRTCP "
				 "WSH=8192 FEC_ORDER=FEC_SRTP";
	aegw_sdp_crypto c;
	char err[200] = "";
	ASSERT_EQ(aegw_sdp_crypto_parse(line.data(), line.size(), &c, err,
					sizeof(err)),
		  0) << err;
	EXPECT_TRUE(c.fec_order);
	EXPECT_FALSE(c.fec_key);
	aegw_srtp_config cfg;
	ASSERT_EQ(aegw_sdp_crypto_to_config(&c, &cfg, err, sizeof(err)), 0)
		<< err;
	EXPECT_EQ(cfg.kind, AEGW_SRTP_RTP);
	EXPECT_EQ(cfg.suite, AEGW_SUITE_AES_CM_128_HMAC_SHA1_32);
	EXPECT_EQ(cfg.n_keys, 2u);
	EXPECT_EQ(cfg.mki_len, 4u);
	EXPECT_EQ(cfg.kdr_log2, 10u);
	EXPECT_EQ(cfg.window, unsigned(AEGW_SRTP_WINDOW_MAX)); // a hint, capped
	EXPECT_EQ(cfg.session_params, unsigned(AEGW_SRTP_UNENCRYPTED_SRTCP));
	EXPECT_EQ(cfg.keys[0].lifetime, 1ull << 20);
	EXPECT_EQ(cfg.keys[1].lifetime, 1000000u);
	const uint8_t mki0[4] = { 0, 0, 0, 1 }, mki1[4] = { 0, 0, 1, 2 };
	EXPECT_EQ(memcmp(cfg.keys[0].mki, mki0, 4), 0);
	EXPECT_EQ(memcmp(cfg.keys[1].mki, mki1, 4), 0);
	EXPECT_EQ(memcmp(cfg.keys[0].key, "YS___semctl () {", 16), 0);
	for (unsigned i = 0; i < 16; i++)
		EXPECT_EQ(cfg.keys[1].key[i], i);
	for (unsigned i = 0; i < 14; i++)
		EXPECT_EQ(cfg.keys[1].salt[i], 16 + i);
	EXPECT_EQ(aegw_srtp_config_check(&cfg), 0);
	aegw_srtp_config_wipe(&cfg);

	// WSH under 64 is no window (RFC 3711 3.3.2's minimum); the default.
	const std::string small = "1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 +
				  " WSH=32";
	ASSERT_EQ(aegw_sdp_crypto_parse(small.data(), small.size(), &c, err,
					sizeof(err)),
		  0);
	ASSERT_EQ(aegw_sdp_crypto_to_config(&c, &cfg, err, sizeof(err)), 0);
	EXPECT_EQ(cfg.window, 0u);
	aegw_srtp_config_wipe(&cfg);

	// An unusable line gives no config.
	const std::string unk = "1 F8_128_HMAC_SHA1_80 inline:" + kKey30;
	aegw_sdp_crypto_parse(unk.data(), unk.size(), &c, nullptr, 0);
	memset(&cfg, 0xa5, sizeof(cfg));
	EXPECT_EQ(aegw_sdp_crypto_to_config(&c, &cfg, err, sizeof(err)),
		  AEGW_ERR_UNSUPPORTED);
	EXPECT_EQ(cfg.n_keys, 0u);
	EXPECT_EQ(cfg.keys[0].key[0], 0);
}

TEST(SdpCrypto, FormatKnownAnswer)
{
	aegw_sdes_key k = {};
	for (unsigned i = 0; i < 16; i++)
		k.key[i] = uint8_t(i);
	for (unsigned i = 0; i < 14; i++)
		k.salt[i] = uint8_t(16 + i);
	char out[AEGW_SDP_CRYPTO_BUF];
	ASSERT_EQ(aegw_sdp_crypto_format(1, AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
					 &k, 0, out, sizeof(out)),
		  0);
	EXPECT_EQ(std::string(out), "1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30);
	k.lifetime = 1ull << 20;
	k.mki_len = 4;
	k.mki[3] = 1;
	ASSERT_EQ(aegw_sdp_crypto_format(42, AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
					 &k,
					 AEGW_SRTP_UNENCRYPTED_SRTP |
						 AEGW_SRTP_UNENCRYPTED_SRTCP,
					 out, sizeof(out)),
		  0);
	EXPECT_EQ(std::string(out), "42 AES_CM_128_HMAC_SHA1_80 inline:" +
					    kKey30 + "|2^20|1:4 UNENCRYPTED_SRTP "
						     "UNENCRYPTED_SRTCP");
	// GCM's 28 bytes take base64 padding; a decimal lifetime.
	k.lifetime = 1000;
	k.mki_len = 0;
	ASSERT_EQ(aegw_sdes_inline_format(&k, AEGW_SUITE_AEAD_AES_128_GCM, out,
					  sizeof(out)),
		  0);
	EXPECT_STREQ(out, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==|1000");

	size_t need = strlen(out) + 1;
	EXPECT_EQ(aegw_sdes_inline_format(&k, AEGW_SUITE_AEAD_AES_128_GCM, out,
					  need - 1),
		  AEGW_ERR_NO_ROOM);
	EXPECT_EQ(aegw_sdes_inline_format(&k, AEGW_SUITE_AEAD_AES_128_GCM, out,
					  need),
		  0);
	EXPECT_EQ(aegw_sdes_inline_format(&k, aegw_suite(99), out, sizeof(out)),
		  AEGW_ERR_INVALID_ARG);
	ASSERT_EQ(aegw_sdp_crypto_format(1, AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
					 &k, 0, out, 20),
		  AEGW_ERR_NO_ROOM);
	for (int i = 0; i < 20; i++) // no piece of a key left behind
		EXPECT_EQ(out[i], 0);
	EXPECT_EQ(aegw_sdp_crypto_format(1000000000,
					 AEGW_SUITE_AES_CM_128_HMAC_SHA1_80, &k,
					 0, out, sizeof(out)),
		  AEGW_ERR_INVALID_ARG);
	EXPECT_EQ(aegw_sdp_crypto_format(1, AEGW_SUITE_AES_CM_128_HMAC_SHA1_80,
					 &k, AEGW_SRTP_NO_REPLAY_CHECK, out,
					 sizeof(out)),
		  AEGW_ERR_INVALID_ARG);
	aegw_sdes_key_wipe(&k);
}

// Every suite, random keys, every lifetime and MKI form: format, parse,
// config, and the same key comes back.
TEST(SdpCrypto, RoundTrip)
{
	std::mt19937 rng(4568);
	const uint64_t lifetimes[] = { 0, 1, 1ull << 20, 1000000, 1ull << 48,
				       UINT64_MAX };
	for (unsigned s = 0; s < AEGW_SUITE_COUNT; s++) {
		for (uint64_t life : lifetimes) {
			for (unsigned mki_len = 0; mki_len <= 4; mki_len++) {
				aegw_suite suite = aegw_suite(s);
				aegw_sdes_key k = {};
				for (auto &b : k.key)
					b = uint8_t(rng());
				for (auto &b : k.salt)
					b = uint8_t(rng());
				k.lifetime = life;
				k.mki_len = mki_len;
				for (unsigned i = 0; i < mki_len; i++)
					k.mki[i] = uint8_t(rng());
				char out[AEGW_SDP_CRYPTO_BUF];
				ASSERT_EQ(aegw_sdp_crypto_format(
						  s + 1, suite, &k, 0, out,
						  sizeof(out)),
					  0);
				SCOPED_TRACE(out);
				aegw_sdp_crypto c;
				char err[200] = "";
				ASSERT_EQ(aegw_sdp_crypto_parse(out, strlen(out),
								&c, err,
								sizeof(err)),
					  0) << err;
				EXPECT_EQ(c.tag, s + 1);
				EXPECT_EQ(c.suite, suite);
				aegw_srtp_config cfg;
				ASSERT_EQ(aegw_sdp_crypto_to_config(
						  &c, &cfg, err, sizeof(err)),
					  0) << err;
				const struct aegw_suite_info *si =
					aegw_suite_info(suite);
				EXPECT_EQ(memcmp(cfg.keys[0].key, k.key,
						 si->key_len),
					  0);
				EXPECT_EQ(memcmp(cfg.keys[0].salt, k.salt,
						 si->salt_len),
					  0);
				EXPECT_EQ(cfg.keys[0].lifetime, life);
				EXPECT_EQ(cfg.mki_len, mki_len);
				EXPECT_EQ(memcmp(cfg.keys[0].mki, k.mki, mki_len),
					  0);
				aegw_srtp_config_wipe(&cfg);
				aegw_sdes_key_wipe(&k);
			}
		}
	}
}

TEST(SdpCrypto, Select)
{
	const std::string t =
		"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
		"m=audio 1000 RTP/SAVP 0\r\n"
		"a=crypto:1 F8_128_HMAC_SHA1_80 inline:" + kRfcKey1 + "\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + " FOO\r\n"
		"a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:short\r\n"
		"a=crypto:4 AES_256_CM_HMAC_SHA1_80 inline:" + kKey46 + "\r\n"
		"a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "\r\n";
	auto p = parse(t);
	ASSERT_EQ(p->rc, 0) << p->err;
	const aegw_sdp_media &m = p->sdp.media[0];
	ASSERT_EQ(m.n_crypto, 5u);
	EXPECT_EQ(m.crypto[0].status, AEGW_ERR_UNSUPPORTED);
	EXPECT_EQ(m.crypto[1].status, AEGW_ERR_UNSUPPORTED);
	EXPECT_EQ(m.crypto[2].status, AEGW_ERR_BAD_KEY);

	EXPECT_EQ(aegw_sdp_crypto_select(m.crypto, m.n_crypto, nullptr, 0), 3);
	const aegw_suite only128[] = { AEGW_SUITE_AES_CM_128_HMAC_SHA1_32,
				       AEGW_SUITE_AES_CM_128_HMAC_SHA1_80 };
	int i = aegw_sdp_crypto_select(m.crypto, m.n_crypto, only128, 2);
	ASSERT_EQ(i, 4);
	EXPECT_EQ(m.crypto[i].tag, 5u); // RFC 4568 7.1: the answer's tag
	const aegw_suite gcm[] = { AEGW_SUITE_AEAD_AES_128_GCM };
	EXPECT_EQ(aegw_sdp_crypto_select(m.crypto, m.n_crypto, gcm, 1), -1);
	EXPECT_EQ(aegw_sdp_crypto_select(m.crypto, 0, nullptr, 0), -1);
}

// a=crypto lines past AEGW_SDP_MAX_CRYPTO are kept but not parsed; a
// removal takes them all.
TEST(SdpCrypto, ManyLines)
{
	std::string t = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
			"m=audio 1000 RTP/SAVP 0\r\n";
	for (int i = 1; i <= AEGW_SDP_MAX_CRYPTO + 4; i++)
		t += "a=crypto:" + std::to_string(i) +
		     " AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "\r\n";
	auto p = parse(t);
	ASSERT_EQ(p->rc, 0) << p->err;
	EXPECT_EQ(p->sdp.media[0].n_crypto, unsigned(AEGW_SDP_MAX_CRYPTO));
	aegw_sdp_edit ed = {};
	ed.media[0].crypto = AEGW_SDP_REMOVE;
	EXPECT_EQ(rewrite(p->sdp, ed),
		  "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
		  "m=audio 1000 RTP/SAVP 0\r\n");
}

} // namespace
