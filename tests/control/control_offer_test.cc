// Offers in-process, without a dataplane (an offer installs nothing; the
// worker count is set as if one had been seen): the SDP toward the
// answerer for what the Kamailio samples do not cover: IPv6 interfaces,
// audio and video, a rejected section, several a=crypto lines with MKI
// and lifetime, SDES only-/no- flags, a session without c=; and the
// registration store's say in an offer (the UEs it names by ue-identity
// and offerer-ue-identity).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ng_client.h"

extern "C" {
#include "calls.h"
#include "ctl.h"
#include "log.h"
#include "ng_commands.h"
#include "secret.h"
#include "streams.h"
#include "aegw/wipe.h"
}

using namespace ngtest;

namespace {

const std::string kKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";

class Offer : public ::testing::Test {
protected:
	ctl c{};
	std::string buf = std::string(CTL_NG_REPLY_MAX, '\0');
	const uint8_t peer[NG_CACHE_PEER_LEN] = {6};
	unsigned n = 0;

	void SetUp() override { start({}); }

	void start(std::vector<const char *> extra)
	{
		ctl_options o;
		char err[200];
		std::vector<const char *> argv = {
			"aegw-control", "--interface", "access=fd00:a::1/20000-20099@0",
			"--interface", "core=192.168.0.1/30000-30099@1", "--instance",
			"nosuchoffer"};
		argv.insert(argv.end(), extra.begin(), extra.end());
		ctl_log_set_level(CTL_LOG_ERR);
		ASSERT_EQ(ctl_options_parse(&o, int(argv.size()),
					    const_cast<char **>(argv.data()), err,
					    sizeof(err)), 0) << err;
		ASSERT_EQ(ctl_init(&c, &o, err, sizeof(err)), 0) << err;
		c.ring.n_workers = 2;
	}

	void TearDown() override
	{
		ctl_fini(&c);
		EXPECT_EQ(ctl_secret_in_use(), 0u);
	}

	Reply ask(const std::string &dict)
	{
		std::string msg = "o" + std::to_string(n++) + " " + dict;
		size_t len = ctl_ng_handle(&c, peer, msg.data(), msg.size(),
					   &buf[0], buf.size());
		return Reply(buf.substr(0, len));
	}

	// The core's SDP (192.168.0.2), its sections after the session's
	// lines.
	static std::string from_core(const std::string &sections)
	{
		return "v=0\r\no=- 1 1 IN IP4 192.168.0.2\r\ns=-\r\n"
		       "c=IN IP4 192.168.0.2\r\nt=0 0\r\n" + sections;
	}

	Reply offer(const std::string &sdp, const std::string &transport,
		    const std::vector<std::string> &direction = {},
		    const std::vector<std::string> &sdes = {})
	{
		std::vector<std::pair<std::string, std::string>> kv = {
			{"command", S("offer")}, {"call-id", S("c" + std::to_string(n))},
			{"from-tag", S("f")}, {"sdp", S(sdp)}};
		if (!transport.empty())
			kv.push_back({"transport-protocol", S(transport)});
		if (!direction.empty())
			kv.push_back({"direction", L(direction)});
		if (!sdes.empty())
			kv.push_back({"SDES", L(sdes)});
		return ask(D(kv));
	}
};

TEST_F(Offer, Ipv6AccessAudioAndVideoAndARejectedSection)
{
	// From the core (IPv4) toward the UE (IPv6, terminating e2ae).
	std::string sdp = from_core(
			"m=audio 9000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
			"m=video 9002 RTP/AVPF 96\r\na=rtpmap:96 H264/90000\r\n"
			"a=rtcp-fb:96 nack\r\n"
			"m=text 0 RTP/AVP 98\r\n");
	Reply r = offer(sdp, "RTP/SAVP", {"core", "access"});
	ASSERT_EQ(r.result(), "ok") << r.raw();
	Sdp out(r.sdp());
	ASSERT_TRUE(out.ok) << r.sdp();
	EXPECT_EQ(out.conn(), "fd00:a::1");
	EXPECT_TRUE(out.has_line("c=IN IP6 fd00:a::1")) << r.sdp();
	EXPECT_EQ(out.proto(0), "RTP/SAVP");
	EXPECT_EQ(out.proto(1), "RTP/SAVP") << "asked for, whatever the offer's";
	EXPECT_EQ(out.n_crypto(0), 1u);
	EXPECT_EQ(out.n_crypto(1), 1u);
	EXPECT_NE(out.crypto_value(0), out.crypto_value(1)) << "a key per stream";
	EXPECT_NE(out.port(0), out.port(1));
	EXPECT_EQ(out.port(2), 0) << "rejected stays rejected";
	EXPECT_TRUE(out.has_line("a=rtcp-fb:96 nack")) << "lines aegw does not own";
	EXPECT_TRUE(out.has_line("a=rtcp:" + std::to_string(out.port(1) + 1)));
}

// Behind a 1:1 NAT: every address aegw writes into SDP (c=, o= with
// replace origin) is the interface's advertised one; the dataplane's
// streams keep its own.
TEST_F(Offer, AdvertisedAddressesAreWhatSdpNames)
{
	ctl_fini(&c);
	c = ctl{};
	start({"--interface", "edge=10.0.0.1!203.0.113.5/40000-40099@2"});
	std::string sdp = from_core("m=audio 9000 RTP/AVP 0\r\n");
	Reply r = ask(D({{"command", S("offer")}, {"call-id", S("nat")},
			 {"from-tag", S("f")}, {"sdp", S(sdp)},
			 {"replace", L({"origin"})},
			 {"direction", L({"core", "edge"})}}));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	Sdp out(r.sdp());
	ASSERT_TRUE(out.ok) << r.sdp();
	EXPECT_TRUE(out.has_line("c=IN IP4 203.0.113.5")) << r.sdp();
	EXPECT_NE(r.sdp().find("IN IP4 203.0.113.5\r\ns="), std::string::npos)
		<< "o= with replace origin: " << r.sdp();
	EXPECT_EQ(r.sdp().find("10.0.0.1"), std::string::npos) << r.sdp();
	EXPECT_GE(out.port(0), 40000);
	EXPECT_LE(out.port(0), 40099);
	const ctl_call *call = ctl_call_find(&c.calls, "nat", 3);
	ASSERT_NE(call, nullptr);
	ASSERT_TRUE(call->has_pending);
	aegw_stream_spec spec;
	ctl_stream_spec(call, &call->pending[0], 1, &spec);
	char local[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET, spec.local.ip, local, sizeof(local));
	aegw_wipe(&spec, sizeof(spec));
	EXPECT_STREQ(local, "10.0.0.1") << "the stream from the edge";
	ctl_stream_spec(call, &call->pending[0], 0, &spec);
	inet_ntop(AF_INET, spec.egress_src.ip, src, sizeof(src));
	aegw_wipe(&spec, sizeof(spec));
	EXPECT_STREQ(src, "10.0.0.1") << "the stream toward it, from addr";
}

// rtpengine's no-rtcp-attribute: no a=rtcp from aegw, and the peer's
// gone too (it named the peer's port, not aegw's); the other side then
// takes port + 1, where aegw's RTCP is. Without it, aegw's a=rtcp.
TEST_F(Offer, NoRtcpAttributeLeavesNone)
{
	std::string sdp = from_core("m=audio 9000 RTP/AVP 0\r\n"
				    "a=rtcp:9005\r\na=rtcp-mux\r\n");
	Reply with = ask(D({{"command", S("offer")}, {"call-id", S("nr1")},
			    {"from-tag", S("f")}, {"sdp", S(sdp)},
			    {"direction", L({"core", "access"})},
			    {"flags", L({"no-rtcp-attribute"})}}));
	ASSERT_EQ(with.result(), "ok") << with.raw();
	EXPECT_EQ(with.sdp().find("a=rtcp:"), std::string::npos) << with.sdp();
	EXPECT_NE(with.sdp().find("a=rtcp-mux"), std::string::npos)
		<< "RTCP-mux is negotiated apart: " << with.sdp();
	Reply without = offer(sdp, "", {"core", "access"});
	ASSERT_EQ(without.result(), "ok") << without.raw();
	Sdp out(without.sdp());
	EXPECT_TRUE(out.has_line("a=rtcp:" + std::to_string(out.port(0) + 1)))
		<< without.sdp();
	EXPECT_EQ(without.sdp().find("9005"), std::string::npos);
}

TEST_F(Offer, RejectedSectionLeaksNoKey)
{
	std::string crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey + "\r\n";
	std::string sdp = "v=0\r\no=- 1 1 IN IP6 fd00:a::2\r\ns=-\r\n"
			  "c=IN IP6 fd00:a::2\r\nt=0 0\r\n"
			  "m=audio 7000 RTP/SAVP 0\r\n" + crypto +
			  "m=video 0 RTP/SAVP 96\r\n" + crypto;
	Reply r = offer(sdp, "RTP/AVP");
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(r.sdp().find("crypto"), std::string::npos) << r.sdp();
	EXPECT_EQ(r.sdp().find(kKey), std::string::npos);
	EXPECT_TRUE(Sdp(r.sdp()).has_line("c=IN IP4 192.168.0.1")) << r.sdp();
}

TEST_F(Offer, FirstSupportedCryptoLineAndSdesFlags)
{
	std::string lines =
		"a=crypto:3 F8_128_HMAC_SHA1_80 inline:" + kKey + "\r\n"
		"a=crypto:4 AES_CM_128_HMAC_SHA1_32 inline:" + kKey + "|2^31|7:2\r\n"
		"a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:" + kKey + "\r\n";
	std::string sdp = "v=0\r\no=- 1 1 IN IP6 fd00:a::2\r\ns=-\r\nt=0 0\r\n"
			  "m=audio 7000 RTP/SAVP 0\r\nc=IN IP6 fd00:a::2\r\n" + lines;
	// Recrypt keeps SRTP toward the answerer: aegw's line shows which
	// suite it took from the offer (RFC 4568 7.1: the first it supports).
	std::vector<std::pair<std::string, std::string>> kv = {
		{"command", S("offer")}, {"call-id", S("rc")}, {"from-tag", S("f")},
		{"sdp", S(sdp)}, {"flags", L({"recrypt"})}};
	Reply r = ask(D(kv));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	Sdp out(r.sdp());
	ASSERT_EQ(out.n_crypto(), 1u) << r.sdp();
	EXPECT_EQ(out.crypto_value().substr(0, 26), "1 AES_CM_128_HMAC_SHA1_32 ");
	EXPECT_TRUE(out.has_line("c=IN IP4 192.168.0.1")) << "media-level c=";
	kv[1].second = S("rc2");
	kv.push_back({"SDES", L({"no-AES_CM_128_HMAC_SHA1_32"})});
	r = ask(D(kv));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(Sdp(r.sdp()).crypto_value().substr(0, 26),
		  "1 AES_CM_128_HMAC_SHA1_80 ");
	kv[1].second = S("rc3");
	kv.back().second = L({"only-AEAD_AES_128_GCM"});
	r = ask(D(kv));
	EXPECT_EQ(r.result(), "error");
	EXPECT_NE(r.reason().find("no a=crypto line"), std::string::npos) << r.raw();
}

// --srtp-suites: the operator's list bounds what aegw terminates, and its
// order is aegw's preference when aegw makes the first key.
TEST_F(Offer, OperatorSuitesBoundAndOrderTheChoice)
{
	ctl_fini(&c);
	c = ctl{};
	start({"--srtp-suites", "AEAD_AES_128_GCM,AES_CM_128_HMAC_SHA1_80"});
	std::string lines =
		"a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + kKey + "\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + kKey + "\r\n";
	std::string sdp = "v=0\r\no=- 1 1 IN IP6 fd00:a::2\r\ns=-\r\nt=0 0\r\n"
			  "m=audio 7000 RTP/SAVP 0\r\nc=IN IP6 fd00:a::2\r\n";
	std::vector<std::pair<std::string, std::string>> kv = {
		{"command", S("offer")}, {"call-id", S("s1")}, {"from-tag", S("f")},
		{"sdp", S(sdp + lines)}, {"flags", L({"recrypt"})}};
	Reply r = ask(D(kv));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(Sdp(r.sdp()).crypto_value().substr(0, 26),
		  "1 AES_CM_128_HMAC_SHA1_80 ") << "_32 is not allowed";
	kv[1].second = S("s2");
	kv[3].second = S(sdp + "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" +
			 kKey + "\r\n");
	r = ask(D(kv));
	EXPECT_EQ(r.result(), "error") << r.raw();
	// A plain offer from the core made SRTP toward the UE: aegw's key is
	// of the operator's first suite.
	std::string plain = from_core("m=audio 9000 RTP/AVP 0\r\n");
	r = offer(plain, "RTP/SAVP", {"core", "access"});
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(Sdp(r.sdp()).crypto_value().substr(0, 19), "1 AEAD_AES_128_GCM ")
		<< r.sdp();
	r = offer(plain, "RTP/SAVP", {"core", "access"},
		  {"no-AEAD_AES_128_GCM"});
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(Sdp(r.sdp()).crypto_value().substr(0, 26),
		  "1 AES_CM_128_HMAC_SHA1_80 ") << "the next in the operator's order";
	r = offer(plain, "RTP/SAVP", {"core", "access"},
		  {"only-AES_256_CM_HMAC_SHA1_80"});
	EXPECT_EQ(r.result(), "error") << "only- cannot widen the operator's list";
}

// SDES session-parameter flags: aegw's own key toward the answerer gets
// or loses them (RFC 4568 6.3), whatever the offerer's line had.
TEST_F(Offer, SdesSessionParameterFlags)
{
	std::string plain = from_core("m=audio 9000 RTP/AVP 0\r\n");
	Reply r = offer(plain, "RTP/SAVP", {"core", "access"},
			{"unencrypted_srtcp"});
	ASSERT_EQ(r.result(), "ok") << r.raw();
	std::string line = Sdp(r.sdp()).crypto_value();
	EXPECT_NE(line.find(" UNENCRYPTED_SRTCP"), std::string::npos) << line;
	EXPECT_EQ(line.find("UNENCRYPTED_SRTP "), std::string::npos) << line;

	std::string savp = "v=0\r\no=- 1 1 IN IP6 fd00:a::2\r\ns=-\r\nt=0 0\r\n"
			   "m=audio 7000 RTP/SAVP 0\r\nc=IN IP6 fd00:a::2\r\n"
			   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey +
			   " UNENCRYPTED_SRTP\r\n";
	std::vector<std::pair<std::string, std::string>> kv = {
		{"command", S("offer")}, {"call-id", S("params")},
		{"from-tag", S("f")}, {"sdp", S(savp)}, {"flags", L({"recrypt"})}};
	r = ask(D(kv));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_NE(Sdp(r.sdp()).crypto_value().find("UNENCRYPTED_SRTP"),
		  std::string::npos) << "the offerer's, by default";
	kv[1].second = S("params2");
	kv.push_back({"SDES", L({"encrypted_srtp"})});
	r = ask(D(kv));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(Sdp(r.sdp()).crypto_value().find("UNENCRYPTED_SRTP"),
		  std::string::npos) << Sdp(r.sdp()).crypto_value();

	r = offer(plain, "RTP/SAVP", {"core", "access"},
		  {"only-AEAD_AES_128_GCM", "unauthenticated_srtp"});
	EXPECT_EQ(r.result(), "error") << r.raw();
	EXPECT_NE(r.reason().find("session parameters"), std::string::npos)
		<< r.raw();
}

// TS 33.328 7.1 in-process: terminating e2ae only toward a UE registered
// with e2ae on a `preferred` access network; a UE's e2ae request not
// honoured where the network said it is not supported (e2e instead).
TEST_F(Offer, RegistrationStoreDecides)
{
	char err[160];
	ASSERT_EQ(ctl_e2ae_policy_add(&c.opt, "3GPP-E-UTRAN-FDD=preferred", err,
				      sizeof(err)), 0) << err;
	ASSERT_EQ(ctl_e2ae_policy_add(&c.opt, "IEEE-802.11=off", err,
				      sizeof(err)), 0) << err;
	auto reg = [&](const std::string &id, const char *e2ae, const char *access) {
		return ask(D({{"command", S("register")}, {"ue-identity", S(id)},
			      {"e2ae-security", S(e2ae)},
			      {"access-network", S(access)}, {"expires", "i600e"}}));
	};
	EXPECT_EQ(reg("sip:pref@x", "supported", "3GPP-E-UTRAN-FDD")
			  .str({"e2ae-security-network"}), "supported");
	EXPECT_EQ(reg("sip:nr@x", "supported", "3GPP-NR-FDD")
			  .str({"e2ae-security-network"}), "supported");
	EXPECT_EQ(reg("sip:nosupp@x", "not-supported", "3GPP-E-UTRAN-FDD")
			  .str({"e2ae-security-network"}), "not-supported");
	EXPECT_EQ(reg("sip:wlan@x", "supported", "IEEE-802.11")
			  .str({"e2ae-security-network"}), "not-supported");

	std::string core = from_core("m=audio 9000 RTP/AVP 0\r\n");
	auto term = [&](const std::string &id) {
		return ask(D({{"command", S("offer")},
			      {"call-id", S("t" + std::to_string(n))},
			      {"from-tag", S("f")}, {"sdp", S(core)},
			      {"direction", L({"core", "access"})},
			      {"ue-identity", S(id)}}));
	};
	Reply r = term("sip:pref@x");
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(Sdp(r.sdp()).proto(), "RTP/SAVP");
	EXPECT_EQ(Sdp(r.sdp()).n_crypto(), 1u);
	// The same in Kamailio's flag string (rtpp-flags): aegw's own keys
	// ride in it as any other.
	r = ask(D({{"command", S("offer")}, {"call-id", S("t-rtpp")},
		   {"from-tag", S("f")}, {"sdp", S(core)},
		   {"rtpp-flags", S("direction=core direction=access "
				    "ue-identity=sip:pref@x")}}));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(Sdp(r.sdp()).proto(), "RTP/SAVP") << "rtpp-flags";
	for (const char *id : {"sip:nr@x", "sip:nosupp@x", "sip:nobody@x",
			       "SIP:pref@x"}) {
		r = term(id);
		ASSERT_EQ(r.result(), "ok") << r.raw();
		EXPECT_EQ(Sdp(r.sdp()).proto(), "RTP/AVP") << id;
		EXPECT_EQ(Sdp(r.sdp()).n_crypto(), 0u) << id;
	}

	// Originating: the UE on WLAN (off) asks for e2ae all the same.
	std::string crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey + "\r\n";
	std::string ue = "v=0\r\no=- 1 1 IN IP6 fd00:a::2\r\ns=-\r\n"
			 "c=IN IP6 fd00:a::2\r\nt=0 0\r\n"
			 "m=audio 7000 RTP/SAVP 0\r\n" + crypto + "a=3ge2ae:requested\r\n";
	auto orig = [&](const std::string &id) {
		return ask(D({{"command", S("offer")},
			      {"call-id", S("o" + std::to_string(n))},
			      {"from-tag", S("f")}, {"sdp", S(ue)},
			      {"offerer-ue-identity", S(id)}}));
	};
	r = orig("sip:wlan@x");
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(Sdp(r.sdp()).proto(), "RTP/SAVP") << "e2e: as offered";
	EXPECT_NE(r.sdp().find(crypto), std::string::npos) << "the UE's own key";
	EXPECT_EQ(r.sdp().find("3ge2ae"), std::string::npos) << r.sdp();
	for (const char *id : {"sip:pref@x", "sip:nobody@x"}) {
		r = orig(id);
		ASSERT_EQ(r.result(), "ok") << r.raw();
		EXPECT_EQ(Sdp(r.sdp()).proto(), "RTP/AVP") << id << ": e2ae";
		EXPECT_EQ(r.sdp().find(kKey), std::string::npos) << id;
	}
	r = ask(D({{"command", S("offer")}, {"call-id", S("bad")},
		   {"from-tag", S("f")}, {"sdp", S(core)}, {"ue-identity", "i1e"}}));
	EXPECT_EQ(r.result(), "error");
	EXPECT_NE(r.reason().find("key 'ue-identity' at byte "), std::string::npos)
		<< r.raw();
	EXPECT_NE(r.reason().find(" must be a string"), std::string::npos);
}

} // namespace

// rtpengine's SIP-source-address with received-from: the UE's media is
// expected from where its SIP came (behind NAT), on the SDP's port; without
// the flag (trust-address, rtpengine's default) the SDP's address stands.
TEST_F(Offer, SipSourceAddressTakesReceivedFrom)
{
	std::string sdp = "v=0\r\no=- 1 1 IN IP6 fd00:a::2\r\ns=-\r\n"
			  "c=IN IP6 fd00:a::2\r\nt=0 0\r\n"
			  "m=audio 7000 RTP/AVP 0\r\n";
	auto peer_of = [&](const char *call_id) {
		const ctl_call *call = ctl_call_find(&c.calls, call_id, strlen(call_id));
		char txt[64] = "";
		if (!call || !call->has_pending)
			return std::string("no call");
		const aegw_endpoint &p = call->pending[0].leg[call->offerer].peer;
		if (p.family)
			inet_ntop(p.family == 4 ? AF_INET : AF_INET6, p.ip, txt,
				  sizeof(txt));
		return std::string(txt) + " " + std::to_string(p.port);
	};
	auto ask_offer = [&](const std::string &id,
			     const std::vector<std::string> &flags,
			     const std::vector<std::string> &from) {
		std::vector<std::pair<std::string, std::string>> kv = {
			{"command", S("offer")}, {"call-id", S(id)},
			{"from-tag", S("f")}, {"sdp", S(sdp)},
			{"transport-protocol", S("RTP/AVP")},
			{"received-from", L(from)}};
		if (!flags.empty())
			kv.push_back({"flags", L(flags)});
		return ask(D(kv));
	};

	ASSERT_EQ(ask_offer("nat", {"SIP-source-address"}, {"IP6", "fd00:a::99"})
			  .result(), "ok");
	EXPECT_EQ(peer_of("nat"), "fd00:a::99 7000");
	// rtpengine hyphenates: a space is the same flag.
	ASSERT_EQ(ask_offer("nat2", {"SIP source address"}, {"IP6", "fd00:a::98"})
			  .result(), "ok");
	EXPECT_EQ(peer_of("nat2"), "fd00:a::98 7000");
	ASSERT_EQ(ask_offer("trust", {}, {"IP6", "fd00:a::99"}).result(), "ok");
	EXPECT_EQ(peer_of("trust"), "fd00:a::2 7000");
	ASSERT_EQ(ask_offer("bad", {"SIP-source-address"}, {"IP6", "not-an-ip"})
			  .result(), "ok");
	EXPECT_EQ(peer_of("bad"), "fd00:a::2 7000") << "unusable: the SDP's";
	ASSERT_EQ(ask_offer("fam", {"SIP-source-address"}, {"IPX", "fd00:a::99"})
			  .result(), "ok");
	EXPECT_EQ(peer_of("fam"), "fd00:a::2 7000");
	// The address alone (rtpengine's string form, as Kamailio's flag
	// string would carry it): its family told from it.
	ASSERT_EQ(ask_offer("alone", {"SIP-source-address"}, {"fd00:a::97"})
			  .result(), "ok");
	EXPECT_EQ(peer_of("alone"), "fd00:a::97 7000");
	ASSERT_EQ(ask(D({{"command", S("offer")}, {"call-id", S("rtpp")},
			 {"from-tag", S("f")}, {"sdp", S(sdp)},
			 {"rtpp-flags", S("RTP/AVP SIP-source-address "
					  "received-from=fd00:a::96")}}))
			  .result(), "ok");
	EXPECT_EQ(peer_of("rtpp"), "fd00:a::96 7000");
}

// SDES off: nothing changes where aegw gives no key (plain toward the
// answerer); where it would have to (SRTP toward the answerer), the offer
// fails, as aegw has no other key exchange than SDES.
TEST_F(Offer, SdesOffRefusesToKeyALeg)
{
	std::string sdp = from_core("m=audio 9000 RTP/AVP 0\r\n");
	for (const char *word : {"off", "no", "disable", "disabled"}) {
		Reply r = offer(sdp, "RTP/SAVP", {"core", "access"}, {word});
		EXPECT_EQ(r.result(), "error") << word << ": " << r.raw();
		EXPECT_NE(r.reason().find("SDES off"), std::string::npos) << r.raw();
	}
	Reply plain = offer(sdp, "RTP/AVP", {"core", "access"}, {"off"});
	ASSERT_EQ(plain.result(), "ok") << plain.raw();
	EXPECT_EQ(plain.sdp().find("a=crypto"), std::string::npos);
	Reply keyed = offer(sdp, "RTP/SAVP", {"core", "access"});
	ASSERT_EQ(keyed.result(), "ok") << keyed.raw();
	EXPECT_EQ(Sdp(keyed.sdp()).n_crypto(), 1u) << "without the flag";
}

// rtpengine reads "SDES-...", "replace-..." and "rtcp-mux-..." in flags
// as items of those keys; OpenSIPS sends them so, and Kamailio passes on
// flags it does not know. A flags string (Kamailio's flags=) works alike.
TEST_F(Offer, PrefixedFlagsActAsTheirKeys)
{
	std::string sdp = from_core("m=audio 9000 RTP/AVP 0\r\na=rtcp-mux\r\n");
	auto with_flags = [&](const std::string &flags_value) {
		return ask(D({{"command", S("offer")},
			      {"call-id", S("pf" + std::to_string(n))},
			      {"from-tag", S("f")}, {"sdp", S(sdp)},
			      {"transport-protocol", S("RTP/SAVP")},
			      {"direction", L({"core", "access"})},
			      {"flags", flags_value}}));
	};
	Reply r = with_flags(L({"SDES-no-AES_CM_128_HMAC_SHA1_80",
				"SDES-no-AES_CM_128_HMAC_SHA1_32",
				"replace-origin", "rtcp-mux-demux"}));
	ASSERT_EQ(r.result(), "ok") << r.raw();
	Sdp out(r.sdp());
	EXPECT_EQ(out.crypto_value().find("1 AES_CM_128_HMAC_SHA1_"),
		  std::string::npos) << "SDES-no-: " << r.sdp();
	EXPECT_EQ(out.origin_addr(), "fd00:a::1") << "replace-origin";
	EXPECT_FALSE(out.has_line("a=rtcp-mux")) << "rtcp-mux-demux";

	Reply off = with_flags(S("SDES-off"));
	EXPECT_EQ(off.result(), "error") << off.raw();
	EXPECT_NE(off.reason().find("SDES off"), std::string::npos) << off.raw();

	Reply plain = with_flags(S("loop-protect"));
	ASSERT_EQ(plain.result(), "ok") << plain.raw();
	EXPECT_TRUE(Sdp(plain.sdp()).has_line("a=rtcp-mux")) << "as offered";
	EXPECT_NE(Sdp(plain.sdp()).origin_addr(), "fd00:a::1");
}

// Kamailio 5.8 on, when a script gives rtpengine_offer() its via-branch
// argument, sends no direction, SDES or transport keys: the script's
// flags come as one "rtpp-flags" string (the module's code), which must
// act as the keys would. from-interface and to-interface are direction's
// other spelling.
TEST_F(Offer, RtppFlagsActAsTheKeys)
{
	std::string sdp = from_core("m=audio 9000 RTP/AVP 0\r\na=rtcp-mux\r\n");
	auto kamailio6 = [&](const std::string &flags) {
		return ask(D({{"supports", L({"load limit"})}, {"sdp", S(sdp)},
			      {"call-id", S("k6-" + std::to_string(n))},
			      {"via-branch", S("z9hG4bK.1")}, {"from-tag", S("f")},
			      {"command", S("offer")},
			      {"sip-message-type", S("SIP request")},
			      {"rtpp-flags", S(flags)}}));
	};
	Reply r = kamailio6("replace-origin RTP/SAVP direction=core "
			    "direction=access rtcp-mux-demux "
			    "SDES=[no-AES_CM_128_HMAC_SHA1_80 "
			    "no-AES_CM_128_HMAC_SHA1_32]");
	ASSERT_EQ(r.result(), "ok") << r.raw();
	Sdp out(r.sdp());
	EXPECT_EQ(out.proto(0), "RTP/SAVP") << r.sdp();
	EXPECT_EQ(out.conn(), "fd00:a::1") << "toward access";
	EXPECT_EQ(out.origin_addr(), "fd00:a::1") << "replace-origin";
	EXPECT_EQ(out.n_crypto(0), 1u);
	EXPECT_EQ(out.crypto_value().find("1 AES_CM_128_HMAC_SHA1_"),
		  std::string::npos) << "SDES=[no-...]: " << r.sdp();
	EXPECT_FALSE(out.has_line("a=rtcp-mux")) << "rtcp-mux-demux";

	Reply plain = kamailio6("");
	ASSERT_EQ(plain.result(), "ok") << plain.raw();
	EXPECT_EQ(Sdp(plain.sdp()).proto(0), "RTP/AVP") << "nothing asked";
	EXPECT_EQ(Sdp(plain.sdp()).conn(), "192.168.0.1")
		<< "the second interface toward the answerer when none is named";

	Reply keys = ask(D({{"command", S("offer")}, {"call-id", S("k6-keys")},
			    {"from-tag", S("f")}, {"sdp", S(sdp)},
			    {"transport-protocol", S("RTP/SAVP")},
			    {"from-interface", S("core")},
			    {"to-interface", S("access")}}));
	ASSERT_EQ(keys.result(), "ok") << keys.raw();
	EXPECT_EQ(Sdp(keys.sdp()).conn(), "fd00:a::1");
	EXPECT_EQ(Sdp(keys.sdp()).n_crypto(0), 1u);

	Reply bad = kamailio6("RTP/SAVP SDES=[no-X");
	EXPECT_EQ(bad.result(), "error") << bad.raw();
	EXPECT_NE(bad.reason().find("rtpp-flags"), std::string::npos)
		<< bad.raw();
}

// A transport-protocol aegw cannot translate to is refused by name, not
// taken for nothing asked; "accept" keeps the offer's.
TEST_F(Offer, TransportProtocolsAegwCannotGiveAreRefused)
{
	std::string sdp = from_core("m=audio 9000 RTP/AVP 0\r\n");
	for (const char *p : {"UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVP",
			      "TCP/RTP/AVP", "rtp/avp"}) {
		Reply r = offer(sdp, p, {"core", "access"});
		EXPECT_EQ(r.result(), "error") << p << ": " << r.raw();
		EXPECT_NE(r.reason().find("no DTLS-SRTP"), std::string::npos)
			<< r.raw();
	}
	Reply a = offer(sdp, "accept", {"core", "access"});
	ASSERT_EQ(a.result(), "ok") << a.raw();
	EXPECT_NE(a.sdp().find(" RTP/AVP 0\r\n"), std::string::npos) << a.sdp();
	EXPECT_EQ(a.sdp().find("a=crypto"), std::string::npos) << a.sdp();
}

// aegw relays UDP: a section over TCP (MSRP chat, RFC 4975) passes as it
// came, with the session's address it took (aegw replaces the session
// c=), and gets no ports; a UDP section that is not RTP (T.38 udptl) is
// relayed without an a=rtcp (RFC 3605 is RTP's).
TEST_F(Offer, TcpSectionsPassAndNonRtpGetsNoRtcp)
{
	std::string sdp = from_core(
			"m=audio 9000 RTP/AVP 0\r\n"
			"m=message 7394 TCP/MSRP *\r\na=accept-types:text/plain\r\n"
			"a=path:msrp://192.168.0.2:7394/s111;tcp\r\n"
			"m=image 9002 udptl t38\r\n"
			"a=rtcp:9003 IN IP4 192.168.0.9\r\n"); // the peer's own
	const unsigned before = c.ifaces[0].pool.n_used;
	Reply r = offer(sdp, "", {"core", "access"});
	ASSERT_EQ(r.result(), "ok") << r.raw();
	const std::string out = r.sdp();
	EXPECT_NE(out.find("m=message 7394 TCP/MSRP *\r\n"
			   "c=IN IP4 192.168.0.2\r\n" // where RFC 8866 5 puts it
			   "a=accept-types:text/plain\r\n"
			   "a=path:msrp://192.168.0.2:7394/s111;tcp\r\nm=image "),
		  std::string::npos) << out;
	EXPECT_NE(out.find("c=IN IP6 fd00:a::1\r\n"), std::string::npos)
		<< "the session's c= is aegw's: " << out;
	size_t image = out.find("m=image ");
	ASSERT_NE(image, std::string::npos);
	EXPECT_EQ(out.find("a=rtcp", image), std::string::npos) << out;
	EXPECT_NE(out.substr(0, out.find("m=message")).find("a=rtcp:"),
		  std::string::npos) << "audio has it: " << out;
	EXPECT_NE(out.find("m=image 9002 "), image) << "image is relayed";
	EXPECT_EQ(c.ifaces[0].pool.n_used, before + 2) << "audio and image";
	const ctl_call *k = ctl_call_find(&c.calls, "c0", 2);
	ASSERT_NE(k, nullptr);
	EXPECT_TRUE(k->pending[1].passthrough);
	EXPECT_TRUE(k->pending[1].rejected) << "no streams";
	EXPECT_FALSE(k->pending[2].passthrough);
}

// Every m= gets aegw's own ports, so BUNDLE cannot hold: a=group:BUNDLE
// goes, and neither side bundles (RFC 8843); a=mid stays.
TEST_F(Offer, BundleGroupIsRemoved)
{
	Reply r = offer(from_core(
			"a=group:BUNDLE 0 1\r\n"
			"m=audio 9000 RTP/AVP 0\r\na=mid:0\r\n"
			"m=video 9000 RTP/AVP 96\r\na=mid:1\r\n"),
			"", {"core", "access"});
	ASSERT_EQ(r.result(), "ok") << r.raw();
	EXPECT_EQ(r.sdp().find("a=group"), std::string::npos) << r.sdp();
	EXPECT_NE(r.sdp().find("a=mid:1"), std::string::npos) << r.sdp();
}

// A rejected section (port 0) keeps its port 0 but not the peer's own
// address, nor an a=3ge2ae meant for the P-CSCF.
TEST_F(Offer, RejectedSectionHidesThePeer)
{
	Reply r = offer(from_core(
			"m=audio 9000 RTP/AVP 0\r\n"
			"m=video 0 RTP/AVP 96\r\nc=IN IP4 192.168.0.3\r\n"
			"a=rtcp:9011 IN IP4 192.168.0.7\r\n"
			"a=3ge2ae:requested\r\n"),
			"", {"core", "access"});
	ASSERT_EQ(r.result(), "ok") << r.raw();
	const std::string out = r.sdp();
	EXPECT_NE(out.find("m=video 0 RTP/AVP 96\r\nc=IN IP6 fd00:a::1\r\n"),
		  std::string::npos) << out;
	EXPECT_EQ(out.find("192.168.0.3"), std::string::npos) << out;
	EXPECT_EQ(out.find("192.168.0.7"), std::string::npos)
		<< "nor its a=rtcp: " << out;
	EXPECT_EQ(out.find("3ge2ae"), std::string::npos) << out;
}

// RFC 3264 8.4's older hold, c= 0.0.0.0 (or ::): it passes as it came,
// at either level, so the other side is told; the port is aegw's.
TEST_F(Offer, ZeroAddressHoldPasses)
{
	Reply s = offer("v=0\r\no=- 1 2 IN IP4 192.168.0.2\r\ns=-\r\n"
			"c=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 9000 RTP/AVP 0\r\n",
			"", {"core", "access"});
	ASSERT_EQ(s.result(), "ok") << s.raw();
	EXPECT_NE(s.sdp().find("c=IN IP4 0.0.0.0\r\n"), std::string::npos)
		<< s.sdp();
	EXPECT_EQ(s.sdp().find("fd00:a::1"), std::string::npos) << s.sdp();
	EXPECT_EQ(s.sdp().find("m=audio 9000 "), std::string::npos) << s.sdp();

	Reply m = offer(from_core(
			"m=audio 9000 RTP/AVP 0\r\n"
			"c=IN IP6 ::\r\nm=video 9002 RTP/AVP 96\r\n"),
			"", {"core", "access"});
	ASSERT_EQ(m.result(), "ok") << m.raw();
	const std::string out = m.sdp();
	EXPECT_NE(out.find("c=IN IP6 fd00:a::1\r\nt=0 0"), std::string::npos)
		<< "the session's: aegw's: " << out;
	EXPECT_NE(out.find("c=IN IP6 ::\r\n"), std::string::npos) << out;
	EXPECT_EQ(out.find("192.168.0.2\r\nt="), std::string::npos) << out;
}

// loop-protect: a call between two UEs of one P-CSCF reaches aegw twice
// with one call-id and from-tag. aegw marks every m= of what it sends;
// an SDP marked in every m= comes back unchanged, the call untouched.
TEST_F(Offer, LoopProtectPassesAMarkedSdpUnchanged)
{
	std::string sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\n"
			  "c=IN IP4 10.0.0.2\r\nt=0 0\r\n"
			  "m=audio 7000 RTP/AVP 0\r\nm=video 7002 RTP/AVP 96\r\n";
	auto offer_lp = [&](const std::string &call, const std::string &body,
			    bool protect) {
		std::vector<std::pair<std::string, std::string>> kv = {
			{"command", S("offer")}, {"call-id", S(call)},
			{"from-tag", S("a")}, {"sdp", S(body)}};
		if (protect)
			kv.push_back({"flags", S("loop-protect")});
		return ask(D(kv));
	};
	Reply first = offer_lp("lp", sdp, true);
	ASSERT_EQ(first.result(), "ok") << first.raw();
	const std::string marked = first.sdp();
	size_t a = marked.find("a=rtpengine:"), b = marked.rfind("a=rtpengine:");
	ASSERT_NE(a, std::string::npos) << marked;
	ASSERT_NE(a, b) << "one mark per m=: " << marked;
	const std::string mark = marked.substr(a, marked.find('\r', a) - a);
	EXPECT_EQ(mark.size(), std::string("a=rtpengine:").size() + 16) << mark;
	EXPECT_EQ(marked.substr(b, mark.size()), mark);
	const unsigned used = c.ifaces[1].pool.n_used;

	// The second pass: unchanged, no ports, no call of its own.
	Reply again = offer_lp("lp", marked, true);
	ASSERT_EQ(again.result(), "ok") << again.raw();
	EXPECT_EQ(again.sdp(), marked);
	EXPECT_EQ(c.ifaces[1].pool.n_used, used);
	EXPECT_EQ(c.ifaces[0].pool.n_used, used);
	EXPECT_EQ(c.calls.n_calls, 1u);
	// The answer's second pass carries what aegw sent this call too.
	Reply answer = ask(D({{"command", S("answer")}, {"call-id", S("lp")},
			      {"from-tag", S("a")}, {"to-tag", S("b")},
			      {"sdp", S(marked)}, {"flags", L({"loop-protect"})}}));
	ASSERT_EQ(answer.result(), "ok") << answer.raw();
	EXPECT_EQ(answer.sdp(), marked);
	EXPECT_EQ(c.stats.loop_protected, 2u);
	Reply st = ask(D({{"command", S("statistics")}}));
	EXPECT_EQ(st.num({"statistics", "totalstatistics", "loop-protected"}), 2)
		<< st.raw();
	// The mark is no secret: in an SDP aegw did not send, or in another
	// call, it passes nothing around aegw.
	std::string forged = sdp;
	const std::string mark_line = mark + "\r\n";
	forged.insert(forged.find("m=video"), mark_line);
	forged += mark_line;
	Reply f = offer_lp("lp", forged, true);
	ASSERT_EQ(f.result(), "ok") << f.raw();
	EXPECT_NE(f.sdp(), forged) << "run as a re-offer";
	EXPECT_EQ(offer_lp("lp-other", marked, true).sdp().find("c=IN IP4 10.0.0.2"),
		  std::string::npos) << "another call: run";
	EXPECT_EQ(c.stats.loop_protected, 2u);
	ask(D({{"command", S("delete")}, {"call-id", S("lp-other")},
	       {"from-tag", S("a")}}));

	// Marked in one m= only, another daemon's mark, or no flag: run.
	size_t cut = marked.find("m=video");
	std::string half = marked.substr(0, cut) +
			   "m=video 7002 RTP/AVP 96\r\n";
	EXPECT_NE(offer_lp("lp2", half, true).sdp(), half);
	std::string other = marked;
	other.replace(a + 12, 4, "zzzz");
	other.replace(b + 12, 4, "zzzz");
	EXPECT_NE(offer_lp("lp3", other, true).sdp(), other);
	Reply plain = offer_lp("lp4", marked, false);
	ASSERT_EQ(plain.result(), "ok") << plain.raw();
	EXPECT_NE(plain.sdp(), marked);
	EXPECT_EQ(c.calls.n_calls, 4u);
	EXPECT_EQ(offer_lp("lp5", sdp, false).sdp().find("a=rtpengine:"),
		  std::string::npos) << "no flag, no mark";
}

// aegw is no ICE agent: a peer's candidates never pass (they would name
// the peer, not the address aegw put in c= and m=), whatever the request
// says; a request that wants aegw to do ICE gets a clear error.
TEST_F(Offer, IceLinesNeverPassAndIceForceIsRefused)
{
	std::string sdp = from_core(
			"a=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
			"m=audio 9000 RTP/AVP 0\r\n"
			"a=candidate:1 1 UDP 2130706431 192.168.0.2 9000 typ host\r\n"
			"a=end-of-candidates\r\n");
	auto ask_ice = [&](const std::string &ice) {
		std::vector<std::pair<std::string, std::string>> kv = {
			{"command", S("offer")}, {"call-id", S("ice" + std::to_string(n))},
			{"from-tag", S("f")}, {"sdp", S(sdp)},
			{"direction", L({"core", "access"})}};
		if (!ice.empty())
			kv.push_back({"ICE", S(ice)});
		return ask(D(kv));
	};
	for (const char *ice : {"", "remove", "default"}) {
		Reply r = ask_ice(ice);
		ASSERT_EQ(r.result(), "ok") << ice << ": " << r.raw();
		EXPECT_EQ(r.sdp().find("candidate"), std::string::npos) << r.sdp();
		EXPECT_EQ(r.sdp().find("a=ice-"), std::string::npos) << r.sdp();
		EXPECT_NE(r.sdp().find("m=audio"), std::string::npos);
	}
	for (const char *ice : {"force", "force-relay"}) {
		Reply r = ask_ice(ice);
		EXPECT_EQ(r.result(), "error") << ice;
		EXPECT_NE(r.reason().find("not an ICE agent"), std::string::npos)
			<< r.raw();
	}
}
