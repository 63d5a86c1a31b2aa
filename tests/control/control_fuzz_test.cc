// Untrusted input into aegw-control's ng handler, in-process and without a
// dataplane (the ring says "no dataplane", so an answer fails at install,
// after every SDP path has run): Kamailio's datagrams and other requests
// (the registration store's register, lookup, deregister among them)
// mutated at random (flipped, inserted, deleted, duplicated bytes and cut
// lengths), and well-framed offers and answers whose SDP alone is mutated,
// so the SDP and a=crypto paths see garbage too. Deterministic (fixed
// seed), under this build's ASan and UBSan. Every reply must be a framed
// dictionary with a result; at the end every call is deleted and no port
// and no key slot may be left.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "ng_client.h"

extern "C" {
#include "aegw/ng.h"
#include "ctl.h"
#include "log.h"
#include "ng_commands.h"
#include "secret.h"
}

using namespace ngtest;

namespace {

const char *const kUeSdp =
	"v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 42010 RTP/SAVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\na=rtcp:42011 IN IP4 127.0.0.1\r\na=rtcp-mux\r\n"
	"a=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
	"a=candidate:1 1 UDP 2130706431 127.0.0.1 42010 typ host\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^20|1:4\r\n"
	"a=crypto:2 AEAD_AES_256_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKis=\r\n"
	"a=3ge2ae:requested\r\n"
	"m=video 42020 RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\n"
	"a=crypto:7 AES_256_CM_HMAC_SHA1_32 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v KDR=12\r\n";
const char *const kCoreSdp =
	"v=0\r\no=- 1 1 IN IP6 fd00::2\r\ns=-\r\nc=IN IP6 fd00::2\r\nt=0 0\r\n"
	"m=audio 9000 RTP/AVP 0\r\na=rtcp-mux\r\nm=video 0 RTP/AVPF 96\r\n";

class Fuzz : public ::testing::Test {
protected:
	ctl c{};
	std::vector<char> out = std::vector<char>(CTL_NG_REPLY_MAX);
	const uint8_t peer[NG_CACHE_PEER_LEN] = {4, 127, 0, 0, 1};
	std::mt19937 rng{20240601};

	void SetUp() override
	{
		ctl_options o;
		char err[200];
		const char *argv[] = {"aegw-control", "--interface",
				      "access=10.0.0.1/20000-20199@0", "--interface",
				      "core=192.168.0.1/30000-30099@1", "--instance",
				      "nosuchfuzz", "--log-level", "0",
				      "--e2ae-policy", "*=preferred"};
		ASSERT_EQ(ctl_options_parse(&o, 11, const_cast<char **>(argv), err,
					    sizeof(err)), 0) << err;
		ctl_log_set_level(CTL_LOG_ERR);
		ASSERT_EQ(ctl_init(&c, &o, err, sizeof(err)), 0) << err;
		c.ring.n_workers = 2; // as if a dataplane had been seen
	}

	void TearDown() override
	{
		ctl_fini(&c);
		EXPECT_EQ(ctl_secret_in_use(), 0u) << "a key slot leaked";
	}

	std::string handle(const std::string &msg)
	{
		size_t n = ctl_ng_handle(&c, peer, msg.data(), msg.size(),
					 out.data(), out.size());
		return std::string(out.data(), n);
	}

	unsigned pick(unsigned n) { return unsigned(rng() % n); }

	std::string mutate(std::string s)
	{
		for (unsigned k = 1 + pick(4); k > 0 && !s.empty(); k--) {
			size_t at = pick(unsigned(s.size())), len = 1 + pick(8);
			switch (pick(6)) {
			case 0: s[at] = char(rng()); break;
			case 1: s.insert(at, 1, char(rng())); break;
			case 2: s.erase(at, len); break;
			case 3: s.insert(at, s.substr(at, len)); break;
			case 4: s.resize(at); break;
			case 5: s[at] = "0123456789:edil \r\n="[pick(19)]; break;
			}
		}
		return s;
	}

	std::string cookie() { return "f" + std::to_string(rng() % 100000) + " "; }

	unsigned ok_replies = 0;

	void check_reply(const std::string &r, const std::string &msg)
	{
		static aegw_benc_node nodes[1024];
		aegw_ng_msg m;

		if (r.empty())
			return; // no cookie to answer to
		ASSERT_EQ(aegw_ng_parse(r.data(), r.size(), nodes, 1024, &m,
					nullptr), 0) << r << "\nfor: " << msg;
		ASSERT_TRUE(aegw_benc_is_str(aegw_benc_dict_get(m.dict, "result")))
			<< r;
		ok_replies += aegw_benc_str_eq(aegw_benc_dict_get(m.dict, "result"),
					       "ok");
	}
};

TEST_F(Fuzz, MutatedMessages)
{
	const std::vector<std::string> seeds = {
		"c d7:command4:pinge",
		"c " + D({{"command", S("offer")}, {"call-id", S("a")},
			  {"from-tag", S("x")}, {"sdp", S(kUeSdp)},
			  {"transport-protocol", S("RTP/AVP")},
			  {"SDES", L({"no-AES_CM_128_HMAC_SHA1_32", "only-AEAD_AES_256_GCM"})},
			  {"direction", L({"access", "core"})},
			  {"ICE", S("remove")}, {"replace", L({"origin"})},
			  {"flags", L({"recrypt"})}, {"supports", L({"load limit"})}}),
		"c " + D({{"command", S("answer")}, {"call-id", S("a")},
			  {"from-tag", S("x")}, {"to-tag", S("y")},
			  {"sdp", S(kCoreSdp)}}),
		"c " + D({{"command", S("query")}, {"call-id", S("a")}}),
		"c " + D({{"command", S("list")}, {"limit", S("5")}}),
		"c " + D({{"command", S("statistics")}}),
		"c " + D({{"command", S("delete")}, {"call-id", S("a")}}),
		"c " + D({{"command", S("register")}, {"ue-identity", S("sip:ue@x")},
			  {"e2ae-security", S("supported")}, {"expires", "i600e"},
			  {"access-network", S("3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=1")},
			  {"flags", L({"e2ae-security-supported"})}}),
		"c " + D({{"command", S("lookup")}, {"ue-identity", S("sip:ue@x")}}),
		"c " + D({{"command", S("deregister")}, {"ue-identity", S("sip:ue@x")}}),
		"c " + D({{"command", S("offer")}, {"call-id", S("t")},
			  {"from-tag", S("x")}, {"sdp", S(kCoreSdp)},
			  {"ue-identity", S("sip:ue@x")},
			  {"offerer-ue-identity", S("sip:ue@x")}}),
	};
	for (unsigned i = 0; i < 20000; i++) {
		std::string msg = mutate(seeds[pick(unsigned(seeds.size()))]);
		check_reply(handle(msg), msg);
		if (HasFatalFailure())
			return;
	}
}

TEST_F(Fuzz, OfferAnswerWithMutatedSdp)
{
	for (unsigned i = 0; i < 5000; i++) {
		std::string id = "call" + std::to_string(i % 40);
		std::string o = cookie() + D({{"command", S("offer")},
			{"call-id", S(id)}, {"from-tag", S("ue")},
			{"sdp", S(mutate(kUeSdp))},
			{"transport-protocol", S(i % 3 ? "RTP/AVP" : "RTP/SAVP")}});
		std::string a = cookie() + D({{"command", S("answer")},
			{"call-id", S(id)}, {"from-tag", S("ue")}, {"to-tag", S("co")},
			{"sdp", S(mutate(kCoreSdp))}});
		check_reply(handle(o), o);
		check_reply(handle(a), a);
		if (i % 7 == 0)
			handle(cookie() + D({{"command", S("delete")},
					     {"call-id", S(id)}}));
		if (HasFatalFailure())
			return;
	}
	// Many mutations still parse as SDP: the policy, the keys and the
	// rewrite ran for them.
	EXPECT_GT(ok_replies, 500u);
	std::cout << ok_replies << " of 5000 offers succeeded (answers stop at the install)\n";
	for (unsigned i = 0; i < 40; i++)
		handle("end" + std::to_string(i) + " " +
		       D({{"command", S("delete")},
			  {"call-id", S("call" + std::to_string(i))}}));
	EXPECT_EQ(c.calls.n_calls, 0u);
	for (unsigned i = 0; i < c.n_ifaces; i++)
		EXPECT_EQ(c.ifaces[i].pool.n_used, 0u) << "ports leaked";
}

} // namespace
