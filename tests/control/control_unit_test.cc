// aegw-control's pieces in-process, with no dataplane: the port pools
// (the worker rule for both legs of a media, exhaustion, release, adoption),
// the retransmission cache (per peer, expiry, eviction), the command line,
// the TS 33.328 policy table, and the TCP framing of ng messages cut at
// every length.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "aegw/ring.h"
#include "ng_cache.h"
#include "ng_server.h"
#include "options.h"
#include "policy.h"
#include "ports.h"
}

namespace {

// ---- ports ------------------------------------------------------------

struct Pool {
	ctl_port_pool p{};
	Pool(uint16_t lo, uint16_t hi) { EXPECT_EQ(ctl_pool_init(&p, lo, hi), 0); }
	~Pool() { ctl_pool_fini(&p); }
};

TEST(Ports, RangeHoldsEvenOddPairsOnly)
{
	Pool a(20001, 20010); // pairs 20002/3 .. 20008/9
	EXPECT_EQ(a.p.n_pairs, 4u);
	Pool b(20000, 20000); // no room for RTCP
	EXPECT_EQ(b.p.n_pairs, 0u);
	EXPECT_EQ(ctl_pool_take(&b.p, 0, 1), 0);
}

TEST(Ports, EveryPortBelongsToTheWorkerAskedFor)
{
	for (unsigned workers = 1; workers <= 5; workers++) {
		Pool a(30000, 30099);
		for (unsigned w = 0; w < workers; w++) {
			uint16_t port;
			while ((port = ctl_pool_take(&a.p, w, workers))) {
				EXPECT_EQ(port % 2, 0);
				EXPECT_EQ(aegw_ring_worker_for_port(port, workers), w);
				EXPECT_EQ(aegw_ring_worker_for_port(port + 1, workers), w);
			}
		}
		EXPECT_EQ(ctl_pool_free_pairs(&a.p), 0u) << workers;
	}
}

TEST(Ports, BothLegsOfAMediaShareAWorker)
{
	Pool acc(20000, 20199), core(31001, 31300);
	unsigned rr = 0, n = 0;
	uint16_t pa, pc;

	while (ctl_pool_take_two(&acc.p, &core.p, 3, &rr, &pa, &pc) == 0) {
		EXPECT_EQ(aegw_ring_worker_for_port(pa, 3),
			  aegw_ring_worker_for_port(pc, 3));
		n++;
	}
	EXPECT_EQ(n, 100u); // the smaller pool, all of it
	EXPECT_EQ(pa, 0);
	EXPECT_EQ(pc, 0);
	EXPECT_EQ(acc.p.n_used, 100u) << "a failed try gives its port back";
}

TEST(Ports, OnePoolForBothLegsGivesTwoPairs)
{
	Pool p(20000, 20007); // 4 pairs, 2 per worker
	unsigned rr = 0;
	uint16_t a, b;

	ASSERT_EQ(ctl_pool_take_two(&p.p, &p.p, 2, &rr, &a, &b), 0);
	EXPECT_NE(a, b);
	ASSERT_EQ(ctl_pool_take_two(&p.p, &p.p, 2, &rr, &a, &b), 0);
	EXPECT_EQ(ctl_pool_take_two(&p.p, &p.p, 2, &rr, &a, &b), -1);
}

TEST(Ports, ReleasedAndReservedPairs)
{
	Pool p(20000, 20003); // 2 pairs
	uint16_t a = ctl_pool_take(&p.p, 0, 1), b = ctl_pool_take(&p.p, 0, 1);

	ASSERT_NE(a, 0);
	ASSERT_NE(b, 0);
	EXPECT_EQ(ctl_pool_take(&p.p, 0, 1), 0);
	ctl_pool_put(&p.p, uint16_t(b + 1)); // the RTCP port names the pair
	EXPECT_EQ(ctl_pool_take(&p.p, 0, 1), b);
	ctl_pool_put(&p.p, a);
	ctl_pool_put(&p.p, a); // twice is harmless
	EXPECT_EQ(p.p.n_used, 1u);
	EXPECT_TRUE(ctl_pool_reserve(&p.p, a));
	EXPECT_FALSE(ctl_pool_reserve(&p.p, a));
	EXPECT_FALSE(ctl_pool_reserve(&p.p, 40000)); // not in the pool
	EXPECT_EQ(ctl_pool_free_pairs(&p.p), 0u);
}

// ---- retransmission cache ---------------------------------------------

struct Cache {
	ng_cache c{};
	Cache(unsigned max, unsigned ttl) { EXPECT_EQ(ng_cache_init(&c, max, ttl), 0); }
	~Cache() { ng_cache_fini(&c); }
	std::string get(const uint8_t *peer, const std::string &cookie, uint64_t now)
	{
		size_t n = 0;
		const char *r = ng_cache_get(&c, peer, cookie.data(), cookie.size(),
					     &n, now);
		return r ? std::string(r, n) : "<none>";
	}
	void put(const uint8_t *peer, const std::string &cookie,
		 const std::string &reply, uint64_t now)
	{
		ng_cache_put(&c, peer, cookie.data(), cookie.size(), reply.data(),
			     reply.size(), now);
	}
};

constexpr uint64_t kSec = 1000000000ull;
const uint8_t kPeerA[NG_CACHE_PEER_LEN] = {4, 127, 0, 0, 1};
const uint8_t kPeerB[NG_CACHE_PEER_LEN] = {4, 10, 0, 0, 9};

TEST(NgCache, SameCookieSamePeerOnly)
{
	Cache c(16, 30);
	c.put(kPeerA, "1_2_3", "1_2_3 d6:result2:oke", 1 * kSec);
	EXPECT_EQ(c.get(kPeerA, "1_2_3", 2 * kSec), "1_2_3 d6:result2:oke");
	EXPECT_EQ(c.get(kPeerB, "1_2_3", 2 * kSec), "<none>");
	EXPECT_EQ(c.get(kPeerA, "1_2_4", 2 * kSec), "<none>");
	c.put(kPeerA, "1_2_3", "other", 3 * kSec); // the first reply stays
	EXPECT_EQ(c.get(kPeerA, "1_2_3", 3 * kSec), "1_2_3 d6:result2:oke");
}

TEST(NgCache, EntriesExpire)
{
	Cache c(16, 30);
	c.put(kPeerA, "a", "ra", 0);
	c.put(kPeerA, "b", "rb", 10 * kSec);
	EXPECT_EQ(c.get(kPeerA, "a", 29 * kSec), "ra");
	EXPECT_EQ(c.get(kPeerA, "a", 30 * kSec), "<none>");
	EXPECT_EQ(c.get(kPeerA, "b", 30 * kSec), "rb");
	EXPECT_EQ(c.c.n, 1u);
}

TEST(NgCache, OldestEvictedWhenFull)
{
	Cache c(3, 30);
	for (int i = 0; i < 5; i++)
		c.put(kPeerA, "c" + std::to_string(i), "r" + std::to_string(i), 0);
	EXPECT_EQ(c.c.n, 3u);
	EXPECT_EQ(c.get(kPeerA, "c0", 1), "<none>");
	EXPECT_EQ(c.get(kPeerA, "c1", 1), "<none>");
	EXPECT_EQ(c.get(kPeerA, "c4", 1), "r4");
}

// ---- command line -----------------------------------------------------

TEST(Options, InterfaceSpellings)
{
	ctl_iface_cfg f;
	char err[200];

	ASSERT_EQ(ctl_iface_parse("access=10.0.0.1/20000-29999@0", 5, &f, err,
				  sizeof(err)), 0) << err;
	EXPECT_STREQ(f.name, "access");
	EXPECT_STREQ(f.addr_text, "10.0.0.1");
	EXPECT_EQ(f.addr.family, 4);
	EXPECT_EQ(f.port_min, 20000);
	EXPECT_EQ(f.port_max, 29999);
	EXPECT_EQ(f.dpdk_port, 0);
	ASSERT_EQ(ctl_iface_parse("core=fd00:c::1", 1, &f, err, sizeof(err)), 0);
	EXPECT_EQ(f.addr.family, 6);
	EXPECT_STREQ(f.addr_text, "fd00:c::1");
	EXPECT_EQ(f.port_min, CTL_DEFAULT_PORT_MIN);
	EXPECT_EQ(f.dpdk_port, 1) << "the position is the default DPDK port";
	ASSERT_EQ(ctl_iface_parse("v6=[fd00::1]/40000-40001@3", 0, &f, err,
				  sizeof(err)), 0);
	EXPECT_EQ(f.dpdk_port, 3);
	for (const char *bad : {"access", "=10.0.0.1", "a=10.0.0.300",
				"a=10.0.0.1/20000", "a=10.0.0.1/2-1",
				"a=10.0.0.1@x", "a=10.0.0.1/0-100", "a b=10.0.0.1",
				"a=host.example"})
		EXPECT_NE(ctl_iface_parse(bad, 0, &f, err, sizeof(err)), 0) << bad;
}

int parse(std::vector<const char *> args, ctl_options *o, std::string *err)
{
	char msg[256] = "";
	args.insert(args.begin(), "aegw-control");
	int rc = ctl_options_parse(o, int(args.size()),
				   const_cast<char **>(args.data()), msg,
				   sizeof(msg));
	*err = msg;
	return rc;
}

TEST(Options, CommandLine)
{
	ctl_options o;
	std::string err;

	ASSERT_EQ(parse({"--listen-ng", "127.0.0.1:2223", "--listen-ng",
			 "[::1]:2224", "--listen-tcp-ng", "127.0.0.1:2225",
			 "--instance", "gw", "--interface", "access=10.0.0.1",
			 "--interface", "core=192.168.0.1", "--max-sessions", "7"},
			&o, &err), 0) << err;
	EXPECT_EQ(o.n_udp, 2u);
	EXPECT_EQ(o.n_tcp, 1u);
	EXPECT_STREQ(o.instance, "gw");
	EXPECT_EQ(o.n_ifaces, 2u);
	EXPECT_EQ(o.max_sessions, 7u);
	ASSERT_EQ(parse({"--interface", "a=10.0.0.1"}, &o, &err), 0);
	EXPECT_EQ(o.n_udp, 1u) << "a default listener";
	EXPECT_EQ(parse({"--help"}, &o, &err), 1);
	EXPECT_EQ(parse({}, &o, &err), -1);
	EXPECT_NE(err.find("interface"), std::string::npos);
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1/20000-20099", "--interface",
			 "b=10.0.0.1/20050-20199"}, &o, &err), -1);
	EXPECT_NE(err.find("share"), std::string::npos) << err;
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--interface",
			 "a=10.0.0.2"}, &o, &err), -1);
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--instance", "a/b"}, &o,
			&err), -1);
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--bogus"}, &o, &err), -1);
	EXPECT_EQ(parse({"--interface", "a=10.0.0.1", "--listen-ng", "2223"},
			&o, &err), -1);
}

// ---- policy (TS 33.328) -----------------------------------------------

constexpr auto AVP = AEGW_SDP_PROTO_RTP_AVP, SAVP = AEGW_SDP_PROTO_RTP_SAVP,
	       SAVPF = AEGW_SDP_PROTO_RTP_SAVPF, AVPF = AEGW_SDP_PROTO_RTP_AVPF,
	       NONE = AEGW_SDP_PROTO_OTHER;

struct PolicyRow {
	const char *what;
	ctl_policy_in in;
	ctl_mode mode;
	bool srtp_off, srtp_ans;
	aegw_sdp_proto toward;
	bool error;
};

TEST(Policy, Table)
{
	const PolicyRow rows[] = {
		{"Kamailio's e2ae: SAVP, asked AVP", {SAVP, AVP, true, false, false, false},
		 CTL_MODE_E2AE, true, false, AVP, false},
		{"3ge2ae requested, nothing asked", {SAVP, NONE, true, false, true, false},
		 CTL_MODE_E2AE, true, false, AVP, false},
		{"3ge2ae requested, SAVPF", {SAVPF, NONE, true, false, true, false},
		 CTL_MODE_E2AE, true, false, AVPF, false},
		{"3ge2ae requested, asked SAVP", {SAVP, SAVP, true, false, true, false},
		 CTL_MODE_RECRYPT, true, true, SAVP, false},
		{"recrypt flag", {SAVP, NONE, true, false, false, true},
		 CTL_MODE_RECRYPT, true, true, SAVP, false},
		{"e2e SDES", {SAVP, NONE, true, false, false, false},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"e2e SDES, asked SAVP", {SAVP, SAVP, true, false, false, false},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"e2e SDES, unknown suite", {SAVP, NONE, false, false, false, false},
		 CTL_MODE_E2E_SDES, false, false, SAVP, false},
		{"e2e KMS", {SAVP, AVP, false, true, false, false},
		 CTL_MODE_E2E_KMS, false, false, NONE, false},
		{"terminating e2ae: AVP, asked SAVP", {AVP, SAVP, false, false, false, false},
		 CTL_MODE_E2AE, false, true, SAVP, false},
		{"plain", {AVP, NONE, false, false, false, false},
		 CTL_MODE_RELAY, false, false, AVP, false},
		{"other protocol", {NONE, AVP, false, false, false, false},
		 CTL_MODE_RELAY, false, false, NONE, false},
		{"e2ae without a usable key", {SAVP, AVP, false, false, false, false},
		 CTL_MODE_RELAY, false, false, NONE, true},
	};
	for (const PolicyRow &r : rows) {
		ctl_policy_out out;
		ctl_policy_offer(&r.in, &out);
		EXPECT_EQ(out.error != nullptr, r.error) << r.what;
		if (r.error)
			continue;
		EXPECT_EQ(out.mode, r.mode) << r.what;
		EXPECT_EQ(out.srtp_offerer, r.srtp_off) << r.what;
		EXPECT_EQ(out.srtp_answerer, r.srtp_ans) << r.what;
		EXPECT_EQ(out.answerer_proto, r.toward) << r.what;
	}
}

TEST(Policy, ProtocolNames)
{
	EXPECT_EQ(ctl_proto_parse("RTP/SAVPF", 9), SAVPF);
	EXPECT_EQ(ctl_proto_parse("RTP/AVP", 7), AVP);
	EXPECT_EQ(ctl_proto_parse("UDP/TLS/RTP/SAVP", 16), NONE);
	EXPECT_EQ(ctl_proto_parse(nullptr, 0), NONE);
	EXPECT_EQ(ctl_proto_plain(SAVPF), AVPF);
}

// ---- TCP framing --------------------------------------------------------

TEST(NgFraming, EveryCutOfAMessageWaits)
{
	const std::string m = "0_1_2 d7:command5:offer3:sdp5:v=0\r\n7:call-id"
			      "2:c14:listli1ei-2eee";
	for (size_t n = 0; n < m.size(); n++)
		EXPECT_EQ(ctl_ng_frame_len(m.data(), n), 0) << n;
	EXPECT_EQ(ctl_ng_frame_len(m.data(), m.size()), long(m.size()));
}

TEST(NgFraming, BackToBackMessages)
{
	const std::string a = "c1 d7:command4:pinge", b = "c2 d7:command4:liste";
	std::string both = a + b;
	EXPECT_EQ(ctl_ng_frame_len(both.data(), both.size()), long(a.size()));
	both = a + "c2 d7:comm";
	EXPECT_EQ(ctl_ng_frame_len(both.data(), both.size()), long(a.size()));
}

TEST(NgFraming, GarbageIsRefused)
{
	for (std::string g : {std::string(80, 'x'), std::string("c1 x"),
			      std::string("c1 d7:commandi01ee"),
			      std::string("c1 di1ei2ee")})
		EXPECT_EQ(ctl_ng_frame_len(g.data(), g.size()), -1) << g;
}

} // namespace
